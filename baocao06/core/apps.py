from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    name = "baocao06.core"
    label = "core"
    verbose_name = "Dùng chung"

    def ready(self):
        from . import checks  # noqa: F401 - registers the project's system checks


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin with this project's site (core/admin_access.py: Secretariat entry, 403s logged)."""

    default = False  # named in INSTALLED_APPS; baocao06.core itself stays CoreConfig
    default_site = "baocao06.core.admin_access.AdminSite"
