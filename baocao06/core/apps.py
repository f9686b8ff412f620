from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "baocao06.core"
    label = "core"
    verbose_name = "Dùng chung"
