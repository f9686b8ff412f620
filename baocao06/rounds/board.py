"""The follow-up board: every assigned unit's report with its state, lateness, last activity, the
unit's approvers and the explanation asked — in a constant number of queries whatever the size."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch, Q
from django.utils import timezone

from baocao06.accounts.models import Membership, UnitRole
from baocao06.reports.models import OUTSTANDING_STATUSES, ReportStatus, overdue_q
from baocao06.review.models import ExplanationRequest

LATE_LABEL = "Muộn / quá hạn"
STATES = [(s.value, s.label) for s in ReportStatus] + [("late", LATE_LABEL)]
HEADER = [
    "Mã đơn vị",
    "Đơn vị",
    "Loại",
    "Tình trạng",
    "Muộn",
    "Số ngày muộn",
    "Hạn gửi",
    "Gửi lần đầu",
    "Gửi gần nhất",
    "Hoạt động gần nhất",
    "Người cập nhật",
    "Lãnh đạo đơn vị",
    "Đề nghị giải trình",
    "Giải trình của đơn vị",
]


def board_queryset(round_, *, now: dt.datetime, kind="", state="", query=""):
    """The board's rows, filtered; each carries `effective_deadline`, `approvers`, `explanation_list`."""
    approvers = Membership.objects.filter(role=UnitRole.APPROVER).select_related("user").order_by("user__pk")
    reports = (
        round_.reports.with_deadline()
        .select_related("unit", "last_activity_by")
        .prefetch_related(
            Prefetch("unit__memberships", queryset=approvers, to_attr="approvers"),
            Prefetch("explanations", queryset=ExplanationRequest.objects.all(), to_attr="explanation_list"),
        )
        .order_by("unit__kind_order", "unit__sort_key")
    )
    if kind:
        reports = reports.filter(unit__kind=kind)
    if state == "late":
        reports = reports.filter(Q(late=True) | overdue_q(now))
    elif state in ReportStatus.values:
        reports = reports.filter(status=state)
    if query:
        reports = reports.filter(Q(unit__name__icontains=query) | Q(unit__key__iexact=query))
    return reports


def days_late(report, now: dt.datetime) -> int:
    """Calendar days from the unit's deadline to its first submission (or to now if none, or if it
    was returned and not sent again): a report due at 23:59 on the 17th and sent on the 18th is one
    day late; late at all is at least one."""
    moment = now if report.status == ReportStatus.RETURNED else report.first_submitted_at or now
    if moment <= report.effective_deadline:
        return 0
    days = (timezone.localtime(moment).date() - timezone.localtime(report.effective_deadline).date()).days
    return max(1, days)


def decorate(report, now: dt.datetime):
    """Attach what the board shows and computes per row (no queries: everything was prefetched)."""
    report.days_late = days_late(report, now)
    owed = report.first_submitted_at is None or report.status == ReportStatus.RETURNED
    report.overdue = owed and now > report.effective_deadline
    report.approver_names = ", ".join(str(m.user) for m in report.unit.approvers if m.user.is_active)
    report.explanation = report.explanation_list[0] if report.explanation_list else None
    report.outstanding = report.status in OUTSTANDING_STATUSES
    return report


def export_rows(reports, now: dt.datetime):
    for report in reports:
        decorate(report, now)
        explanation = report.explanation
        yield [
            report.unit.key,
            report.unit.name,
            report.unit.get_kind_display(),
            report.get_status_display(),
            "Có" if (report.late or report.overdue) else "",
            report.days_late or "",
            report.effective_deadline,
            report.first_submitted_at,
            report.submitted_at,
            report.last_activity_at,
            str(report.last_activity_by or ""),
            report.approver_names,
            explanation.requested_at if explanation else "",
            explanation.answer if explanation else "",
        ]


def overdue_tasks(round_):
    """Every open task of a unit past its due date at the round's cut-off, oldest first; each task
    carries `days_overdue` and `result_label` (the result as the definition words it)."""
    from baocao06.catalogues.models import Task, TaskSource

    tasks = (
        Task.objects.filter(
            source=TaskSource.UNIT,
            is_open=True,
            can_be_overdue=True,
            due_date__lt=round_.data_to,
            last_report__round=round_,
        )
        .select_related("unit", "from_unit", "last_report")
        .order_by("due_date", "unit__kind_order", "unit__sort_key", "code")
    )
    labels = {}
    for table in round_.get_layout().tables:
        column = ((table.tasks or {}).get("record") or {}).get("result")
        if column:
            labels.update({c["value"]: c["label"] for c in table.column_index[column].get("choices") or []})
    return tasks, labels


def decorate_overdue(round_, tasks, labels):
    for task in tasks:
        task.days_overdue = (round_.data_to - task.due_date).days
        task.result_label = labels.get(task.last_result, task.last_result)
    return tasks
