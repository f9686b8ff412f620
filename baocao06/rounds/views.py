"""Rounds for the Secretariat: the list, opening a round and its settings (the board is in
followup_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render

from baocao06.reports.access import require_secretariat, require_viewer

from .actions import do_open_round, do_set_document_settings, do_set_round_settings
from .forms import DocumentSettingsForm, OpenRoundForm, RoundSettingsForm
from .models import Round


@login_required
def round_list(request):
    require_viewer(request.user)
    rounds = Round.objects.light().annotate(
        total=Count("reports"),
        submitted=Count("reports", filter=Q(reports__submitted_at__isnull=False)),
        late=Count("reports", filter=Q(reports__late=True)),
    )
    return render(request, "rounds/list.html", {"rounds": rounds})


@login_required
def open_round(request):
    require_secretariat(request.user)
    form = OpenRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        units = form.units()
        if units is not None:
            round_ = do_open_round(
                form.cleaned_data["definition"], units=units, actor=request.user, **form.round_fields()
            )
            messages.success(request, f"Đã mở kỳ báo cáo và giao cho {round_.reports.count()} đơn vị.")
            return redirect("rounds:board", round_id=round_.pk)
    return render(request, "rounds/open.html", {"form": form})


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
