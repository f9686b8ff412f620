"""Edits refused because the part had moved on (`PartConflict`): the refused copy beside the stored
version with the differences marked, and settling it — keep the stored version, keep mine, or save a
merge of the two.

A refused copy is never deleted: settling only marks it resolved (it stays readable from the report
page), and saving mine or a merge goes through `do_save_part` on top of the stored revision, so an
edit that is itself stale is refused and kept again like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.definitions import cells
from baocao06.review.diff import Paragraph, text_diff

from .models import PartConflict, Report, ReportPart

KEEP_CHOICES = ("theirs", "mine", "merge")


class ConflictGone(Exception):
    """The refused copy was already settled (by this person in another tab, say)."""


# --- Side by side -------------------------------------------------------------------------------


@dataclass
class FieldSide:
    key: str
    label: str
    mine: str
    theirs: str
    paragraphs: list[Paragraph]  # from the stored text (old) to mine (new)

    @property
    def same(self) -> bool:
        return self.mine == self.theirs


@dataclass
class CellSide:
    row: str
    row_label: str
    column: str
    column_label: str
    mine: str
    theirs: str

    @property
    def pick_name(self) -> str:
        return f"pick:{self.row}:{self.column}"


@dataclass
class RowSide:
    row: str
    label: str
    side: str  # "mine" | "theirs": the only version that has the row
    values: list[tuple[str, str]]

    @property
    def keep_name(self) -> str:
        return f"keep:{self.row}"


@dataclass
class Comparison:
    conflict: PartConflict
    current: ReportPart | None
    title: str
    is_table: bool
    fields: list[FieldSide] = field(default_factory=list)
    cells: list[CellSide] = field(default_factory=list)
    rows: list[RowSide] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return any(not f.same for f in self.fields) or bool(self.cells or self.rows)

    @property
    def moved_on(self) -> bool:
        """The stored version changed again after the refusal (the comparison is with the newest)."""
        return bool(self.current and self.current.revision != self.conflict.current_revision)


def _shown(column: dict, value: Any) -> str:
    """A typed value as people read it: choices by their label."""
    if cells.is_blank(value):
        return ""
    labels = {c["value"]: c["label"] for c in column.get("choices") or []}
    if isinstance(value, list):
        return "; ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def _rows(data: dict) -> dict[str, dict]:
    return {str(r.get("key")): r for r in (data or {}).get("rows") or [] if r.get("key")}


def _row_label(table_view, key: str, mine: dict | None, theirs: dict | None) -> str:
    fixed = table_view.fixed_rows.get(key)
    if fixed is not None:
        return f"{fixed.number}. {fixed.label}" if fixed.number else fixed.label
    label = table_view.table.label_column["key"]
    for row in (mine, theirs):
        text = ((row or {}).get("values") or {}).get(label)
        if not cells.is_blank(text):
            return str(text)
    return "(dòng mới, chưa có tên)"


def _input_columns(table) -> list[dict]:
    return [c for c in table.columns if table.is_input(c)]


def compare(view, conflict: PartConflict) -> Comparison:
    """The refused copy (mine) beside the part as stored now (theirs)."""
    current = (
        ReportPart.objects.filter(report_id=conflict.report_id, key=conflict.key).select_related("updated_by").first()
    )
    mine, theirs = conflict.data or {}, current.data if current else {}
    if conflict.key in view.table_index:
        table_view = view.table_index[conflict.key]
        table = table_view.table
        result = Comparison(conflict, current, f"{table.label}: {table.title}", True)
        mine_rows, their_rows = _rows(mine), _rows(theirs)
        for key in [*their_rows, *(k for k in mine_rows if k not in their_rows)]:
            a, b = their_rows.get(key), mine_rows.get(key)
            label = _row_label(table_view, key, b, a)
            if a is None or b is None:
                present = b if a is None else a
                values = [
                    (c["label"], _shown(c, (present.get("values") or {}).get(c["key"])))
                    for c in _input_columns(table)
                    if not cells.is_blank((present.get("values") or {}).get(c["key"]))
                ]
                result.rows.append(RowSide(key, label, "mine" if a is None else "theirs", values))
                continue
            for column in _input_columns(table):
                old, new = (a.get("values") or {}).get(column["key"]), (b.get("values") or {}).get(column["key"])
                if (cells.is_blank(old) and cells.is_blank(new)) or old == new:
                    continue
                result.cells.append(
                    CellSide(key, label, column["key"], column["label"], _shown(column, new), _shown(column, old))
                )
        return result
    section = view.layout.section_index[conflict.key]
    result = Comparison(conflict, current, section.heading, False)
    mine_fields, their_fields = mine.get("fields") or {}, theirs.get("fields") or {}
    for spec in section.fields:
        a, b = str(their_fields.get(spec["key"]) or ""), str(mine_fields.get(spec["key"]) or "")
        result.fields.append(FieldSide(spec["key"], spec["label"], b, a, text_diff(a, b)))
    return result


def merged(view, comparison: Comparison, post) -> dict:
    """The part as the person merged it: texts as edited; for a table each differing cell from the
    side picked (mine unless told) and each row only one side has, if ticked."""
    conflict = comparison.conflict
    if not comparison.is_table:
        mine = (conflict.data or {}).get("fields") or {}
        return {"fields": {f.key: post.get(f"f:{f.key}", mine.get(f.key, "")) for f in comparison.fields}}
    mine_rows = _rows(conflict.data)
    their_rows = _rows(comparison.current.data if comparison.current else {})
    picks = {(c.row, c.column): post.get(c.pick_name, "mine") for c in comparison.cells}
    kept = {r.row for r in comparison.rows if post.get(r.keep_name) == "1"}
    rows = []
    for key in [*their_rows, *(k for k in mine_rows if k not in their_rows)]:
        a, b = their_rows.get(key), mine_rows.get(key)
        if a is None or b is None:
            if key in kept:
                rows.append(b if a is None else a)
            continue
        values = dict(a.get("values") or {})
        for column, value in (b.get("values") or {}).items():
            if picks.get((key, column), "mine") == "mine":
                values[column] = value
        row = {"key": key, "values": values}
        if a.get("group") or b.get("group"):
            row["group"] = b.get("group") or a.get("group")
        rows.append(row)
    return {"rows": rows}


# --- Which are open -------------------------------------------------------------------------------


def open_conflicts(report: Report, user) -> list[PartConflict]:
    """The person's unsettled refused copies on this report: the newest of each part."""
    newest: dict[str, PartConflict] = {}
    for conflict in report.conflicts.filter(resolved=False, user=user).order_by("-created_at", "-pk"):
        newest.setdefault(conflict.key, conflict)
    return list(newest.values())


# --- Settling -------------------------------------------------------------------------------------


def settle(report: Report, key: str, actor, *, kept: str, source: str = "browser") -> list[int]:
    """Mark the person's open refused copies of this part resolved and audit it (inside the caller's
    transaction; the report row is already locked)."""
    open_ = list(
        PartConflict.objects.filter(report=report, key=key, resolved=False, user=actor).values_list("pk", flat=True)
    )
    if open_:
        PartConflict.objects.filter(pk__in=open_).update(resolved=True)
        record(
            "report.conflict_resolved",
            report,
            actor=actor,
            unit=report.unit,
            part=key,
            kept=kept,
            conflicts=open_,
            source=source,
        )
    return open_


def do_resolve_conflict(conflict: PartConflict, *, actor, keep: str, data: dict | None = None, base_revision=None):
    """Settle a refused edit: `theirs` keeps the stored version (nothing is written to the part);
    `mine` and `merge` save `data` on top of the stored revision `base_revision`, through
    `do_save_part` (a stale base is refused and kept again). Returns the save's result, or None."""
    from .actions import do_save_part

    if keep not in KEEP_CHOICES:
        raise ValueError(keep)
    if keep == "theirs":
        with transaction.atomic():
            locked = Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=conflict.report_id)
            if not settle(locked, conflict.key, actor, kept="theirs"):
                raise ConflictGone("Bản này đã được xử lý.")
        return None
    return do_save_part(conflict.report, conflict.key, data, base_revision=base_revision, actor=actor, resolving=keep)
