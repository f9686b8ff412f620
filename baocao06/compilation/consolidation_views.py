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


@login_required
@require_GET
def level_figures(request, round_id: int):
    """The national drill-down from a province to its lower units (Secretariat and viewers): each
    consolidated figure of the province's report in the national round beside the sum over its accepted
    communes (departments) of the level round, and each one's figure."""
    from django.http import Http404

    from baocao06.reports.access import require_viewer
    from baocao06.reports.models import Report
    from baocao06.rounds.models import Round

    require_viewer(request.user)
    level = Round.objects.light().select_related("owner", "parent").filter(pk=round_id).first()
    if level is None or level.owner_id is None or level.parent_id is None:
        deny(request.user, "level_figures", round_id)
        raise Http404
    layout = level.get_layout()
    result = consolidate(level)
    names = {c.unit_id: c.name for c in result.children}
    report = Report.objects.filter(round_id=level.parent_id, unit_id=level.owner_id).first()
    own = _draft_values_of_version(report, consolidated_columns(layout)) if report else {}
    tables = []
    for table_key, keys in consolidated_columns(layout).items():
        table = layout.table_index[table_key]
        lines = []
        for group in table.groups:
            for row in group.rows:
                if row.heading:
                    continue
                for column in keys:
                    figure = result.figures.get((table_key, row.key, column))
                    lines.append(
                        {
                            "id": f"{table_key}-{row.key}-{column}",
                            "row": row,
                            "column": table.column_index[column],
                            "figure": figure,
                            "own": own.get((table_key, row.key, column)),
                            "label": children_label(
                                [c for c in result.children if figure and c.unit_id in figure.by_unit]
                            ),
                            "drill": sorted(((names[u], v) for u, v in figure.by_unit.items()), key=lambda x: x[0])
                            if figure
                            else [],
                        }
                    )
        tables.append({"table": table, "lines": lines})
    context = {"level": level, "round": level.parent, "result": result, "tables": tables, "report": report}
    return render(request, "compilation/level_figures.html", context)


def _draft_values_of_version(report, columns: dict) -> dict:
    """The province's figures of the consolidated columns in the version it sent (its draft if none)."""
    from django.db.models import Q

    from .models import PartKind, VersionValue

    if report.current_version_id is None:
        out = {}
        for table, keys in columns.items():
            for row_key, values in _draft_values(report, table).items():
                for column in keys:
                    if values.get(column) not in (None, ""):
                        out[(table, row_key, column)] = values[column]
        return out
    wanted = Q()
    for table, keys in columns.items():
        wanted |= Q(part=table, column__in=keys)
    rows = VersionValue.objects.filter(
        version_id=report.current_version_id, kind=PartKind.TABLE, number__isnull=False
    ).filter(wanted)
    return {(p, r, c): n for p, r, c, n in rows.values_list("part", "row", "column", "number")}
