"""Rounds for the Secretariat: the list, opening a round and its settings (the board is in
followup_views.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from baocao06.accounts.models import UnitRole
from baocao06.accounts.roles import unit_ids
from baocao06.definitions.cells import parse_date
from baocao06.reports.access import deny, followed_rounds, require_secretariat, require_viewer
from baocao06.reports.models import Report

from .actions import Refused, do_open_round, do_set_document_settings, do_set_round_settings, plan_units
from .forms import DocumentSettingsForm, OpenRoundForm, RoundSettingsForm
from .levels import do_cascade_round, do_open_level_round
from .models import Round


@login_required
def round_list(request):
    """Every round for the Secretariat and viewers; a province's staff see their level rounds."""
    if request.user.is_viewer:
        rounds = Round.objects.light()
    else:
        rounds = followed_rounds(request.user)
        if not rounds.exists():
            require_viewer(request.user)
    rounds = rounds.select_related("owner").annotate(
        total=Count("reports"),
        submitted=Count("reports", filter=Q(reports__submitted_at__isnull=False)),
        late=Count("reports", filter=Q(reports__late=True)),
    )
    return render(request, "rounds/list.html", {"rounds": rounds})


@login_required
def open_round(request):
    require_secretariat(request.user)
    form = OpenRoundForm(request.POST or None)
    mapping = None
    if request.method == "POST" and form.is_valid():
        units = form.units()
        if units is not None and "check" in request.POST:
            # "Kiểm tra đơn vị": what the round would remap and leave unaddressed, nothing opened.
            data = form.cleaned_data
            _, mapping = plan_units(data["definition"], data["data_to"], units, data.get("previous"))
            mapping["units"] = len(units)
        elif units is not None:
            round_ = do_open_round(
                form.cleaned_data["definition"], units=units, actor=request.user, **form.round_fields()
            )
            mapping = round_.unit_mapping
            text = f"Đã mở kỳ báo cáo và giao cho {round_.reports.count()} đơn vị."
            if mapping.get("remaps"):
                text += f" {len(mapping['remaps'])} đơn vị đã thôi hoạt động được thay bằng đơn vị kế thừa."
            messages.success(request, text)
            for warning in mapping.get("warnings") or []:
                messages.warning(request, warning)
            if form.cleaned_data.get("cascade"):
                opened = do_cascade_round(round_, deadline=form.cascade_deadline_at(), actor=request.user)
                messages.success(request, f"Đã mở kỳ báo cáo cấp tỉnh cho {len(opened)} tỉnh, thành phố.")
            return redirect("rounds:board", round_id=round_.pk)
    return render(request, "rounds/open.html", {"form": form, "mapping": mapping})


@login_required
def round_settings(request, round_id: int):
    """The round's compile settings and 12/2023 baseline figures, and how its national report is
    issued (two forms, each with its own button; Secretariat only)."""
    require_secretariat(request.user)
    round_ = get_object_or_404(Round.objects.light(), pk=round_id)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form") if posted else None
    form = RoundSettingsForm(round_, posted if which != "document" else None)
    document_form = DocumentSettingsForm(round_, posted if which == "document" else None)
    if which == "document" and document_form.is_valid():
        if do_set_document_settings(round_, document_form.document, actor=request.user):
            messages.success(request, "Đã lưu thể thức báo cáo tổng hợp.")
        else:
            messages.info(request, "Không có thay đổi.")
        return redirect("rounds:settings", round_id=round_.pk)
    if posted is not None and which != "document" and form.is_valid():
        if do_set_round_settings(round_, form.settings(), form.baseline(), actor=request.user):
            messages.success(request, "Đã lưu thiết lập của kỳ báo cáo.")
        else:
            messages.info(request, "Không có thay đổi.")
        return redirect("rounds:settings", round_id=round_.pk)
    submitted = round_.reports.filter(current_version__isnull=False).count()
    context = {"round": round_, "form": form, "document_form": document_form, "submitted": submitted}
    return render(request, "rounds/settings.html", context)


@login_required
@require_POST
def open_level(request, report_id: int):
    """A province (ministry) opens its own level round from its report in a national round: its
    reviewers and approvers may; anyone else gets 404 (the report is not theirs to see)."""
    report = Report.objects.select_related("round", "unit").defer("round__layout").filter(pk=report_id).first()
    if report is None or report.unit_id not in unit_ids(request.user, (UnitRole.REVIEWER, UnitRole.APPROVER)):
        deny(request.user, "report-level-round", report_id)
        raise Http404
    day = parse_date(request.POST.get("deadline", "").strip())
    if day is None:
        messages.error(request, "Nhập hạn gửi báo cáo lên tỉnh dạng dd/mm/yyyy.")
        return redirect("reports:detail", report.pk)
    deadline = timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))
    try:
        level = do_open_level_round(report.unit, parent=report.round, deadline=deadline, actor=request.user)
    except Refused as exc:
        messages.error(request, str(exc))
        return redirect("reports:detail", report.pk)
    messages.success(request, f"Đã mở kỳ báo cáo cấp tỉnh cho {level.reports.count()} đơn vị trực thuộc.")
    return redirect("rounds:board", round_id=level.pk)
