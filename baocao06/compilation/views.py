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
from django.db.models.fields.json import KT
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.jobs.models import JobStatus
from baocao06.reports.access import require_secretariat, require_viewer
from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import Round

from . import dashboard
from .actions import CompileRefused, do_request_compile, do_request_outputs
from .drafting_actions import DraftRefused
from .models import CompileJob, Generation, GenerationStatus, OutputFile, Snapshot, SnapshotPage, SnapshotVersion


def _round(round_id: int) -> Round:
    return get_object_or_404(Round.objects.light(), pk=round_id)


@login_required
@require_GET
def national(request, round_id: int):
    """A round's compilations: compile (Secretariat), the chosen snapshot's tables, charts and files.

    Rendered from the snapshot's prepared page (`SnapshotPage`): nothing is compiled or drawn here."""
    require_viewer(request.user)
    round_ = _round(round_id)
    snapshots = list(Snapshot.objects.filter(round=round_).defer("data").order_by("-number"))
    chosen = None
    if snapshots:
        number = request.GET.get("lan")
        chosen = next((s for s in snapshots if str(s.number) == number), snapshots[0])
    page = dashboard.page_for(chosen) if chosen else None
    generation = chosen.generations.prefetch_related("files").first() if chosen else None
    counts = dict(
        Report.objects.filter(round=round_, status__in=[ReportStatus.ACCEPTED, ReportStatus.SUBMITTED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    context = {
        "round": round_,
        "snapshots": snapshots,
        "snapshot": chosen,
        "data": page.data if page else None,
        "generation": generation,
        "compile_job": _shown_compile_job(round_),
        "accepted": counts.get(ReportStatus.ACCEPTED, 0),
        "submitted": counts.get(ReportStatus.SUBMITTED, 0),
        "charts": dashboard.page_charts(page) if page else {},
        "view": page.data["view"] if page else None,
        **_levels(round_),
    }
    return render(request, "compilation/national.html", context)


def _levels(round_) -> dict:
    """The level rounds under a national round: how many lower units each consolidated figure rests on,
    and the level each column is counted at (nothing when the round has no level rounds)."""
    from .levels import counted_levels, lower_counts

    if round_.owner_id is not None or not round_.level_rounds.exists():
        return {}
    layout = round_.get_layout()
    provinces = list(
        round_.level_rounds.order_by("owner__kind_order", "owner__sort_key").values_list(
            "pk", "owner__name", "owner__key"
        )
    )
    return {
        "lower_counts": lower_counts(round_, layout),
        "counted_levels": counted_levels(layout),
        "level_provinces": [(pk, name) for pk, name, _key in provinces],
        # The rankings link a province's figures to its drill-down.
        "level_by_key": {key: pk for pk, _name, key in provinces},
    }


def _shown_compile_job(round_) -> CompileJob | None:
    """The round's latest compile request while it runs, or if it failed (the person can try again)."""
    job = CompileJob.objects.filter(round=round_).select_related("snapshot").defer("snapshot__data").first()
    return job if job and job.status != JobStatus.DONE else None


@login_required
@require_POST
def compile_now(request, round_id: int):
    """Ask for a compilation: it runs on a background worker; the page shows its progress."""
    require_secretariat(request.user)
    round_ = _round(round_id)
    provisional = request.POST.get("provisional") == "1"
    try:
        job = do_request_compile(round_, actor=request.user, provisional=provisional)
    except CompileRefused as exc:
        messages.error(request, str(exc))
        return redirect("compilation:national", round_.pk)
    job.refresh_from_db()  # a worker (or the test backend) may already have finished it
    if job.status == JobStatus.DONE and job.snapshot_id:
        label = "tạm tính" if provisional else "chính thức"
        included = SnapshotVersion.objects.filter(snapshot=job.snapshot_id).count()
        messages.success(request, f"Đã tổng hợp {label} lần {job.snapshot.number} từ {included} báo cáo.")
        return redirect(f"{_national_url(round_)}?lan={job.snapshot.number}")
    messages.info(request, "Đang tổng hợp; trang này cho biết tiến độ.")
    return redirect("compilation:national", round_.pk)


@login_required
@require_GET
def compile_status(request, job_id: int):
    """The compile request's progress fragment, polled by htmx; once done, the page opens the result."""
    require_viewer(request.user)
    job = get_object_or_404(CompileJob.objects.select_related("round", "snapshot").defer("snapshot__data"), pk=job_id)
    response = render(request, "compilation/_compile_job.html", {"compile_job": job, "round": job.round})
    if request.htmx and job.status == JobStatus.DONE and job.snapshot_id:
        response["HX-Redirect"] = f"{_national_url(job.round)}?lan={job.snapshot.number}"
    return response


def _national_url(round_) -> str:
    return reverse("compilation:national", args=[round_.pk])


@login_required
@require_POST
def request_outputs(request, snapshot_id: int):
    require_secretariat(request.user)
    snapshot = get_object_or_404(Snapshot.objects.defer("data"), pk=snapshot_id)
    try:
        generation = do_request_outputs(snapshot, actor=request.user)
    except DraftRefused as exc:
        if request.htmx:
            context = {"generation": snapshot.generations.first(), "snapshot": snapshot, "refused": str(exc)}
            return render(request, "compilation/_generation.html", context)
        messages.error(request, str(exc))
        return redirect(f"{_national_url(snapshot.round)}?lan={snapshot.number}")
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
    output = get_object_or_404(
        OutputFile.objects.select_related("generation__snapshot").defer("generation__snapshot__data"), pk=file_id
    )
    if output.generation.status != GenerationStatus.DONE:
        raise Http404
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / output.path).resolve()
    if root not in path.parents or not path.is_file():
        raise Http404
    response = FileResponse(path.open("rb"), as_attachment=True, filename=output.download_name)
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
    snapshot = Snapshot.objects.filter(round=chosen).defer("data").order_by("-number").first()
    page = dashboard.page_for(snapshot) if snapshot else None
    by_status = dict(Report.objects.filter(round=chosen).values_list("status").annotate(n=Count("id")).order_by())
    timeline = dashboard.completeness_timeline(chosen)
    context = {
        "rounds": rounds,
        "round": chosen,
        "snapshot": snapshot,
        "data": page.data if page else None,
        "by_status": [(s.value, s.label, by_status.get(s.value, 0)) for s in ReportStatus],
        "assigned": sum(by_status.values()),
        "timeline_chart": reverse("compilation:timeline_chart", args=[chosen.pk]) if timeline else "",
        "charts": dashboard.page_charts(page) if page else {},
        "view": page.data["view"] if page else None,
        "overdue": dashboard.overdue_tasks(chosen, limit=20),
        "comparison": _comparison(chosen, page, snapshot),
    }
    return render(request, "compilation/dashboard.html", context)


def _comparison(round_, page, snapshot) -> dict | None:
    """ "So với kỳ trước" as of the snapshot shown (stored with its page), or from the reports sent so
    far when the round has no compilation yet."""
    from .across import ranked

    result = page.data.get("comparison") if page else dashboard.comparison(round_)
    if not result:
        return None
    return {"result": result, "units": ranked(result), "snapshot": snapshot if page else None}


@login_required
@require_GET
def unit_history(request, unit_key: str):
    """One unit's figures in every round, with the units it succeeds summed in (issue 11)."""
    from baocao06.core import clock
    from baocao06.units.models import Unit

    from .across import unit_history as history

    require_viewer(request.user)
    unit = get_object_or_404(Unit, key=unit_key)
    today = clock.now().date()
    day = today if unit.is_valid_on(today) else unit.valid_to
    successor = unit.current_successor(today) if not unit.is_valid_on(today) else None
    context = history(unit, day) | {"successor": successor if successor and successor.pk != unit.pk else None}
    return render(request, "compilation/unit_history.html", context)


def _svg(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    # The picture's own policy: matplotlib styles its shapes inline; an image runs no script anyway.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@login_required
@require_GET
def snapshot_chart(request, snapshot_id: int, name: str):
    """One chart of a snapshot, drawn when it was compiled (`SnapshotPage.charts`)."""
    require_viewer(request.user)
    if name not in dashboard.CHART_TITLES:
        raise Http404
    snapshot = get_object_or_404(Snapshot.objects.defer("data"), pk=snapshot_id)
    dashboard.page_for(snapshot)
    svg = SnapshotPage.objects.filter(snapshot=snapshot).values_list(KT(f"charts__{name}__svg"), flat=True).first()
    if not svg:
        raise Http404
    return _svg(svg)


@login_required
@require_GET
def timeline_chart(request, round_id: int):
    """Units that had sent their report, day by day: drawn from the reports as they are now."""
    require_viewer(request.user)
    round_ = _round(round_id)
    assigned = Report.objects.filter(round=round_).count()
    return _svg(dashboard.timeline_svg(dashboard.completeness_timeline(round_), assigned))
