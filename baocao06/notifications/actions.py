"""Writing notifications. `notify` is called from inside other actions' transactions (like the
audit log's `record`), so a notification exists exactly when the event it tells about does."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from baocao06.accounts.models import GlobalRole, Membership, User
from baocao06.core import clock

from .models import Notification, OutboxEmail

SUBJECT_PREFIX = "[Báo cáo Đề án 06] "


def unit_people(unit_ids: Iterable[int], roles: Iterable[str]) -> list[User]:
    """Active people holding one of `roles` in any of the units."""
    ids = Membership.objects.filter(unit_id__in=list(unit_ids), role__in=list(roles)).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def secretariat_people() -> list[User]:
    return list(User.objects.filter(global_role=GlobalRole.SECRETARIAT, is_active=True).order_by("pk"))


def reviewer_people(round_) -> list[User]:
    """Who reviews the round's reports: the Secretariat, or the owner's reviewers for a level round."""
    if getattr(round_, "owner_id", None) is None:
        return secretariat_people()
    return unit_people([round_.owner_id], ["reviewer"])


def email_body(title: str, body: str, url: str) -> str:
    link = f"\n\nXem chi tiết: {settings.BAOCAO06_SITE_URL.rstrip('/')}{url}" if url else ""
    return f"{title}\n\n{body}{link}\n\n—\nHệ thống báo cáo Đề án 06 (thư tự động, vui lòng không trả lời)."


def notify(users: Iterable[User], kind: str, title: str, *, body="", url="", report=None) -> list[Notification]:
    """One in-app notification per person and, for those with an address, one e-mail in the outbox.

    Runs in the caller's transaction; delivery is scheduled for after the commit, so a rolled-back
    event sends nothing.
    """
    people = list({u.pk: u for u in users if u.is_active}.values())
    if not people:
        return []
    now = clock.now()
    notes = Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, title=title[:255], body=body, url=url, report=report, created_at=now)
            for u in people
        ]
    )
    mails = [
        OutboxEmail(
            to=u.email, subject=(SUBJECT_PREFIX + title)[:255], body=email_body(title, body, url), notification=n
        )
        for u, n in zip(people, notes, strict=True)
        if u.email
    ]
    if mails:
        OutboxEmail.objects.bulk_create(mails)
        from .tasks import schedule_delivery

        transaction.on_commit(schedule_delivery)
    return notes


def do_mark_read(user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications (all unread ones when no ids are given) as read."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=list(notification_ids))
    return qs.update(read_at=clock.now())
