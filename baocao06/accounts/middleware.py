"""Idle timeout: a session unused for SESSION_IDLE_SECONDS ends (the absolute limit is the cookie age)."""

import time

from django.conf import settings
from django.contrib.auth import logout

_KEY = "last_seen"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif last is None or now - last > 60:  # write the session at most once a minute
                request.session[_KEY] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """People who must use a second factor see nothing but the sign-in steps until they have."""

    ALLOWED_PREFIXES = ("/tai-khoan/", "/static/", "/healthz", "/favicon.ico", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        from . import mfa

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(mfa.SESSION_KEY)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and mfa.requires_mfa(user)
        ):
            return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
