from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "baocao06.demo"
    label = "demo"
    verbose_name = "Dữ liệu minh họa"
