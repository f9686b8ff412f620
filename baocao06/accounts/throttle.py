"""Sign-in throttling: a cool-off after repeated failures for one username from one address."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .models import LoginFailure


def client_address(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by clients unless a trusted proxy rewrites it,
    # and the proxy in production passes the client address as REMOTE_ADDR (docs/operations.md).
    return request.META.get("REMOTE_ADDR") or None


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=settings.LOGIN_COOLOFF_SECONDS)


def is_locked(username: str, address: str | None) -> bool:
    username = username.strip().lower()
    recent = LoginFailure.objects.filter(username=username, at__gte=_window_start())
    return (
        recent.filter(address=address).count() >= settings.LOGIN_FAILURES_PER_ADDRESS
        or recent.count() >= settings.LOGIN_FAILURES_PER_USERNAME
    )


def record_failure(username: str, address: str | None) -> None:
    LoginFailure.objects.create(username=username.strip().lower()[:150], address=address)
    # Old rows carry no information once their window is over.
    LoginFailure.objects.filter(at__lt=timezone.now() - dt.timedelta(days=1)).delete()


def clear(username: str, address: str | None) -> None:
    LoginFailure.objects.filter(username=username.strip().lower(), address=address).delete()
