"""The admin is where the Secretariat manages catalogues and people.

Django's admin normally needs `is_staff` and model permissions; here the Secretariat role grants
them for the models registered with `SecretariatAdmin`, so no one has to hand out permissions one by
one. Superusers keep full access; nobody else gets in.
"""

from django.contrib import admin


def secretariat_may_enter(request) -> bool:
    user = request.user
    return user.is_active and (user.is_staff or getattr(user, "is_secretariat", False))


class SecretariatAdmin(admin.ModelAdmin):
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


admin.site.has_permission = secretariat_may_enter
