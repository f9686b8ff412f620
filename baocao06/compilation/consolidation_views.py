"""A province's (ministry's) page of figures consolidated from its lower units: the sums with their
drill-down, what changed since the draft took them, adjustments, the children's paragraphs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from baocao06.accounts.models import UnitRole
from baocao06.accounts.roles import unit_ids
from baocao06.reports.access import access_report, can_edit_report, can_follow_round, deny
from baocao06.reports.actions import view_for

from .consolidate import children_label, consolidate, consolidated_columns, level_round_for, paragraphs, task_tables
from .consolidation_actions import ConsolidationRefused, changes_since, do_adjust_figure, do_take_consolidation
from .models import ConsolidationTake


def _level_or_404(request, report):
    from django.http import Http404

    level = level_round_for(report.round, report.unit)
    if level is None:
        deny(request.user, "consolidation", report.pk)
        raise Http404
    return level


def _draft_values(report, table: str) -> dict:
    part = report.parts.filter(key=table).first()
    return {r["key"]: r.get("values") or {} for r in (part.data.get("rows") or [])} if part else {}


@login_required
@require_GET
def consolidation(request, report_id: int):
    report = access_report(request.user, report_id)
    level = _level_or_404(request, report)
    view = view_for(report)
    result = consolidate(level)
    names = {c.unit_id: c.name for c in result.children}
    take = ConsolidationTake.objects.filter(report=report).first()
    adjustments = {(a.table, a.row, a.column): a for a in report.figure_adjustments.select_related("adjusted_by")}
    tables = []
    for table_key, keys in consolidated_columns(view.layout).items():
        table_view = view.table_index.get(table_key)
        if table_view is None:
            continue
        draft = _draft_values(report, table_key)
        lines = []
        for row in table_view.fixed_rows.values():
            if row.heading:
                continue
            for column in keys:
                figure = result.figures.get((table_key, row.key, column))
                lines.append(
                    {
                        "row": row,
                        "column": table_view.table.column_index[column],
                        "figure": figure,
                        "label": children_label([c for c in result.children if figure and c.unit_id in figure.by_unit]),
                        "drill": [(names[u], v) for u, v in figure.by_unit.items()] if figure else [],
                        "draft": draft.get(row.key, {}).get(column),
                        "adjustment": adjustments.get((table_key, row.key, column)),
                    }
                )
        tables.append({"table": table_view.table, "lines": lines})
    tasks = [
        {
            "table": view.layout.table_index[t],
            "total": sum(result.task_rows.get(t, {}).values()),
            "by_child": [(names[u], n) for u, n in result.task_rows.get(t, {}).items()],
        }
        for t in task_tables(view.layout)
        if t in view.table_index
    ]
    sections = [s for s in view.sections() if s.fields]
    chosen = request.GET.get("muc", "")
    query = request.GET.get("q", "").strip()[:100]
    unit_key = request.GET.get("don_vi", "")
    found = paragraphs(level, chosen, query=query, unit_key=unit_key) if chosen else []
    context = {
        "report": report,
        "round": report.round,
        "level": level,
        "result": result,
        "label": result.label(),
        "tables": tables,
        "tasks": tasks,
        "take": take,
        "since": changes_since(take, result),
        "can_edit": report.is_editable and can_edit_report(request.user, report),
        "can_follow": can_follow_round(request.user, level),
        "sections": sections,
        "chosen": chosen,
        "q": query,
        "unit_key": unit_key,
        "paragraphs": found,
    }
    return render(request, "compilation/consolidation.html", context)


@login_required
@require_POST
def take(request, report_id: int):
    report = access_report(request.user, report_id, edit=True)
    _level_or_404(request, report)
    try:
        do_take_consolidation(report, actor=request.user)
    except ConsolidationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã lấy số liệu tổng hợp từ các đơn vị cấp dưới vào báo cáo.")
    return redirect("compilation:consolidation", report_id=report.pk)


@login_required
@require_POST
def adjust(request, report_id: int):
    report = access_report(request.user, report_id, edit=True)
    _level_or_404(request, report)
    try:
        do_adjust_figure(
            report,
            table=request.POST.get("table", ""),
            row=request.POST.get("row", ""),
            column=request.POST.get("column", ""),
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
            actor=request.user,
        )
    except ConsolidationRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã lưu số liệu điều chỉnh.")
    return redirect("compilation:consolidation", report_id=report.pk)


def can_open_level(user, report) -> bool:
    """A province's reviewers and approvers may open its level round from its national report."""
    return report.round.owner_id is None and report.unit_id in unit_ids(user, (UnitRole.REVIEWER, UnitRole.APPROVER))
