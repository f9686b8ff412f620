"""What the dashboard and the round's national page show, prepared from a snapshot's data.

Charts are drawn by `charts.py` (matplotlib) — the same figures the DOCX embeds as PNG are shown in
the browser as SVG images (data URIs), so there is no chart library to fetch and the two cannot disagree.
"""

from __future__ import annotations

import base64
import datetime as dt

from django.core.cache import cache
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from baocao06.reports.models import Report
from baocao06.rounds.board import decorate_overdue
from baocao06.rounds.board import overdue_tasks as overdue_queryset

RANKING_SHOWN = 10


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
        "pl02_common": [t for t in pl02 if t["common"]],
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


def snapshot_charts(snapshot) -> dict[str, dict]:
    """The snapshot's charts as SVG images with their titles (the DOCX embeds the same figures as PNG).

    A snapshot never changes, so its charts are drawn once and cached by its content hash."""
    return cache.get_or_set(f"compilation:charts:{snapshot.content_hash}", lambda: _draw(snapshot.data), None)


def _draw(data: dict) -> dict[str, dict]:
    from . import charts

    makers = {
        "completeness": charts.completeness_chart,
        "online_rate": charts.online_rate_chart,
        "savings": charts.savings_chart,
        "rankings": charts.rankings_chart,
        "tasks": charts.task_status_chart,
    }
    return {
        name: {"title": CHART_TITLES[name], "src": svg_data_uri(charts.svg(make(data)))}
        for name, make in makers.items()
        if charts.has_figures(data, name)
    }


def svg_data_uri(svg: str) -> str:
    """An SVG as an image source. Inline <svg> would be drawn black: the page's Content-Security-Policy
    (style-src 'self') refuses matplotlib's style attributes, and charts would share element ids."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def timeline_chart(points, assigned: int) -> str:
    """Units that had sent their report, day by day, against the number assigned."""
    from . import charts

    if not points:
        return ""
    return svg_data_uri(charts.svg(charts.cumulative_chart(points, assigned=assigned)))
