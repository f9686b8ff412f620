"""Writes about accounts: signing in and out, failed attempts, passwords and second factors.

Each is an audit event (ASVS V16: authentication events are recorded) and a log line on
`baocao06.security` with the request id; neither ever carries a password or a code. Changes to how a
person signs in (password, second factor) are also told to that person, in the app and by e-mail when
the account has an address, so a change they did not make does not go unnoticed.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time

from django.conf import settings
from django.contrib.auth import login, logout, password_validation
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from baocao06.audit.actions import Actor, delete_audited, record, save_audited

from . import mfa, throttle
from .models import GlobalRole, Membership, RecoveryCode, TotpDevice, User

logger = logging.getLogger("baocao06.security")

SIGNED_IN_AT = "signed_in_at"  # session key: when the password step succeeded (absolute timeout)


def unknown(username: str) -> Actor:
    """The actor of an attempt by someone not signed in: named by the username they typed."""
    return Actor(f"(chưa đăng nhập) {username[:100]}")


def _subject(user: User | None, username: str):
    return user if user is not None else ("login", username[:64])


def _tell(user: User, title: str, body: str) -> None:
    from baocao06.notifications.actions import notify
    from baocao06.notifications.models import NotificationKind

    body += (
        "\n\nNếu không phải bạn thực hiện, hãy báo ngay cho Thư ký Tổ công tác và đổi mật khẩu."
        f"\nLúc: {timezone.localtime():%H:%M ngày %d/%m/%Y}."
    )
    notify([user], NotificationKind.SECURITY, title, body=body, url=reverse("accounts:security"))


# --- Signing in and out ---------------------------------------------------------------------------


@transaction.atomic
def do_sign_in(request, user: User) -> None:
    """The password step succeeded: a new session whose life ends SESSION_COOKIE_AGE from now."""
    login(request, user)
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    # A fixed date: Django would otherwise push an integer expiry back at every write of the session.
    request.session.set_expiry(timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE))
    address = throttle.client_address(request)
    record("account.signed_in", user, actor=user, address=address)
    logger.info("sign-in: user=%s address=%s", user.pk, address)


def do_sign_out(request, reason: str = "sign_out") -> None:
    """End the session (the person asked, or it timed out: `idle`, `absolute`)."""
    user = request.user
    if user.is_authenticated:
        with transaction.atomic():
            record("account.signed_out", user, actor=user, reason=reason)
        logger.info("sign-out: user=%s reason=%s", user.pk, reason)
    logout(request)


@transaction.atomic
def note_sign_in_failure(request, username: str) -> None:
    """A wrong password (or unknown username): counted for throttling, audited; a lockout when it
    reaches the limit is audited as such."""
    address = throttle.client_address(request) if request else None
    user = User.objects.filter(username__iexact=username).first()
    throttle.record_failure(username, address)
    record("account.sign_in_failed", _subject(user, username), actor=unknown(username), address=address)
    logger.warning("sign-in failed: username=%r user=%s address=%s", username[:150], getattr(user, "pk", None), address)
    if throttle.is_locked(username, address):
        record("account.locked", _subject(user, username), actor=unknown(username), address=address)
        logger.warning("sign-in locked: username=%r address=%s", username[:150], address)


def note_locked_attempt(request, username: str) -> None:
    """An attempt while the cool-off runs: logged only (audit has the lockout itself)."""
    address = throttle.client_address(request) if request else None
    logger.warning("sign-in refused while locked: username=%r address=%s", username[:150], address)


@transaction.atomic
def note_second_factor_failure(request, user: User, *, locked: bool) -> None:
    address = throttle.client_address(request)
    if locked:
        logger.warning("second factor refused while locked: user=%s address=%s", user.pk, address)
        return
    name = f"{user.get_username()}:mfa"
    throttle.record_failure(name, address)
    record("account.mfa_failed", user, actor=user, address=address)
    logger.warning("second factor failed: user=%s address=%s", user.pk, address)
    if throttle.is_locked(name, address):
        record("account.mfa_locked", user, actor=user, address=address)
        logger.warning("second factor locked: user=%s address=%s", user.pk, address)


# --- Passwords ------------------------------------------------------------------------------------


@transaction.atomic
def do_change_password(user: User, password: str | None, *, actor) -> None:
    """Set a new password (already checked by the password validators), or none (`None`: the account
    can no longer sign in with a password). `actor` is the person themselves, or an administrator
    setting it for them; either way the person is told."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    record("account.password_changed", user, actor=actor, by_self=actor == user, usable=password is not None)
    logger.info("password changed: user=%s by=%s", user.pk, getattr(actor, "pk", None))
    who = "bạn" if actor == user else "quản trị hệ thống"
    _tell(user, "Mật khẩu của tài khoản đã được đổi", f"Mật khẩu đăng nhập của bạn vừa được {who} đổi.")


# --- Second factor --------------------------------------------------------------------------------


def new_recovery_codes(user: User) -> list[str]:
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(10)]
    RecoveryCode.objects.filter(user=user).delete()
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=mfa.hash_code(c)) for c in codes])
    return codes


@transaction.atomic
def do_enable_mfa(user: User, secret: str, code: str) -> list[str] | None:
    """Confirm an authenticator app with a first code; returns new recovery codes (shown once).

    Replaces an existing app: the caller has checked that the session passed the second factor and
    that the person gave their password again (mfa_views.setup).
    """
    if not mfa.code_matches(secret, code):
        return None
    replacing = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now(), "last_used_step": 0}
    )
    user.mfa_enabled = True
    user.save(update_fields=["mfa_enabled"])
    codes = new_recovery_codes(user)
    record("account.mfa_replaced" if replacing else "account.mfa_enabled", user, actor=user)
    logger.info("second factor %s: user=%s", "replaced" if replacing else "enabled", user.pk)
    if replacing:
        _tell(
            user,
            "Đã thay ứng dụng xác thực hai lớp của tài khoản",
            "Tài khoản của bạn vừa được gắn với một ứng dụng xác thực mới; ứng dụng cũ và các mã khôi phục cũ "
            "không còn dùng được.",
        )
    else:
        _tell(
            user,
            "Đã bật xác thực hai lớp cho tài khoản",
            "Từ nay, sau mật khẩu, bạn cần nhập mã 6 số trên ứng dụng xác thực khi đăng nhập.",
        )
    return codes


@transaction.atomic
def do_disable_mfa(user: User) -> None:
    """Remove the app and the recovery codes of a person whose role does not require them."""
    if mfa.required_by_role(user):
        raise PermissionDenied("Vai trò của bạn bắt buộc xác thực hai lớp; chỉ có thể thay ứng dụng khác.")
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    user.mfa_enabled = False
    user.save(update_fields=["mfa_enabled"])
    record("account.mfa_disabled", user, actor=user)
    logger.info("second factor disabled: user=%s", user.pk)
    _tell(
        user,
        "Đã tắt xác thực hai lớp của tài khoản",
        "Tài khoản của bạn từ nay đăng nhập chỉ bằng mật khẩu.",
    )


# --- People and their roles (the admin) -----------------------------------------------------------


@transaction.atomic
def do_save_user(user: User, *, actor) -> bool:
    """Create or change a person's account in the admin; audited (never the password hash)."""
    return save_audited(user, actor=actor)


@transaction.atomic
def do_delete_user(user: User, *, actor) -> None:
    """Delete an account (refused by the database when audit events or reports name the person)."""
    delete_audited(user, actor=actor)


def _refuse_self_grant(membership: Membership, actor) -> None:
    if getattr(actor, "pk", None) is not None and membership.user_id == actor.pk:
        logger.warning("self-grant refused: user=%s unit=%s role=%s", actor.pk, membership.unit_id, membership.role)
        raise PermissionDenied("Không được tự phân công vai trò ở đơn vị cho chính mình.")


@transaction.atomic
def do_save_membership(membership: Membership, *, actor) -> bool:
    """Give (or change) a person's role in a unit. Nobody grants a unit role to themselves: another
    member of the Secretariat must, so one person cannot make themselves a unit's approver."""
    _refuse_self_grant(membership, actor)
    return save_audited(membership, actor=actor, unit=membership.unit)


@transaction.atomic
def do_delete_membership(membership: Membership, *, actor) -> None:
    """Take a role in a unit away from a person."""
    delete_audited(membership, actor=actor, unit=membership.unit)


# --- The first Secretariat account ----------------------------------------------------------------


class AccountRefused(Exception):
    """The account cannot be made (one exists already, the name is taken, the password is weak)."""


def do_create_first_secretariat(*, username: str, full_name: str, email: str, password: str) -> User:
    """Create the first Secretariat account, only while there is none (later ones are made by a
    Secretariat member in the admin). The password goes through the site's validators; the account
    must set up its second factor at its first sign-in (MfaRequiredMiddleware)."""
    username = (username or "").strip()
    if not username:
        raise AccountRefused("Hãy cho tên đăng nhập.")
    with transaction.atomic():
        if User.objects.filter(global_role=GlobalRole.SECRETARIAT, is_active=True).exists():
            raise AccountRefused(
                "Đã có tài khoản Thư ký Tổ công tác; tài khoản khác do Thư ký tạo trong Danh mục (quản trị)."
            )
        if User.objects.filter(username__iexact=username).exists():
            raise AccountRefused(f"Tên đăng nhập {username} đã có.")
        user = User(
            username=username, full_name=full_name.strip(), email=email.strip(), global_role=GlobalRole.SECRETARIAT
        )
        try:
            password_validation.validate_password(password, user)
        except password_validation.ValidationError as exc:
            raise AccountRefused(" ".join(exc.messages)) from exc
        user.set_password(password)
        user.save()
        record(
            "account.first_secretariat_created",
            user,
            actor=None,
            changes=[{"place": "global_role", "old": None, "new": GlobalRole.SECRETARIAT}],
            username=username,
            source="command",
        )
    return user
