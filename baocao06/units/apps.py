from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "baocao06.units"
    label = "units"
    verbose_name = "Đơn vị báo cáo"
