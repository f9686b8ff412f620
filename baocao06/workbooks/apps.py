from django.apps import AppConfig


class WorkbooksConfig(AppConfig):
    name = "baocao06.workbooks"
    label = "workbooks"
    verbose_name = "Tệp Excel báo cáo"
