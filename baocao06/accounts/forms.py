"""Sign-in with throttling; messages in Vietnamese."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm

from . import actions, throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng.",
        "inactive": "Tài khoản đã bị khóa.",
        "locked": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request) if self.request else None
        if username and throttle.is_locked(username, address):
            actions.note_locked_attempt(self.request, username)
            minutes = settings.LOGIN_COOLOFF_SECONDS // 60
            raise forms.ValidationError(self.error_messages["locked"].format(minutes=minutes), code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                actions.note_sign_in_failure(self.request, username)
            raise
        throttle.clear(username, address)
        return cleaned
