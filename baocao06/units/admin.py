from django.contrib import admin

from baocao06.core.admin_access import SecretariatAdmin

from .actions import do_delete_unit, do_save_unit
from .models import Unit


@admin.register(Unit)
class UnitAdmin(SecretariatAdmin):
    """Units are loaded from data/units/ (load_units, load_communes); the admin fixes emails and notes."""

    list_display = ["key", "code", "name", "kind", "valid_from", "valid_to", "successor"]
    list_filter = ["kind"]
    list_select_related = ["successor"]
    search_fields = ["key", "code", "name"]
    ordering = ["kind_order", "sort_key"]
    readonly_fields = ["sort_key"]
    # 3,400 units: a drop-down of all of them would make the change form slow and unusable.
    autocomplete_fields = ["parent", "successor"]
    save_action = staticmethod(do_save_unit)
    delete_action = staticmethod(do_delete_unit)
