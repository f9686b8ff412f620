"""Rounds for the Secretariat: the list, opening a round and its settings (the board is in
followup_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render

from baocao06.reports.access import require_secretariat, require_viewer

from .actions import do_open_round, do_set_round_settings, plan_units
from .forms import OpenRoundForm, RoundSettingsForm
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
            return redirect("rounds:board", round_id=round_.pk)
    return render(request, "rounds/open.html", {"form": form, "mapping": mapping})


@login_required
def round_settings(request, round_id: int):
    """The round's compile settings and 12/2023 baseline figures (Secretariat only)."""
    require_secretariat(request.user)
    round_ = get_object_or_404(Round.objects.light(), pk=round_id)
    form = RoundSettingsForm(round_, request.POST or None)
    if request.method == "POST" and form.is_valid():
        if do_set_round_settings(round_, form.settings(), form.baseline(), actor=request.user):
            messages.success(request, "Đã lưu thiết lập của kỳ báo cáo.")
        else:
            messages.info(request, "Không có thay đổi.")
        return redirect("rounds:settings", round_id=round_.pk)
    submitted = round_.reports.filter(current_version__isnull=False).count()
    return render(request, "rounds/settings.html", {"round": round_, "form": form, "submitted": submitted})
