from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "baocao06.reports"
    label = "reports"
    verbose_name = "Báo cáo"
