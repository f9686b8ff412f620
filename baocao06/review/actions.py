"""Review actions: comment, return, accept, reopen, reply. Each runs in one transaction, moves the
report's state only through `reports.workflow`, writes one audit event and tells the people concerned."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from baocao06.accounts.models import UnitRole
from baocao06.audit.actions import record
from baocao06.core import clock
from baocao06.notifications.actions import notify, reviewer_people, unit_people
from baocao06.notifications.models import NotificationKind
from baocao06.reports import workflow
from baocao06.reports.actions import view_for
from baocao06.reports.models import Report, ReportStatus

from .anchors import Anchor, resolve
from .models import MAX_COMMENT, Comment

UNIT_ROLES = (UnitRole.REPORTER, UnitRole.APPROVER)


class ReviewRefused(Exception):
    """The action is not allowed now (its state, the round, or what was sent)."""


def lock_report(report: Report) -> Report:
    return (
        Report.objects.select_for_update(of=("self",))
        .select_related("round", "unit", "current_version")
        .defer("round__layout")
        .get(pk=report.pk)
    )


def _transition(report: Report, action: str) -> str:
    try:
        return workflow.next_status(action, report.status)
    except workflow.IllegalTransition as exc:
        raise ReviewRefused(str(exc)) from exc


def clean_text(text: str) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ReviewRefused("Chưa nhập nội dung nhận xét.")
    if len(text) > MAX_COMMENT:
        raise ReviewRefused(f"Nhận xét dài quá {MAX_COMMENT} ký tự.")
    return text


def _url(report: Report, comment: Comment | None = None) -> str:
    url = reverse("reports:detail", args=[report.pk])
    return f"{url}#c-{comment.pk}" if comment else url


def _set_status(report: Report, status: str) -> str:
    # `last_activity_*` stay the unit's own (what the board shows); the review is in the audit log.
    old = report.status
    report.status = status
    report.save(update_fields=["status"])
    return old


def _publish_drafts(report: Report, now) -> list[Comment]:
    drafts = list(report.comments.filter(published_at__isnull=True, from_secretariat=True).order_by("id"))
    report.comments.filter(pk__in=[c.pk for c in drafts]).update(published_at=now)
    return drafts


def anchor_for(report: Report, **coordinates) -> Anchor:
    content = report.current_version.content if report.current_version_id else None
    return resolve(view_for(report), content, **coordinates)


def do_add_comment(report: Report, *, actor, body: str, anchor: Anchor) -> Comment:
    """The Secretariat remarks on a report: a draft while the report is under review (published when
    it is returned or accepted), published at once on a report already returned."""
    body = clean_text(body)
    with transaction.atomic():
        locked = lock_report(report)
        if locked.status not in (ReportStatus.SUBMITTED, ReportStatus.RETURNED):
            raise ReviewRefused("Chỉ nhận xét báo cáo đang chờ thẩm định hoặc đã trả lại.")
        now = clock.now()
        published = now if locked.status == ReportStatus.RETURNED else None
        comment = Comment.objects.create(
            report=locked,
            version=locked.current_version,
            part=anchor.part,
            field=anchor.field,
            row=anchor.row,
            column=anchor.column,
            place=anchor.place[:300],
            body=body,
            author=actor,
            from_secretariat=True,
            created_at=now,
            published_at=published,
        )
        if published:
            notify(
                unit_people([locked.unit_id], UNIT_ROLES),
                NotificationKind.COMMENT,
                f"Nhận xét mới về báo cáo “{locked.round.title}”",
                body=f"{comment.place}: {body}",
                url=_url(locked, comment),
                report=locked,
            )
        record(
            "comment.added",
            locked,
            actor=actor,
            unit=locked.unit,
            comment=comment.pk,
            place=comment.place,
            published=bool(published),
            changes=[{"place": comment.place, "old": None, "new": body}],
        )
    return comment


def do_withdraw_comment(comment: Comment, *, actor) -> None:
    """Withdraw a draft remark before it is published (published comments are kept forever)."""
    with transaction.atomic():
        locked = lock_report(comment.report)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        if comment.published_at is not None or not comment.from_secretariat:
            raise ReviewRefused("Nhận xét đã gửi cho đơn vị, không rút lại được.")
        record(
            "comment.withdrawn",
            locked,
            actor=actor,
            unit=locked.unit,
            comment=comment.pk,
            changes=[{"place": comment.place, "old": comment.body, "new": None}],
        )
        comment.delete()


def do_return_report(report: Report, *, actor, message: str = "") -> list[Comment]:
    """Send a submitted report back to the unit with the Secretariat's remarks; it becomes editable."""
    with transaction.atomic():
        locked = lock_report(report)
        new_status = _transition(locked, "return")
        if not locked.round.is_open:
            raise ReviewRefused("Kỳ báo cáo đã khóa, không trả lại báo cáo được.")
        now = clock.now()
        if (message or "").strip():
            Comment.objects.create(
                report=locked,
                version=locked.current_version,
                place=Anchor().place,
                body=clean_text(message),
                author=actor,
                from_secretariat=True,
                created_at=now,
            )
        comments = _publish_drafts(locked, now)
        if not comments:
            raise ReviewRefused("Hãy ghi ít nhất một nhận xét (hoặc lời nhắn chung) trước khi trả lại báo cáo.")
        old = _set_status(locked, new_status)
        places = "; ".join(c.place for c in comments[:5]) + ("…" if len(comments) > 5 else "")
        notify(
            unit_people([locked.unit_id], UNIT_ROLES),
            NotificationKind.RETURNED,
            f"Báo cáo “{locked.round.title}” bị trả lại kèm {len(comments)} nhận xét",
            body=(
                f"{locked.round.reviewer_label} đề nghị chỉnh sửa: {places}. "
                "Sau khi sửa, lãnh đạo đơn vị gửi lại báo cáo."
            ),
            url=_url(locked),
            report=locked,
        )
        record(
            "report.returned",
            locked,
            actor=actor,
            unit=locked.unit,
            changes=[{"place": "status", "old": old, "new": new_status}],
            version=locked.current_version.number if locked.current_version_id else None,
            comments=[c.pk for c in comments],
        )
    return comments


def do_accept_report(report: Report, *, actor) -> None:
    """Accept a submitted report: it becomes read-only; remarks not yet sent go with it as notes.

    Allowed in a closed round too: closing stops units sending, not the review of what was sent.
    """
    with transaction.atomic():
        locked = lock_report(report)
        new_status = _transition(locked, "accept")
        comments = _publish_drafts(locked, clock.now())
        old = _set_status(locked, new_status)
        notify(
            unit_people([locked.unit_id], UNIT_ROLES),
            NotificationKind.ACCEPTED,
            f"Báo cáo “{locked.round.title}” đã được tiếp nhận",
            body=f"{locked.round.reviewer_label} đã tiếp nhận báo cáo lần gửi {locked.current_version.number}."
            + (f" Kèm {len(comments)} ghi chú." if comments else ""),
            url=_url(locked),
            report=locked,
        )
        record(
            "report.accepted",
            locked,
            actor=actor,
            unit=locked.unit,
            changes=[{"place": "status", "old": old, "new": new_status}],
            version=locked.current_version.number,
            comments=[c.pk for c in comments],
        )


def do_reopen_report(report: Report, *, actor, reason: str) -> Comment:
    """Reopen an accepted report (Secretariat only, with a reason): it goes back to the unit as returned."""
    reason = clean_text(reason)
    with transaction.atomic():
        locked = lock_report(report)
        new_status = _transition(locked, "reopen")
        if not locked.round.is_open:
            raise ReviewRefused("Kỳ báo cáo đã khóa, không mở lại báo cáo được.")
        now = clock.now()
        comment = Comment.objects.create(
            report=locked,
            version=locked.current_version,
            place=Anchor().place,
            body=f"Mở lại báo cáo: {reason}",
            author=actor,
            from_secretariat=True,
            created_at=now,
            published_at=now,
        )
        old = _set_status(locked, new_status)
        notify(
            unit_people([locked.unit_id], UNIT_ROLES),
            NotificationKind.REOPENED,
            f"Báo cáo “{locked.round.title}” được mở lại để chỉnh sửa",
            body=reason,
            url=_url(locked, comment),
            report=locked,
        )
        record(
            "report.reopened",
            locked,
            actor=actor,
            unit=locked.unit,
            changes=[{"place": "status", "old": old, "new": new_status}],
            reason=reason,
        )
    return comment


def do_reply(comment: Comment, *, actor, body: str, from_secretariat: bool) -> Comment:
    """Answer in a remark's thread; the other side is told."""
    body = clean_text(body)
    with transaction.atomic():
        locked = lock_report(comment.report)
        root = comment.parent or comment
        if root.published_at is None:
            raise ReviewRefused("Nhận xét này chưa được gửi cho đơn vị.")
        if not locked.round.is_open:
            raise ReviewRefused("Kỳ báo cáo đã khóa.")
        now = clock.now()
        reply = Comment.objects.create(
            report=locked,
            version=locked.current_version,
            parent=root,
            part=root.part,
            field=root.field,
            row=root.row,
            column=root.column,
            place=root.place,
            body=body,
            author=actor,
            from_secretariat=from_secretariat,
            created_at=now,
            published_at=now,
        )
        people = unit_people([locked.unit_id], UNIT_ROLES) if from_secretariat else reviewer_people(locked.round)
        reviewer = locked.round.reviewer_label
        who = reviewer if from_secretariat else locked.unit.name
        notify(
            [p for p in people if p.pk != actor.pk],
            NotificationKind.COMMENT,
            f"{who} trả lời nhận xét về báo cáo “{locked.round.title}”",
            body=f"{root.place}: {body}",
            url=_url(locked, root),
            report=locked,
        )
        record(
            "comment.replied",
            locked,
            actor=actor,
            unit=locked.unit,
            comment=reply.pk,
            parent=root.pk,
            changes=[{"place": root.place, "old": None, "new": body}],
        )
    return reply
