from django.apps import AppConfig


class DefinitionsConfig(AppConfig):
    name = "baocao06.definitions"
    label = "definitions"
    verbose_name = "Mẫu báo cáo"
