"""Rounds for the Secretariat: the list and opening a round (the board is in followup_views.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from baocao06.reports.access import require_secretariat, require_viewer

from .actions import do_open_round, units_to_assign
from .forms import OpenRoundForm
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
        data = form.cleaned_data
        units = units_to_assign(data["data_to"], kinds=data["kinds"], keys=data["unit_key_list"])
        found = set(units.values_list("key", flat=True))
        missing = [k for k in data["unit_key_list"] if k not in found]
        if missing:
            form.add_error("unit_keys", f"Không có đơn vị còn hiệu lực với mã: {', '.join(missing)}")
        else:
            round_ = do_open_round(
                data["definition"],
                units=units,
                actor=request.user,
                title=data["title"],
                period_kind=data["period_kind"],
                year=data["year"],
                data_from=data["data_from"],
                data_to=data["data_to"],
                deadline=form.deadline_at(),
                dispatch_number=data["dispatch_number"],
                dispatch_date=data["dispatch_date"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                reminder_offsets=data["reminder_offsets"],
                previous=data["previous"],
            )
            messages.success(request, f"Đã mở kỳ báo cáo và giao cho {round_.reports.count()} đơn vị.")
            return redirect("rounds:board", round_id=round_.pk)
    return render(request, "rounds/open.html", {"form": form})
