"""Tasks as records: rows of task tables become `Task`s with a stable code, and a new round gets each
unit's open tasks of the previous round carried over, keyed by that code.

Which tables, which columns and what "open" means are the definition's (`tasks` block of a table,
definitions/taskrows.py); nothing here knows an appendix by name.
"""

from __future__ import annotations

from django.db.models import Max

from baocao06.core import clock, statements
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


def _predecessors(unit: Unit, day) -> list[int]:
    """Ids of the units that ended before `day` and whose successor chain reaches `unit`."""
    found, frontier = [], [unit.pk]
    while frontier:
        ended = list(
            Unit.objects.filter(successor_id__in=frontier, valid_to__lt=day)
            .exclude(pk__in=[*found, unit.pk])
            .values_list("pk", flat=True)
        )
        found += ended
        frontier = ended
    return found


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
    own = Task.objects.filter(unit=unit, source=TaskSource.UNIT)
    number = own.aggregate(n=Max("position"))["n"] or 0  # codes are never reused
    # Only the tasks this version carries over (rows keyed `n<code>`) are read, not every task the unit
    # ever had: a unit's tasks grow round after round, and this runs in every submission.
    carried = [
        row["key"][1:] for tv in tables for row in _free_rows(tv, content) if row["key"].startswith(f"n{CODE_PREFIX}-")
    ]
    by_code = {t.code: t for t in own.filter(code__in=carried)} if carried else {}
    # Tasks carried from the units this one succeeds keep their code and remember where they came from.
    predecessors = _predecessors(unit, report.round.reference_date) if carried else []
    if predecessors:
        for task in Task.objects.filter(unit__in=predecessors, source=TaskSource.UNIT, code__in=carried):
            by_code.setdefault(task.code, task)
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
                    if task.unit_id != unit.pk:
                        task.from_unit_id = task.from_unit_id or task.unit_id
                        task.unit = unit
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
        fields += ["can_be_overdue", "last_report", "active", "unit", "from_unit"]
        # One UPDATE per task through a statement built once (core.statements): `bulk_update`'s CASE
        # expressions over 13 columns cost a submission of ~12 task rows about 100 ms of CPU, at the
        # moment a deadline's submissions arrive together (QUALITY.md's surge).
        for task in changed:
            statements.update(task, fields)
    TaskRow.objects.bulk_create(
        [TaskRow(report=report, table=t, row_key=k, task=task) for t, k, task in created + mapped]
    )
    return len(created) + len(changed)


def carry_over_tasks(round_, previous, units=None) -> dict[str, int]:
    """Prefill each unit's task tables in `round_` (only `units`' when given) with the open tasks of
    `previous` (last submitted versions there) of the unit and of the units it succeeds on the
    round's date (Hà Giang and Tuyên Quang → the new Tuyên Quang), as draft rows keyed by the task's
    code. Returns {unit key: rows}.

    The reports stay "not started": nothing was typed yet; the rows are where the unit starts from.
    """
    from baocao06.rounds.succession import SuccessionMap

    if previous is None:
        return {}
    layout, previous_layout = round_.get_layout(), previous.get_layout()
    tables = [t for t in layout.tables if (t.tasks or {}).get("carry_over") and t.key in previous_layout.table_index]
    reports = round_.reports.select_related("unit")
    if units is not None:
        reports = reports.filter(unit__in=list(units))
    reports = {r.unit_id: r for r in reports}
    successions = SuccessionMap(round_.reference_date)
    sent = Report.objects.filter(round=previous, current_version__isnull=False)
    targets = {
        unit_id: successions.target_pk(unit_id) for unit_id in sent.values_list("unit_id", flat=True)
    }  # previous unit → the unit answering for it in `round_`
    sources = [unit_id for unit_id, target in targets.items() if target in reports]
    counts: dict[str, int] = {}
    rows_for: dict[tuple[int, str], list[dict]] = {}
    for table in tables:
        previous_fixed = previous_layout.table_index[table.key].row_index
        recorded = TaskRow.objects.filter(report__round=previous, table=table.key)
        codes = {(r, k): code for r, k, code in recorded.values_list("report_id", "row_key", "task__code")}
        rows_sent = sent.filter(unit_id__in=sources).order_by("unit__kind_order", "unit__sort_key")
        for previous_id, unit_id, data in rows_sent.values_list(
            "pk", "unit_id", f"current_version__content__tables__{table.key}"
        ):
            report = reports[targets[unit_id]]
            view = layout.view_for(report.unit).table_index.get(table.key)
            if view is None or not view.free_groups:
                continue
            rows = rows_for.setdefault((report.unit_id, table.key), [])
            for row in (data or {}).get("rows") or []:
                code = codes.get((previous_id, row.get("key")))
                if row.get("key") in previous_fixed or code is None:
                    continue  # catalogue rows come from the catalogue; a row never recorded has no identity
                if not taskrows.is_open(table, row.get("values") or {}):
                    continue
                group = row.get("group") if row.get("group") in view.free_groups else next(iter(view.free_groups))
                rows.append(taskrows.carried_row(table, row, row_key_for(code), group))
    now = clock.now()
    parts: list[ReportPart] = []
    for (unit_id, key), rows in rows_for.items():
        if rows:
            report = reports[unit_id]
            parts.append(ReportPart(report=report, key=key, data={"rows": rows}, revision=1, updated_at=now))
            counts[report.unit.key] = counts.get(report.unit.key, 0) + len(rows)
    ReportPart.objects.bulk_create(parts)
    return counts
