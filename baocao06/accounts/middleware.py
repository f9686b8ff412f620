"""Session limits and the second-factor gate, applied to every request."""

import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import mfa
from .actions import SIGNED_IN_AT, do_sign_out

_LAST_SEEN = "last_seen"


class SessionTimeoutMiddleware:
    """A session ends when unused for SESSION_IDLE_SECONDS, and in any case SESSION_COOKIE_AGE after
    sign-in (the absolute limit: activity never extends it; the session's stored expiry is the same
    fixed date, set at sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            last, signed_in = session.get(_LAST_SEEN), session.get(SIGNED_IN_AT)
            if signed_in is None:
                # A session opened some other way (a test's force_login) starts its clock now.
                session[SIGNED_IN_AT] = signed_in = now
            if now - signed_in > settings.SESSION_COOKIE_AGE:
                do_sign_out(request, reason="absolute")
            elif last is not None and now - last > settings.SESSION_IDLE_SECONDS:
                do_sign_out(request, reason="idle")
            elif last is None or now - last > 60:  # write the session at most once a minute
                session[_LAST_SEEN] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Before the second factor, a person who must give one reaches only the sign-in steps.

    Someone with an app reaches the code page and sign-out; someone who must set one up and has none
    reaches the set-up page (and the code page, which only sends them there) and sign-out. Everything
    else, the account pages included, redirects. The API is outside: it takes tokens, never sessions.
    """

    OPEN = ("/static/", "/healthz", "/favicon.ico", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.session.get(mfa.SESSION_KEY)
            and not request.path.startswith(self.OPEN)
            and mfa.requires_mfa(user)
        ):
            step = "accounts:mfa_verify" if mfa.has_device(user) else "accounts:mfa_setup"
            allowed = {reverse(step), reverse("accounts:mfa_verify"), reverse("accounts:logout")}
            if request.path not in allowed:
                return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
