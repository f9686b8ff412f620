"""Sending the e-mail outbox: claim a batch with a lease, send each message, record it as sent.

Claiming is one conditional UPDATE (only rows unsent, not given up and with no live lease), so two
workers never hold the same message; a message is marked sent right after the mail server took it.
If a worker dies in between, its lease expires and another worker sends that message again: at
most the messages in flight at the crash are sent twice, none is lost.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger("baocao06.notifications")

BATCH = 20
MAX_ATTEMPTS = 5


def _lease() -> dt.timedelta:
    # Long enough for a batch on a slow mail server (each send is bounded by EMAIL_TIMEOUT).
    return dt.timedelta(seconds=max(60, BATCH * (settings.EMAIL_TIMEOUT or 30)))


def pending(now: dt.datetime):
    return OutboxEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    )


def claim(now: dt.datetime, batch: int = BATCH) -> tuple[str, list[OutboxEmail]]:
    """Take up to `batch` messages for this worker; returns the claim token and the messages."""
    token = uuid.uuid4().hex
    ids = list(pending(now).order_by("id").values_list("id", flat=True)[:batch])
    if not ids:
        return token, []
    # The conditions are checked again by the UPDATE itself: a row another worker claimed in the
    # meantime no longer matches and stays theirs.
    pending(now).filter(pk__in=ids).update(claim_token=token, lease_until=now + _lease(), attempts=F("attempts") + 1)
    return token, list(OutboxEmail.objects.filter(claim_token=token, sent_at__isnull=True).order_by("id"))


def mark_sent(message: OutboxEmail, token: str) -> None:
    OutboxEmail.objects.filter(pk=message.pk, claim_token=token).update(sent_at=timezone.now(), lease_until=None)


def _failed(message: OutboxEmail, token: str, error: Exception, now: dt.datetime) -> None:
    gave_up = message.attempts >= MAX_ATTEMPTS
    retry_at = now + dt.timedelta(minutes=2 ** min(message.attempts, 6))
    OutboxEmail.objects.filter(pk=message.pk, claim_token=token).update(
        last_error=f"{type(error).__name__}: {error}"[:2000],
        lease_until=None if gave_up else retry_at,
        failed_at=now if gave_up else None,
    )
    logger.warning("e-mail %s not sent (attempt %s): %s", message.pk, message.attempts, type(error).__name__)


def deliver_outbox(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Send what is waiting (at most `limit` messages); returns how many were sent."""
    sent = 0
    connection = get_connection(fail_silently=False)
    while limit is None or sent < limit:
        moment = now or timezone.now()
        token, messages = claim(moment)
        if not messages:
            break
        for message in messages:
            try:
                EmailMessage(message.subject, message.body, to=[message.to], connection=connection).send()
            except Exception as exc:  # the mail server's errors are many; each is recorded and retried
                _failed(message, token, exc, moment)
                continue
            mark_sent(message, token)
            sent += 1
    return sent
