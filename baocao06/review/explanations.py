"""Explanations of lateness: the Secretariat asks in one click, the unit answers; both are recorded."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from baocao06.audit.actions import record
from baocao06.core import clock
from baocao06.core.templatetags.vn import vndate
from baocao06.notifications.actions import notify, reviewer_people, unit_people
from baocao06.notifications.models import NotificationKind

from .actions import UNIT_ROLES, ReviewRefused, clean_text, lock_report
from .models import ExplanationRequest


def default_message(report) -> str:
    why = "chưa gửi lại sau khi bị trả lại" if report.status == "returned" else "chưa gửi (hoặc gửi muộn)"
    return (
        f"Đề nghị {report.unit.name} giải trình lý do {why} báo cáo “{report.round.title}” "
        f"(hạn gửi {vndate(report.deadline)}) và cho biết thời gian hoàn thành."
    )


def do_request_explanation(report, *, actor, message: str = "") -> tuple[ExplanationRequest, bool]:
    """Ask the unit to explain its lateness; a request still unanswered is not asked twice.

    Returns the request and whether it was created now.
    """
    with transaction.atomic():
        locked = lock_report(report)
        pending = locked.explanations.filter(answered_at__isnull=True).first()
        if pending is not None:
            return pending, False
        text = clean_text(message) if (message or "").strip() else default_message(locked)
        request = ExplanationRequest.objects.create(
            report=locked, message=text, requested_by=actor, requested_at=clock.now()
        )
        notify(
            unit_people([locked.unit_id], UNIT_ROLES),
            NotificationKind.EXPLANATION,
            f"{locked.round.reviewer_label} đề nghị giải trình: báo cáo “{locked.round.title}”",
            body=text,
            url=reverse("reports:detail", args=[locked.pk]) + "#explanations",
            report=locked,
        )
        record(
            "report.explanation_requested",
            locked,
            actor=actor,
            unit=locked.unit,
            request=request.pk,
            changes=[{"place": "explanation", "old": None, "new": text}],
        )
    return request, True


def do_answer_explanation(request: ExplanationRequest, *, actor, answer: str) -> ExplanationRequest:
    """The unit's answer to a request (once; a later answer needs a new request)."""
    answer = clean_text(answer)
    with transaction.atomic():
        locked = lock_report(request.report)
        request = ExplanationRequest.objects.select_for_update().get(pk=request.pk)
        if request.answered_at is not None:
            raise ReviewRefused("Đề nghị này đã được giải trình.")
        request.answer, request.answered_by, request.answered_at = answer, actor, clock.now()
        request.save(update_fields=["answer", "answered_by", "answered_at"])
        notify(
            reviewer_people(locked.round),
            NotificationKind.EXPLANATION_ANSWERED,
            f"{locked.unit.name} đã giải trình về báo cáo “{locked.round.title}”",
            body=answer,
            url=reverse("rounds:followup", args=[locked.round_id, locked.pk]),
            report=locked,
        )
        record(
            "report.explanation_answered",
            locked,
            actor=actor,
            unit=locked.unit,
            request=request.pk,
            changes=[{"place": "explanation", "old": None, "new": answer}],
        )
    return request
