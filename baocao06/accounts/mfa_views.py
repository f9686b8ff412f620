"""Setting up, using, replacing and removing the second factor.

Before the second factor a person reaches only these steps (MfaRequiredMiddleware). The set-up page
takes a *new* app only from someone who has none yet, or whose session has passed the second factor
(with the app or a recovery code) and who gives the password again: the password alone never
replaces the app.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import actions, mfa, throttle
from .models import RecoveryCode, TotpDevice

PENDING = "mfa_pending_secret"


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _verified(request):
    request.session.cycle_key()
    request.session[mfa.SESSION_KEY] = True


def _to_verify(request):
    return redirect(f"{reverse('accounts:mfa_verify')}?{urlencode({'next': _next(request)})}")


def _password_ok(request) -> bool:
    """The password typed again, counted like sign-in attempts so it cannot be guessed here."""
    name, address = f"{request.user.get_username()}:reauth", throttle.client_address(request)
    if throttle.is_locked(name, address):
        return False
    if request.user.check_password(request.POST.get("password", "")):
        return True
    throttle.record_failure(name, address)
    return False


@login_required
@require_http_methods(["GET", "POST"])
def setup(request):
    """Show a new key (QR and text); a first correct code confirms it and shows recovery codes once."""
    replacing = mfa.has_device(request.user)
    if replacing and not request.session.get(mfa.SESSION_KEY):
        return _to_verify(request)
    secret = request.session.get(PENDING) or mfa.new_secret()
    request.session[PENDING] = secret
    if request.method == "POST":
        if replacing and not _password_ok(request):
            messages.error(request, "Mật khẩu không đúng.")
        else:
            codes = actions.do_enable_mfa(request.user, secret, request.POST.get("code", ""))
            if codes:
                del request.session[PENDING]
                _verified(request)
                return render(request, "accounts/mfa_codes.html", {"codes": codes, "next": _next(request)})
            messages.error(request, "Mã không đúng. Hãy nhập mã 6 số đang hiển thị trên ứng dụng xác thực.")
    uri = mfa.provisioning_uri(secret, request.user.get_username())
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    context = {"qr": mfa.qr_svg(uri), "secret": grouped, "next": _next(request), "replacing": replacing}
    return render(request, "accounts/mfa_setup.html", context)


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
            actions.note_second_factor_failure(request, request.user, locked=True)
            messages.error(request, "Nhập sai quá nhiều lần. Vui lòng thử lại sau ít phút.")
        else:
            code = request.POST.get("code", "")
            if mfa.verify_totp(device, code) or mfa.use_recovery_code(request.user, code):
                throttle.clear(name, address)
                _verified(request)
                return redirect(_next(request))
            actions.note_second_factor_failure(request, request.user, locked=False)
            messages.error(request, "Mã xác thực không đúng hoặc đã được dùng.")
    return render(request, "accounts/mfa_verify.html", {"next": _next(request)})


@login_required
@require_POST
def disable(request):
    """Remove the second factor (only for people whose role does not require one)."""
    if not mfa.has_device(request.user):
        return redirect("accounts:security")
    if not request.session.get(mfa.SESSION_KEY):
        return _to_verify(request)
    if mfa.required_by_role(request.user):
        raise PermissionDenied("Vai trò của bạn bắt buộc xác thực hai lớp.")
    if not _password_ok(request):
        messages.error(request, "Mật khẩu không đúng.")
        return _security_page(request, status=400)
    actions.do_disable_mfa(request.user)
    request.session.pop(mfa.SESSION_KEY, None)
    messages.success(request, "Đã tắt xác thực hai lớp.")
    return redirect("accounts:security")


@login_required
@require_GET
def security(request):
    """The person's sign-in settings: password, second factor, recovery codes left."""
    return _security_page(request)


def _security_page(request, status=200):
    user = request.user
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    context = {
        "device": device,
        "codes_left": RecoveryCode.objects.filter(user=user, used_at__isnull=True).count(),
        "required": mfa.required_by_role(user),
    }
    return render(request, "accounts/security.html", context, status=status)
