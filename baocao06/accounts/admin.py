from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from baocao06.core.admin_access import SecretariatAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "global_role", "is_active", "last_login"]
    list_filter = ["global_role", "is_active", "is_staff"]
    search_fields = ["username", "full_name"]
    fieldsets = (*BaseUserAdmin.fieldsets, ("baocao06", {"fields": ("full_name", "phone", "global_role")}))
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SecretariatAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "unit__name", "unit__key"]
    autocomplete_fields = ["user", "unit"]
