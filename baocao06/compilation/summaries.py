"""What the national compile reads of a submitted version besides its numbers, summarised once.

A version never changes. Its tasks (the open ones with what the national list shows of them, and the
counts of each counted answer), its answers to the tracker and the names its own service rows were
given are the same at every
compile of the round, yet reading them back from the version's ~1,400 value rows cost a national
compile ~1.5 s of PostgreSQL and ~0.5 s of Python on every run (docs/operations.md). So the summary is
made when the version is submitted, from the very value rows stored with it (`values.store`), and
kept in `VersionSummary`; the compile reads ~2,900 small summaries instead.

`summarise(rows, layout)` is the only place that derives a summary, from value rows in
`values.FIELDS` order. A version without a summary for the round's key (bulk-loaded data, a version
submitted before summaries existed) is summarised at compile time from its value rows read back
(`read`), with the same function, so the national tables never depend on whether summaries were
stored (the engine's tests compile both ways and compare). `prepare` stores the missing ones.

The summary (JSON, `FORMAT` 1):

    {"tasks": {"names": [column…],            # the columns `open` holds, sorted
               "rows": n,                      # rows of the tasks' table (counted by their label)
               "counts": [[column, answer, n]…],   # each counted column's answers (`task_counts`)
               "open": [[position, value…]…]},     # the open tasks, a value per name (null if none)
     "tracker": {"counts": [[row, answer, n]…],   # the tracker's `result` answers by row
                 "answers": [[row, result, cause]…]},  # what the tracker lists: answers other than
                                                      # `done`, the lead rows' answers, every cause
     "free_labels": [[table, merge key, text]…],  # distinct names of the unit's own service rows
     "service_tables": [table…],  # the service tables it gives the `total` of at least one row in
     "ranked": {column: "sum"}}   # its sums of the services' total, online and savings (rankings)

Numbers are written as text with four decimals (the column's scale, as the database gives them back)
and read back as `Decimal`.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from baocao06.definitions import expressions, taskrows

from .models import PartKind, VersionSummary, VersionValue

# Bump it whenever a stored summary would come out otherwise: a change here, in `values.value_tuples`
# or `merge_key`, in what `taskrows.is_open` decides, or in the value rows themselves (a data migration
# like compilation 0003). Summaries of another format are then made again (`read`, `prepare`).
FORMAT = 1
SCALE = Decimal("0.0001")
# Positions in a value row (values.FIELDS).
VERSION, PART, ROW, MERGE, POSITION, COLUMN, NUMBER, TEXT = 0, 3, 4, 6, 7, 8, 9, 10


def summary_key(layout_hash: str) -> str:
    """What a summary depends on besides its version: the round's frozen layout and this format."""
    return hashlib.sha256(f"{FORMAT}\n{layout_hash}".encode()).hexdigest()


class _Plan:
    """What a layout's compilation block asks a summary for."""

    def __init__(self, layout):
        block = layout.compilation or {}
        key = block.get("tasks")
        self.tasks = layout.table_index[key] if key else None
        self.counted = set(block.get("task_counts") or [])
        self.names: list[str] = []
        self.label = None
        if self.tasks is not None:
            spec = self.tasks.tasks or {}
            self.label = self.tasks.label_column["key"]
            if spec.get("record") or spec.get("open"):
                wanted = set(dict(spec.get("record") or {}).values()) | {spec.get("due")} - {None}
                for source in (spec.get("open"), spec.get("overdue")):
                    if source:
                        wanted |= expressions.parse(source).names
                self.names = sorted(wanted)
        tracker = block.get("tracker") or {}
        self.tracker = layout.table_index[tracker["table"]] if tracker else None
        self.result, self.cause, self.done = tracker.get("result"), tracker.get("cause"), tracker.get("done")
        self.lead_rows = {
            row.key
            for group in (self.tracker.groups if self.tracker else [])
            for row in group.rows
            if any(t.startswith("unit:") for t in (row.audience or []))
        }
        services = block.get("services") or {}
        self.service_total = services.get("total")
        self.ranked = frozenset(services[c] for c in ("total", "online", "savings") if services.get(c))
        self.service_tables = frozenset(services.get("tables") or [])
        self.service_labels = {
            key: layout.table_index[key].label_column["key"]
            for key in services.get("tables") or []
            if layout.table_index[key].label_column
        }

    def rows_filter(self) -> Q:
        """The value rows a summary is made from (the rest of a version is never looked at)."""
        chosen = Q(pk__in=[])
        if self.tasks is not None:
            columns = self.counted | set(self.names) | {self.label}
            chosen |= Q(part=self.tasks.key, column__in=sorted(columns))
        if self.tracker is not None:
            chosen |= Q(part=self.tracker.key, column__in=sorted({self.result, self.cause} - {None}))
        for table, label in self.service_labels.items():
            chosen |= Q(part=table, column=label, merge_key__startswith="~")
        if self.service_total:
            chosen |= Q(part__in=sorted(self.service_tables), column=self.service_total)
        if self.ranked:
            chosen |= Q(part__in=sorted(self.service_tables), column__in=sorted(self.ranked), number__isnull=False)
        return Q(kind=PartKind.TABLE) & chosen


def summarise(rows, layout, plan: _Plan | None = None) -> dict:
    """The summary of one version from its value rows (values.FIELDS order; other rows are ignored)."""
    plan = plan or _Plan(layout)
    task_key = plan.tasks.key if plan.tasks is not None else None
    tracker_key = plan.tracker.key if plan.tracker is not None else None
    results: Counter = Counter()
    answers: dict[str, dict] = defaultdict(dict)
    names = set(plan.names)
    counts: Counter = Counter()
    task_rows = 0
    tasks: dict[str, dict] = defaultdict(dict)
    positions: dict[str, int] = {}
    labels: set[tuple[str, str, str]] = set()
    service_tables: set[str] = set()
    ranked: dict[str, Decimal] = {}
    for row in rows:
        if row[2] != PartKind.TABLE:
            continue
        part, column, number = row[PART], row[COLUMN], row[NUMBER]
        if number is not None:  # as the database keeps it (numeric with four decimals, half away from zero)
            number = number.quantize(SCALE, ROUND_HALF_UP)
        if part == task_key:
            if column in plan.counted:
                counts[(column, row[TEXT])] += 1
            if column == plan.label:
                task_rows += 1
            if column in names:
                tasks[row[ROW]][column] = row[TEXT] if number is None else number
                positions.setdefault(row[ROW], row[POSITION])
        # Not `elif`: a definition may use one table for several of these (its tasks and its tracker).
        if part == tracker_key:
            if column == plan.result:
                results[(row[ROW], row[TEXT])] += 1
                if row[TEXT] != plan.done or row[ROW] in plan.lead_rows:
                    answers[row[ROW]]["result"] = row[TEXT]
            elif column == plan.cause:
                answers[row[ROW]]["cause"] = row[TEXT]
        if part in plan.service_tables:
            if column == plan.service_total:
                service_tables.add(part)
            if column in plan.ranked and number is not None:
                ranked[column] = ranked.get(column, 0) + number
            if column == plan.service_labels.get(part) and row[MERGE].startswith("~"):
                labels.add((part, row[MERGE], row[TEXT]))
    open_tasks = []
    if plan.names:
        for key, values in tasks.items():
            if taskrows.is_open(plan.tasks, values):
                open_tasks.append([positions[key], *(_dump(values.get(name)) for name in plan.names)])
        open_tasks.sort(key=lambda task: task[0])
    return {
        "tasks": {
            "names": plan.names,
            "rows": task_rows,
            "counts": sorted([column, text, n] for (column, text), n in counts.items()),
            "open": open_tasks,
        },
        "tracker": {
            "counts": sorted([key, text, n] for (key, text), n in results.items()),
            "answers": sorted([key, found.get("result"), found.get("cause")] for key, found in answers.items()),
        },
        "free_labels": sorted(list(label) for label in labels),
        "service_tables": sorted(service_tables),
        "ranked": {column: _dump(total)["n"] for column, total in sorted(ranked.items())},
    }


def _dump(value):
    if isinstance(value, Decimal):
        return {"n": format(value.quantize(SCALE), "f")}
    return value


def load_value(value):
    """A task's value as the compile uses it (numbers back to `Decimal`)."""
    if isinstance(value, dict):
        return Decimal(value["n"])
    return value


def read(version_ids: list[int], layout, layout_hash: str) -> dict[int, dict]:
    """Every version's summary: stored, else made now from its value rows (nothing is written)."""
    key = summary_key(layout_hash)
    found = dict(VersionSummary.objects.filter(version_id__in=version_ids, key=key).values_list("version_id", "data"))
    missing = [pk for pk in version_ids if pk not in found]
    if missing:
        found.update(_made(missing, layout))
    return found


def _made(version_ids: list[int], layout) -> dict[int, dict]:
    """The summaries of `version_ids` made from their value rows, a version at a time as the rows
    stream in (a national round's 1.4 million rows are never held at once)."""
    from .values import FIELDS

    plan = _Plan(layout)
    made: dict[int, dict] = {}
    current, found = None, []
    for row in (
        VersionValue.objects.filter(version_id__in=version_ids)
        .filter(plan.rows_filter())
        .order_by("version_id", "id")  # each version's rows as they were written: `summarise`'s order
        .values_list(*FIELDS)
        .iterator(chunk_size=5000)
    ):
        if row[VERSION] != current:
            if current is not None:
                made[current] = summarise(found, layout, plan)
            current, found = row[VERSION], []
        found.append(row)
    if current is not None:
        made[current] = summarise(found, layout, plan)
    for pk in version_ids:  # a version with none of the rows a summary reads
        if pk not in made:
            made[pk] = summarise([], layout, plan)
    return made


def summary_of(version_id: int, rows, layout, layout_hash: str) -> VersionSummary:
    """The (unsaved) summary of a version from the value rows being stored with it."""
    return VersionSummary(version_id=version_id, key=summary_key(layout_hash), data=summarise(rows, layout))


def store(version_id: int, rows, layout, layout_hash: str) -> None:
    """Keep the summary of a version being submitted (inside its transaction, with its value rows)."""
    summary_of(version_id, rows, layout, layout_hash).save(force_insert=True)


def prepare(version_ids: list[int], layout, layout_hash: str) -> int:
    """Store the summaries missing among `version_ids` (data loaded in bulk, versions from before
    summaries); returns how many were made."""
    key = summary_key(layout_hash)
    have = set(VersionSummary.objects.filter(version_id__in=version_ids, key=key).values_list("version_id", flat=True))
    made = _made([pk for pk in version_ids if pk not in have], layout)
    VersionSummary.objects.bulk_create(
        [VersionSummary(version_id=pk, key=key, data=data) for pk, data in made.items()],
        batch_size=500,
        ignore_conflicts=True,
    )
    return len(made)
