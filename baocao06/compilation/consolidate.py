"""A province's (ministry's) figures consolidated from its accepted lower units (issue 13).

The level round's accepted reports are the children; their current versions' `VersionValue` rows give,
in one aggregate-sized read, every figure of a column the definition marks `consolidate: sum` on a fixed
row (a sum, how many children it rests on, each child's value for the drill-down), how many task rows
each child has (counted, never copied), and — on request — the children's paragraphs of a section.

Nothing here writes: `consolidation_actions.py` takes the figures into the province's draft.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import Round
from baocao06.units.kinds import UnitKind

from .models import PartKind, VersionValue


@dataclass
class Child:
    report_id: int
    unit_id: int
    key: str
    name: str
    kind: str
    version_id: int
    number: int


@dataclass
class Figure:
    table: str
    row: str
    column: str
    total: Decimal = Decimal(0)
    n: int = 0  # how many children's figures the sum rests on
    by_unit: dict[int, Decimal] = field(default_factory=dict)

    @property
    def children(self) -> int:
        return self.n


@dataclass
class Consolidation:
    level_round: Round
    children: list[Child]
    figures: dict[tuple[str, str, str], Figure]
    task_rows: dict[str, dict[int, int]]  # table → unit → number of task (free) rows
    outstanding: int  # lower units assigned whose report is not accepted

    def basis(self) -> dict[str, int]:
        """Which version of each child the figures come from (stored beside a draft that takes them)."""
        return {str(c.unit_id): c.version_id for c in self.children}

    def values(self) -> dict[str, str]:
        """Every figure as "table|row|column" → its sum as text (stored to show what changed)."""
        return {"|".join(k): _plain(f.total) for k, f in self.figures.items()}

    def label(self) -> str:
        """ "tổng hợp từ N xã" (or "N đơn vị" when the children are of several kinds)."""
        return children_label(self.children)


def children_label(children) -> str:
    return figure_label(children, len(children))


def figure_label(children, n: int) -> str:
    """ "tổng hợp từ N xã" for a figure resting on `n` of `children` ("đơn vị" when of several kinds)."""
    kinds = {c.kind for c in children}
    noun = "xã" if kinds == {UnitKind.COMMUNE} else "đơn vị"
    return f"tổng hợp từ {n} {noun}"


def _plain(number: Decimal) -> str:
    text = format(number.normalize(), "f")
    return text


def consolidated_columns(layout) -> dict[str, list[str]]:
    """Table → the columns the definition marks as reported below (`consolidate: sum`)."""
    out = {}
    for table in layout.tables:
        keys = [c["key"] for c in table.columns if c.get("consolidate") == "sum"]
        if keys:
            out[table.key] = keys
    return out


def task_tables(layout) -> list[str]:
    """Tables whose rows the units add themselves (tasks): counted per child, never copied."""
    return [t.key for t in layout.tables if any(g.free_rows for g in t.groups)]


def level_round_for(round_: Round, unit) -> Round | None:
    """The level round whose children consolidate into `unit`'s report in `round_` (or `round_` itself
    when it is `unit`'s level round)."""
    if round_.owner_id == unit.pk:
        return round_
    return Round.objects.light().filter(parent=round_, owner=unit).first()


CHILD_FIELDS = ("pk", "unit_id", "unit__key", "unit__name", "unit__kind")
CHILD_FIELDS += ("current_version_id", "current_version__number")


def accepted_children(level_round: Round) -> list[Child]:
    rows = (
        Report.objects.filter(round=level_round, status=ReportStatus.ACCEPTED, current_version__isnull=False)
        .order_by("unit__kind_order", "unit__sort_key")
        .values_list(*CHILD_FIELDS)
    )
    return [Child(*row) for row in rows]


def consolidate(level_round: Round, *, drill: bool = True) -> Consolidation:
    """The owner's consolidated figures from the accepted children: the sums and counts in one SQL
    aggregate, or, with the drill-down (`drill`), one read of each child's figure from which the sums
    and counts are made; 4 queries whatever their number."""
    layout = level_round.get_layout()
    children = accepted_children(level_round)
    by_version = {c.version_id: c.unit_id for c in children}
    columns = consolidated_columns(layout)
    figures: dict[tuple[str, str, str], Figure] = {}
    if children and columns:
        wanted = Q()
        for table, keys in columns.items():
            wanted |= Q(part=table, column__in=keys)
        values = (
            VersionValue.objects.filter(version_id__in=list(by_version), kind=PartKind.TABLE, number__isnull=False)
            .filter(wanted)
            .filter(merge_key=F("row"))  # fixed rows only: a free row is the child's own, not a shared figure
        )
        if drill:
            # One read of each child's figure; the sums and counts are made from it (no second query).
            for version_id, part, row, column, number in values.values_list(
                "version_id", "part", "row", "column", "number"
            ).order_by():
                figure = figures.get((part, row, column))
                if figure is None:
                    figure = figures[(part, row, column)] = Figure(part, row, column)
                figure.by_unit[by_version[version_id]] = number
                figure.total += number
                figure.n += 1
        else:
            for part, row, column, total, n in (
                values.values_list("part", "row", "column").annotate(total=Sum("number"), n=Count("id")).order_by()
            ):
                figures[(part, row, column)] = Figure(part, row, column, total, n=n)
    task_rows: dict[str, dict[int, int]] = defaultdict(dict)
    tasks = task_tables(layout)
    if children and tasks:
        pairs = (
            VersionValue.objects.filter(version_id__in=list(by_version), kind=PartKind.TABLE, part__in=tasks)
            .filter(merge_key__startswith="~")
            .values_list("version_id", "part", "row")
            .distinct()
        )
        for version_id, part, _row in pairs:
            unit_id = by_version[version_id]
            task_rows[part][unit_id] = task_rows[part].get(unit_id, 0) + 1
    outstanding = level_round.reports.exclude(status=ReportStatus.ACCEPTED).count()
    return Consolidation(level_round, children, figures, dict(task_rows), outstanding)


def paragraphs(level_round: Round, section: str, *, query: str = "", unit_key: str = "", limit: int = 200):
    """The accepted children's paragraphs of one section (source material beside the province's field):
    `(field, unit name, unit key, text)`, filtered by a child and by words in the text."""
    children = {c.version_id: c for c in accepted_children(level_round)}
    if unit_key:
        children = {v: c for v, c in children.items() if c.key == unit_key}
    values = VersionValue.objects.filter(version_id__in=list(children), kind=PartKind.SECTION, part=section)
    if query:
        values = values.filter(text__icontains=query)
    out = []
    for version_id, column, text in values.order_by("column", "version_id").values_list("version_id", "column", "text")[
        :limit
    ]:
        child = children[version_id]
        out.append({"field": column, "unit": child.name, "unit_key": child.key, "text": text})
    return out


def as_json(consolidation: Consolidation, unit) -> dict:
    """The `consolidate` command's output (docs/data-formats.md, "Consolidation")."""
    children = {c.unit_id: c for c in consolidation.children}
    return {
        "round": consolidation.level_round.parent_id or consolidation.level_round.pk,
        "level_round": consolidation.level_round.pk,
        "unit": unit.key,
        "children": [
            {"unit": c.key, "name": c.name, "kind": c.kind, "version": c.version_id, "number": c.number}
            for c in consolidation.children
        ],
        "outstanding": consolidation.outstanding,
        "figures": [
            {
                "table": f.table,
                "row": f.row,
                "column": f.column,
                "value": _plain(f.total),
                "children": f.children,
                "by_child": {children[u].key: _plain(v) for u, v in sorted(f.by_unit.items())},
            }
            for f in sorted(consolidation.figures.values(), key=lambda f: (f.table, f.row, f.column))
        ],
        "task_rows": {
            table: {children[u].key: n for u, n in sorted(counts.items())}
            for table, counts in sorted(consolidation.task_rows.items())
        },
    }
