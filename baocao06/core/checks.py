"""System checks of this project's own settings (`manage.py check`, `check --deploy`)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

DEV_KEY_PREFIX = "dev-only-insecure-key-"
# Backends that deliver nothing: the reminders and notifications would never leave the server.
UNDELIVERED = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


@register(Tags.security, deploy=True)
def insecure_development_key(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    if _truthy("BAOCAO06_INSECURE_DEV_KEY") or settings.SECRET_KEY.startswith(DEV_KEY_PREFIX):
        return [
            Error(
                "BAOCAO06_INSECURE_DEV_KEY chỉ dùng cho máy phát triển và bộ kiểm thử: khóa bí mật ấy công khai.",
                hint="Bỏ BAOCAO06_INSECURE_DEV_KEY và đặt SECRET_KEY (chuỗi ngẫu nhiên dài) trong môi trường.",
                id="baocao06.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def email_backend_set(app_configs, **kwargs):
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNDELIVERED:
        return []
    return [
        Warning(
            f"EMAIL_BACKEND là {settings.EMAIL_BACKEND}: thư nhắc hạn và thông báo không được gửi đi.",
            hint="Đặt EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend và EMAIL_HOST… (docs/operations.md).",
            id="baocao06.W002",
        )
    ]


@register()
def breached_passwords_dir(app_configs, **kwargs):
    folder = getattr(settings, "BAOCAO06_BREACHED_PASSWORDS_DIR", "")
    if folder and not Path(folder).is_dir():
        return [
            Error(
                f"BAOCAO06_BREACHED_PASSWORDS_DIR không phải là thư mục: {folder}",
                hint="Trỏ tới thư mục các tệp dải băm (00000.txt … FFFFF.txt), hoặc bỏ biến này.",
                id="baocao06.E003",
            )
        ]
    return []
