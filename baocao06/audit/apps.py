from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "baocao06.audit"
    label = "audit"
    verbose_name = "Nhật ký thay đổi"
