from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .models import OutboxEmail, ReminderClaim


class ReadOnlyAdmin(SecretariatAdmin):
    """Records written by the system: the Secretariat reads them, nobody edits them here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutboxEmail)
class OutboxEmailAdmin(ReadOnlyAdmin):
    list_display = ["to", "subject", "created_at", "attempts", "sent_at", "failed_at"]
    list_filter = ["sent_at", "failed_at"]


@admin.register(ReminderClaim)
class ReminderClaimAdmin(ReadOnlyAdmin):
    list_display = ["report", "offset_days", "sent_at", "worker", "recipients"]
