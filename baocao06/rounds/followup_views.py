"""Following a round up (Secretariat): the board, its export, closing the round, reminders, and one
unit's follow-up page (extension, explanation requests, reminders sent)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from baocao06.accounts.models import UnitRole
from baocao06.compilation.levels import level_completeness
from baocao06.core.safe_export import csv_bytes, xlsx_bytes
from baocao06.definitions.cells import parse_date
from baocao06.reports.access import can_review_round, deny, require_round_follower, require_round_reviewer
from baocao06.reports.models import Report, ReportStatus, overdue_q
from baocao06.review.actions import ReviewRefused
from baocao06.review.explanations import do_request_explanation
from baocao06.units.kinds import UnitKind

from . import board as board_rows
from .actions import Refused, do_close_round, do_grant_extension, do_set_reminder_offsets
from .forms import parse_offsets
from .models import Round

BOARD_PAGE_SIZE = 100


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.light().select_related("owner"), pk=round_id)


def _filters(request) -> dict:
    return {
        "kind": request.GET.get("kind", ""),
        "state": request.GET.get("state", ""),
        "query": request.GET.get("q", "").strip()[:100],
    }


def _kinds_in(round_):
    present = set(round_.reports.values_list("unit__kind", flat=True).distinct())
    return [(k.value, k.label) for k in UnitKind if k.value in present]


@login_required
@require_GET
def board(request, round_id: int):
    """Every assigned unit's report. The Secretariat follows up from here; a viewer (a leader who
    only reads) sees the same list without the Secretariat's actions and opens the units' reports."""
    round_ = _round(round_id)
    require_round_follower(request.user, round_)
    now = timezone.now()
    filters = _filters(request)
    page = Paginator(board_rows.board_queryset(round_, now=now, **filters), BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for report in page:
        board_rows.decorate(report, now)
    totals = round_.reports.with_deadline().aggregate(
        total=Count("id"),
        late=Count("id", filter=Q(late=True) | overdue_q(now)),
        **{s.value: Count("id", filter=Q(status=s.value)) for s in ReportStatus},
    )
    query = {"kind": filters["kind"], "state": filters["state"], "q": filters["query"]}
    context = {
        "round": round_,
        "page": page,
        "kind": filters["kind"],
        "state": filters["state"],
        "q": filters["query"],
        "filter_query": urlencode(query),
        "kinds": _kinds_in(round_),
        "states": board_rows.STATES,
        "counts": [(s.value, s.label, totals[s.value]) for s in ReportStatus]
        + [("late", board_rows.LATE_LABEL, totals["late"])],
        "total": totals["total"],
        "now": now,
        "reviewing": can_review_round(request.user, round_),
        "levels": level_completeness(round_, now) if round_.owner_id is None and not request.htmx else [],
    }
    template = "rounds/_board_rows.html" if request.htmx else "rounds/board.html"
    return render(request, template, context)


@login_required
@require_GET
def board_export(request, round_id: int, fmt: str):
    """The board's list as filtered, every page, as CSV or XLSX (text never read as a formula)."""
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    now = timezone.now()
    reports = board_rows.board_queryset(round_, now=now, **_filters(request))
    rows = board_rows.export_rows(reports, now)
    name = f"theo-doi-ky-{round_.pk}-{timezone.localtime(now):%Y%m%d-%H%M}"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(board_rows.HEADER, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        widths = [10, 40, 18, 18, 6, 8, 16, 16, 16, 16, 24, 30, 16, 50]
        body = xlsx_bytes("Theo dõi", board_rows.HEADER, rows, widths)
        response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _back(request, round_) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("rounds:board", args=[round_.pk])


@login_required
@require_POST
def close_round(request, round_id: int):
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    if not request.POST.get("confirm"):
        messages.error(request, "Hãy đánh dấu xác nhận trước khi khóa kỳ báo cáo.")
        return redirect("rounds:board", round_id=round_.pk)
    do_close_round(round_, actor=request.user)
    messages.success(request, "Đã khóa kỳ báo cáo: không nhận thêm báo cáo hay chỉnh sửa nào.")
    return redirect("rounds:board", round_id=round_.pk)


@login_required
@require_POST
def set_reminders(request, round_id: int):
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    try:
        offsets = parse_offsets(request.POST.get("reminder_offsets", ""))
    except forms.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        do_set_reminder_offsets(round_, offsets, actor=request.user)
        messages.success(request, "Đã lưu lịch nhắc hạn.")
    return redirect("rounds:board", round_id=round_.pk)


def _report(request, round_, report_id) -> Report:
    report = (
        Report.objects.with_deadline()
        .select_related("unit", "round", "current_version")
        .defer("round__layout")
        .filter(round=round_, pk=report_id)
        .first()
    )
    if report is None:
        deny(request.user, "report", report_id)
        raise Http404
    return report


@login_required
@require_GET
def followup(request, round_id: int, report_id: int):
    """One unit in the round: its deadline and extension, people, explanations, reminders sent."""
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    report = _report(request, round_, report_id)
    now = timezone.now()
    report.days_late = board_rows.days_late(report, now)
    people = report.unit.memberships.select_related("user").order_by("role", "user__full_name")
    context = {
        "round": round_,
        "report": report,
        "approvers": [m.user for m in people if m.role == UnitRole.APPROVER],
        "reporters": [m.user for m in people if m.role == UnitRole.REPORTER],
        "explanations": report.explanations.select_related("requested_by", "answered_by"),
        "reminders": report.reminders.order_by("sent_at"),
        "versions": report.versions.select_related("submitted_by").order_by("number"),
        "now": now,
    }
    return render(request, "rounds/followup.html", context)


@login_required
@require_POST
def grant_extension(request, round_id: int, report_id: int):
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    report = _report(request, round_, report_id)
    text = request.POST.get("until", "").strip()
    until = None
    if text:
        day = parse_date(text)
        if day is None:
            messages.error(request, f"“{text[:20]}” không phải ngày dạng dd/mm/yyyy.")
            return redirect("rounds:followup", round_id=round_.pk, report_id=report.pk)
        until = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    try:
        do_grant_extension(report, until=until, note=request.POST.get("note", ""), actor=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã gia hạn cho {report.unit.name}." if until else "Đã bỏ gia hạn.")
    return redirect("rounds:followup", round_id=round_.pk, report_id=report.pk)


@login_required
@require_POST
def request_explanation(request, round_id: int, report_id: int):
    """One click on the board: ask the unit why it is late (not twice while unanswered)."""
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    report = _report(request, round_, report_id)
    try:
        _, created = do_request_explanation(report, actor=request.user, message=request.POST.get("message", ""))
    except ReviewRefused as exc:
        messages.error(request, str(exc))
    else:
        if created:
            messages.success(request, f"Đã đề nghị {report.unit.name} giải trình.")
        else:
            messages.info(request, f"{report.unit.name} chưa trả lời đề nghị giải trình trước.")
    return redirect(_back(request, round_))


@login_required
@require_GET
def overdue_tasks(request, round_id: int):
    """Every open task past its due date at the round's cut-off: a unit, a task, a date."""
    round_ = _round(round_id)
    require_round_reviewer(request.user, round_)
    tasks, labels = board_rows.overdue_tasks(round_)
    page = Paginator(tasks, 200).get_page(request.GET.get("page"))
    board_rows.decorate_overdue(round_, page, labels)
    return render(request, "rounds/overdue_tasks.html", {"round": round_, "page": page})
