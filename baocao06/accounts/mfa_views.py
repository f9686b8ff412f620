"""Setting up and using the second factor at sign-in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods

from . import mfa, throttle
from .models import TotpDevice


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request):
    request.session.cycle_key()
    request.session[mfa.SESSION_KEY] = True


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Show a new key (QR and text); a first correct code confirms it and shows recovery codes once."""
    secret = request.session.get("mfa_pending_secret") or mfa.new_secret()
    request.session["mfa_pending_secret"] = secret
    if request.method == "POST":
        codes = mfa.do_enable_mfa(request.user, secret, request.POST.get("code", ""))
        if codes:
            del request.session["mfa_pending_secret"]
            _verified(request)
            return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next(request)})
        messages.error(request, "Mã không đúng. Hãy nhập mã 6 số đang hiển thị trên ứng dụng xác thực.")
    uri = mfa.provisioning_uri(secret, request.user.get_username())
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request, "accounts/mfa_setup.html", {"qr": mfa.qr_svg(uri), "secret": grouped, "next": _next(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of sign-in: a code from the app, or a one-time recovery code."""
    device = TotpDevice.objects.filter(user=request.user, confirmed_at__isnull=False).first()
    if device is None:
        return redirect(f"{reverse('accounts:mfa_setup')}?{urlencode({'next': _next(request)})}")
    if request.method == "POST":
        name = f"{request.user.get_username()}:mfa"
        address = throttle.client_address(request)
        if throttle.is_locked(name, address):
            messages.error(request, "Nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.")
        else:
            code = request.POST.get("code", "")
            if mfa.verify_totp(device, code) or mfa.use_recovery_code(request.user, code):
                throttle.clear(name, address)
                _verified(request)
                return redirect(_next(request))
            throttle.record_failure(name, address)
            messages.error(request, "Mã xác thực không đúng hoặc đã được dùng.")
    return render(request, "accounts/mfa_verify.html", {"next": _next(request)})
