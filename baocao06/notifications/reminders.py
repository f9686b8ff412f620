"""Deadline reminders: exactly once per report and offset, whatever the number of workers.

A round lists its offsets in days from the deadline (default 3 and 1 days before, 1 day after);
the reminder of offset d is due at 08:00 on the deadline's day + d, counted from the unit's
effective deadline (its extension if any). Only the latest due offset is sent: a system that was
down for a week sends one reminder, not three stale ones, and an offset is dropped when the next
one is due (the last one after GRACE). Before the deadline the unit's reporters are reminded;
after it the reminder also goes to the unit's approvers (escalation).

Each reminder is one transaction: lock the report, insert its `ReminderClaim` (unique on report
and offset), write the in-app notifications and the outbox e-mails, write the audit event. Two
workers racing for the same reminder: the second insert waits for the first transaction and then
fails, so it sends nothing. A worker killed half-way: everything it wrote rolls back and the next
pass sends the reminder once.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts.models import UnitRole
from baocao06.audit.actions import record
from baocao06.core import clock
from baocao06.core.templatetags.vn import vndate
from baocao06.reports.models import OUTSTANDING_STATUSES, Report
from baocao06.rounds.models import RoundStatus

from .actions import notify, unit_people
from .models import NotificationKind, ReminderClaim

REMINDER_HOUR = 8
GRACE = dt.timedelta(days=2)
WINDOW = dt.timedelta(days=120)  # offsets are limited to ±60 days by the round form


def due_at(deadline: dt.datetime, offset: int) -> dt.datetime:
    day = timezone.localtime(deadline).date() + dt.timedelta(days=offset)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(REMINDER_HOUR)))


def current_offset(deadline: dt.datetime, offsets, now: dt.datetime) -> int | None:
    """The offset whose reminder is due at `now`, if any (the latest one due, within its window)."""
    ordered = sorted(set(offsets))
    current = None
    for index, offset in enumerate(ordered):
        start = due_at(deadline, offset)
        end = due_at(deadline, ordered[index + 1]) if index + 1 < len(ordered) else start + GRACE
        if start <= now < end:
            current = offset
    return current


def send_due_reminders(*, now: dt.datetime | None = None, worker: str = "") -> int:
    """Send every reminder due at `now` that has not been sent; returns how many were sent."""
    now = now or clock.now()
    candidates = list(
        Report.objects.with_deadline()
        .filter(round__status=RoundStatus.OPEN, status__in=OUTSTANDING_STATUSES)
        .filter(effective_deadline__gte=now - WINDOW, effective_deadline__lte=now + WINDOW)
        .select_related("round")
        .only("pk", "round__reminder_offsets", "round__deadline", "deadline_extended_to")
        .order_by("pk")
    )
    wanted = []
    for report in candidates:
        offset = current_offset(report.effective_deadline, report.round.reminder_offsets or [], now)
        if offset is not None:
            wanted.append((report.pk, offset))
    done = set(
        ReminderClaim.objects.filter(report_id__in=[pk for pk, _ in wanted]).values_list("report_id", "offset_days")
    )
    # Workers start at different places, so two of them share the work instead of one queueing
    # behind the other on every report.
    random.shuffle(wanted)
    return sum(1 for pk, offset in wanted if (pk, offset) not in done and send_reminder(pk, offset, now, worker))


def _messages(report: Report, offset: int) -> tuple[str, str, str]:
    deadline = vndate(report.deadline)
    what = f"Báo cáo “{report.round.title}” của {report.unit.name}"
    if report.status == "returned":
        what += " (đã bị trả lại, chưa gửi lại)"
    if offset < 0:
        title = f"Còn {-offset} ngày đến hạn gửi báo cáo “{report.round.title}”"
        body = f"{what} cần được gửi trước {deadline}."
        return NotificationKind.DEADLINE_NEAR, title, body
    if offset == 0:
        return (
            NotificationKind.DEADLINE_NEAR,
            f"Hôm nay là hạn gửi báo cáo “{report.round.title}”",
            (f"{what} cần được gửi trước {deadline}."),
        )
    title = f"Quá hạn {offset} ngày: chưa gửi báo cáo “{report.round.title}”"
    body = f"{what} đã quá hạn gửi ({deadline}). Báo cáo gửi muộn vẫn được nhận cho đến khi khóa kỳ."
    return NotificationKind.OVERDUE, title, body


def send_reminder(report_id: int, offset: int, now: dt.datetime, worker: str = "") -> bool:
    """Send one reminder in one transaction; False when it was not (or no longer) to be sent."""
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round", "unit")
            .defer("round__layout")
            .get(pk=report_id)
        )
        if report.status not in OUTSTANDING_STATUSES or report.round.status != RoundStatus.OPEN:
            return False
        if current_offset(report.deadline, report.round.reminder_offsets or [], now) != offset:
            return False  # e.g. an extension was granted since the pass started
        try:
            with transaction.atomic():
                claim = ReminderClaim.objects.create(report=report, offset_days=offset, sent_at=now, worker=worker)
        except IntegrityError:
            return False  # another worker sent it
        kind, title, body = _messages(report, offset)
        url = reverse("reports:detail", args=[report.pk])
        reporters = unit_people([report.unit_id], [UnitRole.REPORTER])
        approvers = unit_people([report.unit_id], [UnitRole.APPROVER])
        with clock.frozen_at(now):
            notes = notify(reporters or approvers, kind, title, body=body, url=url, report=report)
            if offset > 0 and reporters:
                escalation = body + " Đề nghị lãnh đạo đơn vị chỉ đạo hoàn thành và gửi báo cáo."
                told = {u.pk for u in reporters}
                leaders = [u for u in approvers if u.pk not in told]
                notes += notify(leaders, kind, title, body=escalation, url=url, report=report)
            claim.recipients = len(notes)
            claim.save(update_fields=["recipients"])
            record(
                "report.reminder_sent",
                report,
                unit=report.unit,
                offset_days=offset,
                recipients=sorted(n.user_id for n in notes),
            )
    return True
