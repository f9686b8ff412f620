"""The admin is where the Secretariat manages catalogues and people.

Django's admin normally needs `is_staff` and model permissions; here the Secretariat role grants
them for the models registered with `SecretariatAdmin`, so no one has to hand out permissions one by
one. Superusers keep full access; nobody else gets in: they get 403, and the refusal is logged.

Every save and delete made in the admin goes through an audited action (`AuditedAdmin`): a model
admin names its own `do_*` actions, or gets the generic audited save. A test walks every registered
model admin to keep it so.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from baocao06.audit.actions import do_delete_object, do_save_object, record_m2m

logger = logging.getLogger("baocao06.access")


def secretariat_may_enter(request) -> bool:
    user = request.user
    return user.is_active and (user.is_staff or getattr(user, "is_secretariat", False))


class AdminSite(admin.AdminSite):
    """The admin site: entry by the Secretariat role; refusals answer 403 and are logged."""

    site_header = "baocao06 — Quản trị danh mục"
    site_title = "baocao06"
    index_title = "Danh mục và người dùng"

    def has_permission(self, request):
        return secretariat_may_enter(request)

    def admin_view(self, view, cacheable=False):
        protected = super().admin_view(view, cacheable)

        @wraps(protected)
        def inner(request, *args, **kwargs):
            user = request.user
            if user.is_authenticated and not self.has_permission(request):
                logger.warning("admin access denied: user=%s path=%s", user.pk, request.path)
                raise PermissionDenied
            try:
                return protected(request, *args, **kwargs)
            except PermissionDenied:
                logger.warning("admin action denied: user=%s path=%s", user.pk, request.path)
                raise

        return inner


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose every save and delete is an audited action.

    Subclasses point `save_action` / `delete_action` at their area's `do_*` actions (each takes the
    object and `actor=`); `inline_actions` does the same for the models of inlines.
    """

    save_action = staticmethod(do_save_object)
    delete_action = staticmethod(do_delete_object)
    inline_actions: dict = {}

    def save_model(self, request, obj, form, change):
        self.save_action(obj, actor=request.user)

    def delete_model(self, request, obj):
        self.delete_action(obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_action(obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        names = [f.name for f in obj._meta.many_to_many if f.name in form.cleaned_data]
        before = {name: list(getattr(obj, name).values_list("pk", flat=True)) for name in names} if change else {}
        form.save_m2m()
        for name in names:
            after = list(getattr(obj, name).values_list("pk", flat=True))
            record_m2m(obj, name, before.get(name, []), after, actor=request.user)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        save, delete = self.inline_actions.get(formset.model, (do_save_object, do_delete_object))
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            delete(obj, actor=request.user)
        for obj in instances:
            save(obj, actor=request.user)
        formset.save_m2m()


class SecretariatAdmin(AuditedAdmin):
    """ModelAdmin whose view/add/change rights come from the Secretariat role."""

    def _secretariat(self, request) -> bool:
        return getattr(request.user, "is_secretariat", False)

    def has_module_permission(self, request):
        return self._secretariat(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._secretariat(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return self._secretariat(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return self._secretariat(request) or super().has_change_permission(request, obj)
