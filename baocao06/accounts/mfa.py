"""Two-factor sign-in: TOTP (RFC 6238, SHA-1, 30 s, 6 digits) and one-time recovery codes.

Written on the standard library: the algorithm is a few lines and is checked against the RFC's
test vectors, which is simpler to audit than a dependency.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

from django.db import transaction
from django.utils import timezone

from baocao06.audit.actions import record

from .models import RecoveryCode, TotpDevice, UnitRole
from .roles import unit_ids

STEP = 30
DIGITS = 6
WINDOW = 1  # accept the previous and the next step too (clock drift)
ISSUER = "Bao cao De an 06"
SESSION_KEY = "mfa_verified"


def new_secret() -> str:
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    return base64.b32decode(secret + "=" * (-len(secret) % 8), casefold=True)


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def totp(secret: str, at: float | None = None) -> str:
    return hotp(_key(secret), int((time.time() if at is None else at) // STEP))


def provisioning_uri(secret: str, username: str) -> str:
    label = quote(f"{ISSUER}:{username}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}&digits={DIGITS}&period={STEP}"


def required_by_role(user) -> bool:
    """The Secretariat, approvers and a province's reviewers (they accept and return) must use a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_secretariat or user.is_superuser:
        return True
    return bool(unit_ids(user, (UnitRole.APPROVER, UnitRole.REVIEWER)))  # the same cached read the access checks use


def requires_mfa(user) -> bool:
    """Required by the role, or chosen by the person (then it is required of them too)."""
    return user.is_authenticated and (user.mfa_enabled or required_by_role(user))


def has_device(user) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def code_matches(secret: str, code: str) -> bool:
    """Whether `code` is current for `secret` (the first code that confirms a new app)."""
    return _matching_step(secret, code, time.time()) is not None


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != DIGITS:
        return None
    current = int(now // STEP)
    key = _key(secret)
    for step in range(current - WINDOW, current + WINDOW + 1):
        if hmac.compare_digest(hotp(key, step), code):
            return step
    return None


@transaction.atomic
def verify_totp(device: TotpDevice, code: str, now: float | None = None) -> bool:
    """Check a code and remember its step, so the same code cannot be used twice."""
    device = TotpDevice.objects.select_for_update().get(pk=device.pk)
    step = _matching_step(device.secret, code, time.time() if now is None else now)
    if step is None or step <= device.last_used_step:
        return False
    device.last_used_step = step
    device.save(update_fields=["last_used_step"])
    return True


def hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


@transaction.atomic
def use_recovery_code(user, code: str) -> bool:
    updated = RecoveryCode.objects.filter(user=user, code_hash=hash_code(code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    if updated:
        record("account.recovery_code_used", user, actor=user)
    return bool(updated)


def qr_svg(uri: str) -> str:
    import segno

    return segno.make(uri, error="m").svg_inline(scale=4, dark="#1d2733")
