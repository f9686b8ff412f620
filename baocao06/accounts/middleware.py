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
