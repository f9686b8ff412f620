"""Who an API request is, and which report it may touch. Every API endpoint goes through here.

A token acts for exactly one unit: a report of another unit answers 404 (as in the browser), and
each refusal is logged. Tokens are read from the `Authorization: Bearer` header of API requests
only; nothing outside /api/ reads them, and they never create a session.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from baocao06.core import statements
from baocao06.reports.models import Report, report_for_autosave

from .actions import TOKEN_PREFIX, hash_token
from .models import ApiRole, ApiToken

logger = logging.getLogger("baocao06.access")
MAX_ID = 2**63 - 1
TOUCH_EVERY = dt.timedelta(minutes=1)
# What an API request reads of its token, the token's unit and its user (the actor of its audit events,
# named by username): every request authenticates, so the rest of these rows is not fetched, and the
# statement is built once (core.statements) rather than by the ORM on every request. Anything else
# read costs a query (counted in reports/tests/test_autosave_cost.py).
TOKEN_FIELDS = ("id", "prefix", "token_hash", "role", "expires_at", "revoked_at", "last_used_at", "unit_id", "user_id")
TOKEN_RELATED = {"unit": ("id", "key", "kind"), "user": ("id", "username", "is_active", "global_role")}


def authenticate(raw: str | None) -> ApiToken | None:
    """The usable token whose secret is `raw`, or None (unknown, malformed, expired or revoked)."""
    if not raw or len(raw) > 200:
        return None
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1].isalnum():
        return None
    token = statements.get(ApiToken, TOKEN_FIELDS, related=TOKEN_RELATED, prefix=parts[1])  # a unique key
    if token is None:
        return None
    if not hmac.compare_digest(token.token_hash, hash_token(raw)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        logger.warning("api token refused: prefix=%s expired or revoked", token.prefix)
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        # At most one write a minute per token, not one per request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def deny(token: ApiToken, what: str, obj_id) -> None:
    logger.warning("access denied: api_token=%s %s=%s", token.prefix, what, obj_id)


def api_report(
    token: ApiToken, report_id: int, *, write: bool = False, submit: bool = False, lean: bool = False
) -> Report:
    """The report if the token's unit owns it (404 otherwise); 403 when the role may not do this.
    `lean` (autosave) reads only the columns an autosave needs (`reports.models.report_for_autosave`)."""
    if not 0 < report_id <= MAX_ID:
        raise Http404
    try:
        report = report_for_autosave(report_id) if lean else Report.objects.with_round().get(pk=report_id)
    except Report.DoesNotExist:
        report = None
    if report is None or token.role == ApiRole.VIEWER or report.unit_id != token.unit_id:
        deny(token, "report", report_id)
        raise Http404
    if (write and not token.can_write) or (submit and not token.can_submit):
        deny(token, "report-write", report_id)
        raise PermissionDenied("Mã truy cập này không có quyền thực hiện thao tác này.")
    return report


def require_viewer(token: ApiToken) -> None:
    if token.role != ApiRole.VIEWER:
        deny(token, "national", "-")
        raise PermissionDenied("Chỉ mã truy cập quyền “xem số liệu tổng hợp” được xem số liệu toàn quốc.")
