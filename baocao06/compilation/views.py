"""The national report pages: a round's compilations (Secretariat; viewers read), the dashboard, files.

Every view goes through `require_viewer` / `require_secretariat` (reports/access.py); files are served
only by `download`, after the same check, never from a public media URL.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports.access import require_secretariat, require_viewer
from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import Round

from . import dashboard
from .actions import CompileRefused, do_compile, do_request_outputs
from .models import Generation, GenerationStatus, OutputFile, Snapshot


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.light(), pk=round_id)


@login_required
@require_GET
def national(request, round_id: int):
    """A round's compilations: compile (Secretariat), the chosen snapshot's tables, charts and files."""
    require_viewer(request.user)
    round_ = _round(round_id)
    snapshots = list(Snapshot.objects.filter(round=round_).defer("data").order_by("-number"))
    chosen = None
    if snapshots:
        number = request.GET.get("lan")
        chosen_light = next((s for s in snapshots if str(s.number) == number), snapshots[0])
        chosen = Snapshot.objects.get(pk=chosen_light.pk)
    generation = chosen.generations.prefetch_related("files").first() if chosen else None
    context = {
        "round": round_,
        "snapshots": snapshots,
        "snapshot": chosen,
        "data": chosen.data if chosen else None,
        "generation": generation,
        "accepted": Report.objects.filter(round=round_, status=ReportStatus.ACCEPTED).count(),
        "submitted": Report.objects.filter(round=round_, status=ReportStatus.SUBMITTED).count(),
        "charts": dashboard.snapshot_charts(chosen) if chosen else {},
        "view": dashboard.snapshot_view(chosen.data) if chosen else None,
    }
    return render(request, "compilation/national.html", context)


@login_required
@require_POST
def compile_now(request, round_id: int):
    require_secretariat(request.user)
    round_ = _round(round_id)
    provisional = request.POST.get("provisional") == "1"
    try:
        snapshot = do_compile(round_, actor=request.user, provisional=provisional)
    except CompileRefused as exc:
        messages.error(request, str(exc))
        return redirect("compilation:national", round_.pk)
    label = "tạm tính" if provisional else "chính thức"
    messages.success(
        request,
        f"Đã tổng hợp {label} lần {snapshot.number} từ {snapshot.data['completeness']['included']} báo cáo.",
    )
    return redirect(f"{_national_url(round_)}?lan={snapshot.number}")


def _national_url(round_) -> str:
    return reverse("compilation:national", args=[round_.pk])


@login_required
@require_POST
def request_outputs(request, snapshot_id: int):
    require_secretariat(request.user)
    snapshot = get_object_or_404(Snapshot.objects.defer("data"), pk=snapshot_id)
    generation = do_request_outputs(snapshot, actor=request.user)
    if request.htmx:
        return render(request, "compilation/_generation.html", {"generation": generation, "snapshot": snapshot})
    messages.info(request, "Đang tạo tệp báo cáo; trang này cho biết tiến độ.")
    return redirect(f"{_national_url(snapshot.round)}?lan={snapshot.number}")


@login_required
@require_GET
def generation_status(request, generation_id: int):
    """The progress fragment, polled by htmx while the files are being made."""
    require_viewer(request.user)
    generation = get_object_or_404(
        Generation.objects.select_related("snapshot").defer("snapshot__data").prefetch_related("files"),
        pk=generation_id,
    )
    return render(request, "compilation/_generation.html", {"generation": generation, "snapshot": generation.snapshot})


@login_required
@require_GET
def download(request, file_id: int):
    require_viewer(request.user)
    output = get_object_or_404(OutputFile.objects.select_related("generation"), pk=file_id)
    if output.generation.status != GenerationStatus.DONE:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / output.path).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404
    snapshot = output.generation.snapshot_id
    response = FileResponse(path.open("rb"), as_attachment=True, filename=f"tong-hop-{snapshot}-{output.name}")
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def dashboard_view(request):
    """Completeness over time, online rate and savings, rankings, task status, overdue tasks."""
    require_viewer(request.user)
    rounds = list(Round.objects.light().order_by("-opened_at", "-pk"))
    if not rounds:
        return render(request, "compilation/dashboard.html", {"rounds": [], "round": None})
    chosen = next((r for r in rounds if str(r.pk) == request.GET.get("ky")), None)
    if chosen is None:
        with_snapshot = set(Snapshot.objects.values_list("round_id", flat=True).distinct())
        chosen = next((r for r in rounds if r.pk in with_snapshot), rounds[0])
    snapshot = Snapshot.objects.filter(round=chosen).order_by("-number").first()
    by_status = dict(Report.objects.filter(round=chosen).values_list("status").annotate(n=Count("id")).order_by())
    timeline = dashboard.completeness_timeline(chosen)
    context = {
        "rounds": rounds,
        "round": chosen,
        "snapshot": snapshot,
        "data": snapshot.data if snapshot else None,
        "by_status": [(s.value, s.label, by_status.get(s.value, 0)) for s in ReportStatus],
        "assigned": sum(by_status.values()),
        "timeline_chart": dashboard.timeline_chart(timeline, sum(by_status.values())),
        "charts": dashboard.snapshot_charts(snapshot) if snapshot else {},
        "view": dashboard.snapshot_view(snapshot.data) if snapshot else None,
        "overdue": dashboard.overdue_tasks(chosen, limit=20),
    }
    return render(request, "compilation/dashboard.html", context)
