from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .models import Definition


@admin.register(Definition)
class DefinitionAdmin(SecretariatAdmin):
    """Versions are loaded with `load_definition` (audited there) and are never edited or deleted here."""

    list_display = ["key", "version", "title", "loaded_at", "loaded_by"]
    readonly_fields = ["key", "version", "title", "source_text", "spec", "checksum", "loaded_at", "loaded_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
