from django.apps import AppConfig


class RoundsConfig(AppConfig):
    name = "baocao06.rounds"
    label = "rounds"
    verbose_name = "Kỳ báo cáo"
