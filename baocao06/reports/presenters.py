"""Render-ready views of report parts for templates and autosave responses.

Nothing here decides validity: it arranges what the validation engine returned (values,
computed cells, problems) into rows and cells a template can loop over.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from baocao06.definitions import cells, taskrows
from baocao06.definitions.layout import Section, TableView, UnitView
from baocao06.definitions.validation import Problem, RowResult, TableResult, clean_section, clean_table, summary_counts


@dataclass
class Cell:
    column: dict
    kind: str  # input | computed | readonly | label
    value: Any = ""
    display: str = ""
    errors: list[str] = field(default_factory=list)
    comments: list = field(default_factory=list)  # review remarks anchored to this cell
    note: str = ""  # computed remark shown with the value (e.g. "Quá hạn 45 ngày")
    aside: str = ""  # the same row's value in another table (`compare_with`), shown under the cell
    # A province's consolidated figure (issue 13): "tổng hợp từ N xã: X", linking to its drill-down.
    consolidated: str = ""
    consolidated_anchor: str = ""

    @property
    def key(self) -> str:
        return self.column["key"]

    @property
    def widget(self) -> str:
        kind = self.column["type"]
        if kind == "choice":
            return "select"
        if kind == "multichoice":
            return "multiselect"
        if kind == "text":
            return "textarea"
        if kind in {"integer", "money", "number", "percent"}:
            return "number"
        return "text"

    @property
    def selected(self) -> list[str]:
        if isinstance(self.value, list):
            return [str(v) for v in self.value]
        return [str(self.value)] if self.value not in (None, "") else []


@dataclass
class RowView:
    key: str
    group: str
    number: str | None
    label: str
    fixed: bool
    heading: bool
    level: int
    cells: list[Cell]
    errors: list[str]
    comments: list = field(default_factory=list)  # review remarks anchored to the row as a whole
    task_code: str = ""  # the task this row is (tables whose rows are task records)
    task_from: str = ""  # the unit that reported the task before a merger ("Hà Giang" in Tuyên Quang's report)


@dataclass
class GroupGrid:
    key: str
    number: str | None
    title: str | None
    free_rows: bool
    rows: list[RowView]
    blank: RowView | None  # template of a new free row


@dataclass
class HeaderCell:
    label: str
    colspan: int = 1
    rowspan: int = 1
    unit: str | None = None
    hint: str | None = None


@dataclass
class TableGrid:
    view: TableView
    header: list[list[HeaderCell]]
    groups: list[GroupGrid]
    totals: list[dict]
    problems: list[Problem]

    @property
    def table(self):
        return self.view.table


def header_rows(table) -> list[list[HeaderCell]]:
    """One or two header rows: grouped columns share a spanning cell above them."""
    group_of = {}
    for group in table.header:
        for key in group["columns"]:
            group_of[key] = group
    two_levels = bool(group_of)
    top: list[HeaderCell] = [HeaderCell("STT", rowspan=2 if two_levels else 1)]
    bottom: list[HeaderCell] = []
    seen_groups = set()
    for column in table.columns:
        group = group_of.get(column["key"])
        cell = HeaderCell(column["label"], unit=column.get("unit"), hint=column.get("hint"))
        if group is None:
            cell.rowspan = 2 if two_levels else 1
            top.append(cell)
        else:
            if id(group) not in seen_groups:
                seen_groups.add(id(group))
                top.append(HeaderCell(group["label"], colspan=len(group["columns"])))
            bottom.append(cell)
    return [top, bottom] if two_levels else [top]


def _cell(table, row: RowResult, column: dict, errors: dict) -> Cell:
    key = column["key"]
    value = row.values.get(key)
    if column.get("role") == "label" and row.fixed:
        kind = "label"
    elif key in row.editable:
        kind = "input"
    elif column.get("formula"):
        kind = "computed"
    else:
        kind = "readonly"
    raw = row.raw.get(key) if kind == "input" else value
    if kind == "input" and raw is not None and column["type"] in {"integer", "money", "number", "percent"}:
        raw = cells.display(column, value) if value is not None else raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        raw = cells.display(column, raw)
    return Cell(column, kind, "" if raw is None else raw, cells.display(column, value), errors.get(key, []))


def row_view(table, row: RowResult) -> RowView:
    errors: dict[str, list[str]] = {}
    row_errors = []
    for problem in row.problems:
        if problem.column:
            errors.setdefault(problem.column, []).append(problem.message)
        else:
            row_errors.append(problem.message)
    cells_ = [] if row.heading else [_cell(table, row, c, errors) for c in table.columns]
    return RowView(row.key, row.group, row.number, row.label, row.fixed, row.heading, row.level, cells_, row_errors)


def _task_notes(table, row: RowResult, view_row: RowView, reference, task_codes, task_origins=None) -> None:
    """Overdue computed from the due date (never typed) and the task's code, for task tables."""
    if not table.tasks or row.heading:
        return
    view_row.task_code = (task_codes or {}).get(row.key, "")
    view_row.task_from = (task_origins or {}).get(view_row.task_code, "")
    if reference is None:
        return
    days = taskrows.overdue_days(table, row.values, reference)
    if days:
        due = table.tasks["due"]
        for cell in view_row.cells:
            if cell.key == due:
                cell.note = f"Quá hạn {days} ngày"


def table_grid(
    view: TableView,
    result: TableResult,
    *,
    reference=None,
    new_row_values=None,
    task_codes=None,
    task_origins=None,
) -> TableGrid:
    """The grid of a table; for task tables, `reference` (the round's cut-off) marks overdue tasks,
    `task_codes` names the rows' tasks, and `new_row_values` prefill a row the unit adds."""
    table = view.table
    by_group: dict[str, list[RowView]] = {}
    for row in result.rows:
        shown = row_view(table, row)
        _task_notes(table, row, shown, reference, task_codes, task_origins)
        by_group.setdefault(row.group, []).append(shown)
    # Problems attached to rows are shown at the row; the list under the table shows them all.
    groups = []
    for group in view.groups:
        blank = None
        if group.free_rows:
            blank_row = RowResult(
                "",
                group.group.key,
                None,
                "",
                False,
                False,
                1,
                raw=dict(new_row_values or {}),
                values={},
                editable={c["key"] for c in table.columns if table.is_input(c)},
            )
            blank = row_view(table, blank_row)
        groups.append(
            GroupGrid(
                group.group.key,
                group.group.number,
                group.group.title,
                group.free_rows,
                by_group.get(group.group.key, []),
                blank,
            )
        )
    totals = [
        {
            "key": t["key"],
            "label": t["label"],
            "cells": [
                {
                    "key": c["key"],
                    "value": cells.display(c, t["values"].get(c["key"])) if c["key"] in t["values"] else "",
                }
                for c in table.columns
            ],
        }
        for t in result.totals
    ]
    return TableGrid(view, header_rows(table), groups, totals, result.problems)


def attach_comparisons(grids: list[TableGrid], results: dict[str, TableResult]) -> None:
    """Under a cell whose column says `compare_with: TABLE.column`, show that table's value for the
    same row (PL03/PL04 typed savings beside the savings CP27 computes), when there is one."""
    for grid in grids:
        columns = {c["key"]: c["compare_with"] for c in grid.table.columns if c.get("compare_with")}
        if not columns:
            continue
        for group in grid.groups:
            for row in group.rows:
                for cell in row.cells:
                    if cell.key in columns:
                        cell.aside = _compared(results, columns[cell.key], row.key)


def _compared(results: dict[str, TableResult], target: str, row_key: str) -> str:
    table_key, column_key = target.rsplit(".", 1)
    result = results.get(table_key)
    row = result.row(row_key) if result else None
    value = row.values.get(column_key) if row else None
    if value is None:
        return ""
    column = result.view.table.column_index[column_key]
    return f"{result.view.table.label} tính: {cells.display(column, value)}"


def submitted_values(result: TableResult, data: dict) -> TableResult:
    """A submitted version shows the computed values it was sent with (settings may change later)."""
    stored = {r.get("key"): r.get("values") or {} for r in data.get("rows") or []}
    computed = [c for c in result.view.table.columns if c.get("formula")]
    for row in result.rows:
        values = stored.get(row.key, {})
        for column in computed:
            if column["key"] not in row.editable:
                row.values[column["key"]] = values.get(column["key"])
    totals = {t.get("key"): t.get("values") or {} for t in data.get("totals") or []}
    for total in result.totals:
        if total["key"] in totals:
            total["values"] = dict(totals[total["key"]])
    return result


@dataclass
class SectionForm:
    section: Section
    values: dict[str, str]
    problems: list[Problem]
    summary: list[dict] | None = None

    def field_errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for problem in self.problems:
            errors.setdefault(problem.field or "", []).append(problem.message)
        return errors


def section_form(view: UnitView, section: Section, data: dict | None, *, final=False) -> SectionForm:
    values, problems = clean_section(section, data, final=final) if section.fields else ({}, [])
    return SectionForm(section, values, problems)


def summary_for(view: UnitView, section: Section, parts: dict, context: dict | None = None) -> list[dict] | None:
    if not section.summary or section.summary["table"] not in view.table_index:
        return None
    result = clean_table(
        view.table_index[section.summary["table"]], parts.get(section.summary["table"]), **(context or {})
    )
    return summary_counts(section, result)


def computed_payload(result: TableResult) -> dict:
    """What the browser updates after an autosave: computed cells, totals, problems per cell."""
    table = result.view.table
    computed = {}
    for row in result.rows:
        values = {c["key"]: cells.display(c, row.values.get(c["key"])) for c in table.columns if c.get("formula")}
        editable = sorted(k for k in row.editable if table.column_index[k].get("formula"))
        computed[row.key] = {"values": values, "editable": editable}
    totals = [
        {"key": t["key"], "values": {k: cells.display(table.column_index[k], v) for k, v in t["values"].items()}}
        for t in result.totals
    ]
    return {"computed": computed, "totals": totals}


def version_sections(view: UnitView, content: dict, reference=None) -> dict:
    """A submitted version laid out for reading: section texts and table grids."""
    sections = []
    for section in view.sections():
        fields = (content.get("sections", {}).get(section.key) or {}).get("fields", {})
        sections.append(
            {
                "section": section,
                "fields": [(f["label"], fields.get(f["key"], "")) for f in section.fields],
                "keyed_fields": [(f["label"], fields.get(f["key"], ""), f["key"]) for f in section.fields],
            }
        )
    tables = []
    for table_view in view.tables:
        data = content.get("tables", {}).get(table_view.key) or {}
        result = submitted_values(clean_table(table_view, {"rows": data.get("rows", [])}), data)
        tables.append(table_grid(table_view, result, reference=reference))
    return {"sections": sections, "tables": tables}
