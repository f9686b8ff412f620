from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "baocao06.api"
    label = "api"
    verbose_name = "API cho hệ thống của đơn vị"
