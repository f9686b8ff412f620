from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .actions import do_delete_service, do_delete_task, do_save_service, do_save_task
from .models import Service, Task


@admin.register(Service)
class ServiceAdmin(SecretariatAdmin):
    list_display = ["code", "number", "name", "programme", "owner", "active"]
    list_filter = ["programme", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["owner"]
    save_action = staticmethod(do_save_service)
    delete_action = staticmethod(do_delete_service)


@admin.register(Task)
class TaskAdmin(SecretariatAdmin):
    list_display = [
        "code",
        "unit",
        "group",
        "number",
        "short_title",
        "lead",
        "due",
        "due_date",
        "last_result",
        "active",
    ]
    list_filter = ["source", "is_open", "group", "active"]
    search_fields = ["code", "title", "lead", "unit__name"]
    readonly_fields = ["due_date", "unit", "first_round", "last_report", "last_result", "is_open"]
    list_select_related = ["unit"]
    save_action = staticmethod(do_save_task)
    delete_action = staticmethod(do_delete_task)

    @admin.display(description="nhiệm vụ")
    def short_title(self, obj):
        return obj.title[:90]
