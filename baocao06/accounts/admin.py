import contextvars

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.models import Group

from baocao06.core.admin_access import AuditedAdmin, SecretariatAdmin

from .actions import do_change_password, do_delete_membership, do_delete_user, do_save_membership, do_save_user
from .models import Membership, User

# Roles come from the global role and memberships; Django's groups are not used, so not offered.
admin.site.unregister(Group)

# The administrator setting a password, for the form's save (Django's view builds the form itself).
_setting_actor: contextvars.ContextVar = contextvars.ContextVar("admin_password_actor", default=None)


class AuditedPasswordChangeForm(AdminPasswordChangeForm):
    """The admin's "set password" form, saved through the audited action (the person is told)."""

    def save(self, commit=True):
        usable = self.cleaned_data.get("set_usable_password", True)
        password = self.cleaned_data.get("password1") if usable else None
        do_change_password(self.user, password, actor=_setting_actor.get())
        return self.user


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "global_role", "is_active", "last_login"]
    list_filter = ["global_role", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("baocao06", {"fields": ("full_name", "phone", "global_role")}))
    inlines = [MembershipInline]
    change_password_form = AuditedPasswordChangeForm
    save_action = staticmethod(do_save_user)
    delete_action = staticmethod(do_delete_user)
    inline_actions = {Membership: (do_save_membership, do_delete_membership)}

    def user_change_password(self, request, id, form_url=""):
        token = _setting_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _setting_actor.reset(token)


@admin.register(Membership)
class MembershipAdmin(SecretariatAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__key"]
    autocomplete_fields = ["user", "unit"]
    save_action = staticmethod(do_save_membership)
    delete_action = staticmethod(do_delete_membership)
