"""The Secretariat creates and revokes API tokens in the admin. The secret is shown once, never stored."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from baocao06.core.admin_access import SecretariatAdmin

from .actions import do_create_token, do_revoke_token
from .models import ApiToken

DEFAULT_DAYS = 180


class CreateTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "unit", "role", "expires_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expires_at"].initial = timezone.now() + dt.timedelta(days=DEFAULT_DAYS)
        self.fields["expires_at"].help_text = f"Mặc định {DEFAULT_DAYS} ngày; tối đa 2 năm."

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        now = timezone.now()
        if value <= now:
            raise forms.ValidationError("Thời hạn phải ở tương lai.")
        if value > now + dt.timedelta(days=730):
            raise forms.ValidationError("Thời hạn tối đa 2 năm.")
        return value


@admin.register(ApiToken)
class ApiTokenAdmin(SecretariatAdmin):
    list_display = ["name", "unit", "role", "prefix", "expires_at", "revoked_at", "last_used_at", "created_by"]
    list_filter = ["role", "revoked_at"]
    search_fields = ["name", "prefix", "unit__name", "unit__key"]
    autocomplete_fields = ["unit"]
    actions = ["revoke"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CreateTokenForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "name",
            "unit",
            "role",
            "prefix",
            "expires_at",
            "created_by",
            "created_at",
            "revoked_at",
            "revoked_by",
            "last_used_at",
        ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "unit", "role", "expires_at"]
        return self.get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, never deleted: the audit log refers to tokens

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, secret = do_create_token(
            name=obj.name, unit=obj.unit, role=obj.role, expires_at=obj.expires_at, actor=request.user
        )
        obj.pk = token.pk
        request._api_token_secret = secret  # shown once by response_add, never stored

    def response_add(self, request, obj, post_url_continue=None):
        token = ApiToken.objects.get(pk=obj.pk)
        context = {**self.admin_site.each_context(request), "token": token, "secret": request._api_token_secret}
        response = TemplateResponse(request, "api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Thu hồi các mã đã chọn")
    def revoke(self, request, queryset):
        count = sum(do_revoke_token(token, actor=request.user) for token in queryset)
        messages.success(request, f"Đã thu hồi {count} mã truy cập.")
