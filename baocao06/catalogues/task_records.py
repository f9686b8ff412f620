"""Tasks as records: rows of task tables become `Task`s with a stable code, and a new round gets each
unit's open tasks of the previous round carried over, keyed by that code.

Which tables, which columns and what "open" means are the definition's (`tasks` block of a table,
definitions/taskrows.py); nothing here knows an appendix by name.
"""

from __future__ import annotations

from baocao06.core import clock
from baocao06.definitions import taskrows
from baocao06.definitions.cells import deadline_date
from baocao06.reports.models import Report, ReportPart
from baocao06.units.models import Unit

from .models import Task, TaskRow, TaskSource

CODE_PREFIX = "NV"


def task_code(unit_key: str, number: int) -> str:
    return f"{CODE_PREFIX}-{unit_key}-{number:04d}"


def row_key_for(code: str) -> str:
    return f"n{code}"


def _free_rows(table_view, content: dict) -> list[dict]:
    rows = ((content.get("tables") or {}).get(table_view.key) or {}).get("rows") or []
    return [r for r in rows if r.get("key") not in table_view.table.row_index]


def _fill(task: Task, table, values: dict) -> None:
    for name, column in (table.tasks.get("record") or {}).items():
        value = taskrows.typed(table.column_index[column], values.get(column))
        if name == "result":
            task.last_result = str(value)[:32]
        else:
            setattr(task, name, str(value or "") if name != "title" else str(value or "").strip() or "(chưa đặt tên)")
    task.due_date = deadline_date(task.due)
    task.is_open = taskrows.is_open(table, values)
    task.can_be_overdue = taskrows.can_be_overdue(table, values)


def record_tasks(report: Report, view, content: dict) -> int:
    """Record the task rows of a submitted version (inside the submission's transaction).

    A row already recorded for this report, or carried over with key `n<code>`, updates its task;
    any other row creates a task with the unit's next code. Returns the number of rows recorded.
    """
    tables = [tv for tv in view.tables if (tv.table.tasks or {}).get("record")]
    if not tables:
        return 0
    unit = Unit.objects.select_for_update().get(pk=report.unit_id)  # codes are numbered per unit
    known = {(r.table, r.row_key): r.task for r in TaskRow.objects.filter(report=report).select_related("task")}
    by_code = {t.code: t for t in Task.objects.filter(unit=unit, source=TaskSource.UNIT)}
    number = max((t.position for t in by_code.values()), default=0)  # codes are never reused
    changed: list[Task] = []
    created: list[tuple[str, str, Task]] = []
    mapped: list[tuple[str, str, Task]] = []
    for table_view in tables:
        table = table_view.table
        for row in _free_rows(table_view, content):
            key = row["key"]
            task = known.get((table.key, key))
            if task is None and key.startswith(f"n{CODE_PREFIX}-"):
                task = by_code.get(key[1:])
                if task is not None:
                    mapped.append((table.key, key, task))
            if task is None:
                number += 1
                task = Task(
                    code=task_code(unit.key, number),
                    source=TaskSource.UNIT,
                    unit=unit,
                    first_round_id=report.round_id,
                    group=str(row.get("group") or "")[:8],
                    position=number,
                )
                created.append((table.key, key, task))
            else:
                changed.append(task)
            _fill(task, table, row.get("values") or {})
            task.last_report = report
            task.active = True
    Task.objects.bulk_create([t for _, _, t in created])
    if changed:
        fields = ["title", "documents", "lead", "coordinating", "due", "due_date", "last_result", "is_open"]
        Task.objects.bulk_update(changed, [*fields, "can_be_overdue", "last_report", "active"])
    TaskRow.objects.bulk_create(
        [TaskRow(report=report, table=t, row_key=k, task=task) for t, k, task in created + mapped]
    )
    return len(created) + len(changed)


def carry_over_tasks(round_, previous, units=None) -> dict[str, int]:
    """Prefill each unit's task tables in `round_` (only `units`' when given) with its open tasks of
    `previous` (its last submitted version there), as draft rows keyed by the task's code. Returns
    {unit key: rows}.

    The reports stay "not started": nothing was typed yet; the rows are where the unit starts from.
    """
    if previous is None:
        return {}
    layout, previous_layout = round_.get_layout(), previous.get_layout()
    tables = [t for t in layout.tables if (t.tasks or {}).get("carry_over") and t.key in previous_layout.table_index]
    reports = round_.reports.select_related("unit")
    if units is not None:
        reports = reports.filter(unit__in=list(units))
    reports = {r.unit_id: r for r in reports}
    counts: dict[str, int] = {}
    parts: list[ReportPart] = []
    now = clock.now()
    for table in tables:
        previous_fixed = previous_layout.table_index[table.key].row_index
        recorded = TaskRow.objects.filter(report__round=previous, table=table.key)
        codes = {(r, k): code for r, k, code in recorded.values_list("report_id", "row_key", "task__code")}
        sent = Report.objects.filter(round=previous, unit_id__in=list(reports), current_version__isnull=False)
        for previous_id, unit_id, data in sent.values_list(
            "pk", "unit_id", f"current_version__content__tables__{table.key}"
        ):
            report = reports[unit_id]
            view = layout.view_for(report.unit).table_index.get(table.key)
            if view is None or not view.free_groups:
                continue
            rows = []
            for row in (data or {}).get("rows") or []:
                code = codes.get((previous_id, row.get("key")))
                if row.get("key") in previous_fixed or code is None:
                    continue  # catalogue rows come from the catalogue; a row never recorded has no identity
                if not taskrows.is_open(table, row.get("values") or {}):
                    continue
                group = row.get("group") if row.get("group") in view.free_groups else next(iter(view.free_groups))
                rows.append(taskrows.carried_row(table, row, row_key_for(code), group))
            if rows:
                parts.append(ReportPart(report=report, key=table.key, data={"rows": rows}, revision=1, updated_at=now))
                counts[report.unit.key] = counts.get(report.unit.key, 0) + len(rows)
    ReportPart.objects.bulk_create(parts)
    return counts
