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
    list_display = ["code", "group", "number", "short_title", "lead", "due", "due_date", "active"]
    list_filter = ["source", "group", "active"]
    search_fields = ["code", "title", "lead"]
    readonly_fields = ["due_date"]

    @admin.display(description="nhiệm vụ")
    def short_title(self, obj):
        return obj.title[:90]
