from django.apps import AppConfig


class CompilationConfig(AppConfig):
    name = "baocao06.compilation"
    label = "compilation"
    verbose_name = "Tổng hợp báo cáo toàn quốc"
