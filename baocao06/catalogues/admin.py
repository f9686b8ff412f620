from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .models import Service, Task


@admin.register(Service)
class ServiceAdmin(SecretariatAdmin):
    list_display = ["code", "number", "name", "programme", "owner", "active"]
    list_filter = ["programme", "active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["owner"]


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

    @admin.display(description="nhiệm vụ")
    def short_title(self, obj):
        return obj.title[:90]
