"""Creating and revoking API tokens (the Secretariat's job). Each writes one audit event."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from baocao06.audit.actions import record
from baocao06.core import clock

from .models import ApiToken

TOKEN_PREFIX = "bc06"  # noqa: S105 — the public prefix of every token, not a secret


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits: a fast hash is enough (nothing to brute-force), unlike passwords.
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def do_create_token(*, name: str, unit, role: str, expires_at, actor) -> tuple[ApiToken, str]:
    """Create a token and its inactive service account; return the token and its secret (shown once)."""
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    user = get_user_model()(username=f"api-{prefix}", full_name=f"{name} (API, {unit.key})"[:150], is_active=False)
    user.set_unusable_password()
    user.save()
    token = ApiToken.objects.create(
        name=name,
        unit=unit,
        role=role,
        prefix=prefix,
        token_hash=hash_token(secret),
        user=user,
        created_by=actor,
        created_at=clock.now(),
        expires_at=expires_at,
    )
    record(
        "api_token.created",
        token,
        actor=actor,
        unit=unit,
        changes=[{"place": "token", "old": None, "new": f"{prefix} ({role})"}],
        name=name,
        role=role,
        expires_at=expires_at.isoformat(),
    )
    return token, secret


@transaction.atomic
def do_revoke_token(token: ApiToken, *, actor) -> bool:
    """Revoke a token at once; returns False when it was already revoked."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return False
    locked.revoked_at, locked.revoked_by = clock.now(), actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record(
        "api_token.revoked",
        locked,
        actor=actor,
        unit=locked.unit,
        changes=[{"place": "revoked_at", "old": None, "new": locked.revoked_at.isoformat()}],
        prefix=locked.prefix,
    )
    token.revoked_at, token.revoked_by = locked.revoked_at, actor
    return True
