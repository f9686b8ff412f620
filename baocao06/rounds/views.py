"""Rounds for the Secretariat: list, open, and the follow-up board of a round."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from baocao06.reports.access import require_secretariat, require_viewer
from baocao06.reports.models import ReportStatus
from baocao06.units.kinds import UnitKind

from .actions import do_open_round, units_to_assign
from .forms import OpenRoundForm
from .models import Round

BOARD_PAGE_SIZE = 100


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
            )
            messages.success(request, f"Đã mở kỳ báo cáo và giao cho {round_.reports.count()} đơn vị.")
            return redirect("rounds:board", round_id=round_.pk)
    return render(request, "rounds/open.html", {"form": form})


BOARD_STATES = [
    ("not_started", "Chưa bắt đầu"),
    ("draft", "Đang soạn"),
    ("submitted", "Đã gửi"),
    ("late", "Gửi muộn / quá hạn"),
]


def board_queryset(round_, *, kind="", state="", query=""):
    """The board's rows: every assigned unit's report, filtered; one query whatever the size."""
    reports = round_.reports.select_related("unit", "last_activity_by").order_by("unit__kind_order", "unit__sort_key")
    if kind:
        reports = reports.filter(unit__kind=kind)
    now = timezone.now()
    if state == "late":
        reports = reports.filter(Q(late=True) | Q(submitted_at__isnull=True, round__deadline__lt=now))
    elif state in ReportStatus.values:
        reports = reports.filter(status=state)
    if query:
        reports = reports.filter(Q(unit__name__icontains=query) | Q(unit__key__iexact=query))
    return reports


def _kinds_in(round_):
    present = set(round_.reports.values_list("unit__kind", flat=True).distinct())
    return [(k.value, k.label) for k in UnitKind if k.value in present]


@login_required
def board(request, round_id: int):
    require_secretariat(request.user)
    round_ = get_object_or_404(Round.objects.light(), pk=round_id)
    kind = request.GET.get("kind", "")
    state = request.GET.get("state", "")
    query = request.GET.get("q", "").strip()[:100]
    reports = board_queryset(round_, kind=kind, state=state, query=query)
    page = Paginator(reports, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(round_.reports.values_list("status").annotate(n=Count("id")))
    context = {
        "round": round_,
        "page": page,
        "kind": kind,
        "state": state,
        "q": query,
        "kinds": _kinds_in(round_),
        "states": BOARD_STATES,
        "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in ReportStatus],
        "total": sum(counts.values()),
        "now": timezone.now(),
    }
    template = "rounds/_board_rows.html" if request.htmx else "rounds/board.html"
    return render(request, template, context)
