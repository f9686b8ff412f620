"""What the dashboard and the round's national page show, prepared from a snapshot's data.

Charts are drawn by `charts.py` (matplotlib) — the same figures the DOCX embeds as PNG are shown in
the browser as SVG images, so there is no chart library to fetch and the two cannot disagree. A
snapshot's charts are drawn once, when it is compiled (`prepare_page`), and served as images by
`views.snapshot_chart`; the pages only link them.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from baocao06.reports.models import Report
from baocao06.rounds.board import decorate_overdue
from baocao06.rounds.board import overdue_tasks as overdue_queryset

from .models import SnapshotPage

RANKING_SHOWN = 10
PL02_NAMES_SHOWN = 8


def completeness_timeline(round_) -> list[tuple[dt.date, int]]:
    """How many units sent their report for the first time, day by day (the chart accumulates them)."""
    per_day = (
        Report.objects.filter(round=round_, first_submitted_at__isnull=False)
        .annotate(day=TruncDate("first_submitted_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    return list(per_day)


def snapshot_view(data: dict) -> dict:
    """Small, ready-to-show pieces of a snapshot for the templates."""
    tasks = data.get("tasks") or {}
    labels = {c["value"]: c["label"] for c in tasks.get("results") or []}
    national = (tasks.get("national") or {}).get("by_result") or {}
    pl02 = data.get("pl02") or []
    rankings = data.get("rankings") or {}
    return {
        "task_results": [(labels.get(k, k), national.get(k, 0)) for k in labels]
        if labels
        else sorted(national.items()),
        "task_rows": (tasks.get("national") or {}).get("rows", 0),
        # The page names the first units that have not done a common task and counts the rest.
        "pl02_common": [
            {
                **{k: t[k] for k in ("key", "number", "title", "answers", "by_result")},
                "not_done": t["not_done"][:PL02_NAMES_SHOWN],
                "not_done_more": max(0, len(t["not_done"]) - PL02_NAMES_SHOWN),
            }
            for t in pl02
            if t["common"]
        ],
        "pl02_lead_missing": sum(1 for t in pl02 if not t["common"] and t["lead_answer"] is None),
        "pl02_not_done": sum(len(t["not_done"]) for t in pl02),
        "provinces_top": rankings.get("provinces", [])[:RANKING_SHOWN],
        "provinces_bottom": rankings.get("provinces", [])[-RANKING_SHOWN:][::-1]
        if len(rankings.get("provinces", [])) > RANKING_SHOWN
        else [],
        "ministries": rankings.get("ministries", [])[: RANKING_SHOWN * 2],
    }


def overdue_tasks(round_, limit: int = 20):
    tasks, labels = overdue_queryset(round_)
    shown = list(tasks[:limit])
    return {"tasks": decorate_overdue(round_, shown, labels), "total": tasks.count()}


CHART_TITLES = {
    "completeness": "Tình hình báo cáo của các đơn vị",
    "online_rate": "Tỷ lệ hồ sơ trực tuyến theo dịch vụ",
    "savings": "Chi phí tiết kiệm theo dịch vụ",
    "rankings": "Tỉnh, thành phố có tỷ lệ trực tuyến cao nhất và thấp nhất",
    "tasks": "Nhiệm vụ theo kết quả thực hiện",
}


def prepare_page(snapshot) -> SnapshotPage:
    """Store what the pages show of `snapshot` (see `SnapshotPage`): done once, by the compile job."""
    data = snapshot.data
    drawn = _draw_svg(data)
    page = {
        "completeness": data.get("completeness") or {},
        "services": data.get("services") or [],
        "view": snapshot_view(data),
        "charts": [[name, chart["title"]] for name, chart in drawn.items()],
        "comparison": comparison(snapshot.round),
    }
    stored, _ = SnapshotPage.objects.update_or_create(snapshot=snapshot, defaults={"data": page, "charts": drawn})
    return stored


def comparison(round_) -> dict | None:
    """ "So với kỳ trước": the previous round's figures re-aggregated onto this round's units (provinces,
    central bodies and corporations; communes have their own provinces' rounds), from the reports sent
    so far (compilation/across.py). Stored with each snapshot's page, as of its compilation: at national
    scale it reads every sent version's service figures of two rounds, too much for a page view."""
    from baocao06.units.kinds import UnitKind

    from .across import compare

    if not round_.previous_id:
        return None
    return compare(round_.previous, round_, without_kinds=(UnitKind.COMMUNE,))


def page_for(snapshot) -> SnapshotPage:
    """The snapshot's prepared page (without the charts' SVG, served apart); prepared now for a
    snapshot made before pages were stored (or by a command), so each snapshot pays for it once."""
    page = SnapshotPage.objects.filter(snapshot=snapshot).defer("charts").first()
    if page is None or "comparison" not in page.data:  # "comparison" came later than the stored pages
        if "data" in snapshot.get_deferred_fields():
            snapshot = type(snapshot).objects.get(pk=snapshot.pk)
        page = prepare_page(snapshot)
    return page


def page_charts(page: SnapshotPage) -> dict[str, dict]:
    """The page's charts for the templates: title and the address of the image."""
    from django.urls import reverse

    return {
        name: {"title": title, "src": reverse("compilation:chart", args=[page.snapshot_id, name])}
        for name, title in page.data.get("charts") or []
    }


def _draw_svg(data: dict) -> dict[str, dict]:
    from . import charts

    makers = {
        "completeness": charts.completeness_chart,
        "online_rate": charts.online_rate_chart,
        "savings": charts.savings_chart,
        "rankings": charts.rankings_chart,
        "tasks": charts.task_status_chart,
    }
    return {
        name: {"title": CHART_TITLES[name], "svg": charts.svg(make(data))}
        for name, make in makers.items()
        if charts.has_figures(data, name)
    }


def timeline_svg(points, assigned: int) -> str:
    """Units that had sent their report, day by day, against the number assigned (cached: the same
    points give the same picture)."""
    from . import charts

    key = "compilation:timeline:" + hashlib.sha256(repr((points, assigned)).encode()).hexdigest()
    return cache.get_or_set(key, lambda: charts.svg(charts.cumulative_chart(points, assigned=assigned)), 3600)
