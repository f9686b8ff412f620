from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(SecretariatAdmin):
    """Read-only: the audit log is looked at, never edited."""

    list_display = ["at", "actor_label", "action", "object_type", "object_id", "unit", "request_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "request_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
