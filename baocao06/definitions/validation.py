"""The one validation engine: the browser form, the Excel import and the API all call this.

A report is made of parts: narrative sections (`{"fields": {key: text}}`) and tables
(`{"rows": [{"key", "group", "values": {column: typed}}]}`). Drafts store what was typed;
`clean_table` parses it, computes formula columns and totals, and checks column types and
rules; `final=True` adds what only submission requires (required cells and fields).
Every problem names its place: section and field, or table, row and column.

Formulas may read the round's context: `baseline` (the same cell in the round's baseline figures)
and `settings` (the round's figures such as the average income, read with `setting('name')`).
Callers get both from `baocao06.rounds.settings.engine_context(round)`, so that the browser, the
Excel import and the API compute the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from . import cells
from .layout import Section, TableView, UnitView

Baseline = Callable[[str, str, str], Any]  # (table, row, column) → value or None
Settings = Mapping[str, Any]  # setting name → value (the round's compile settings)
FREE_ROW_KEY = re.compile(r"^n[A-Za-z0-9_-]{1,40}$")


@dataclass
class Problem:
    """One thing wrong, with where it is. `place` is the Vietnamese rendering of the location."""

    code: str
    message: str
    part: str
    severity: str = "error"
    field: str | None = None
    row: str | None = None
    row_label: str | None = None
    column: str | None = None
    column_label: str | None = None
    place: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Ignored:
    """A value the engine did not take (computed or read-only cell, unknown column), and why."""

    part: str
    row: str | None
    column: str
    reason: str


@dataclass
class RowResult:
    key: str
    group: str
    number: str | None
    label: str
    fixed: bool
    heading: bool
    level: int
    raw: dict[str, Any]
    values: dict[str, Any]
    editable: set[str]
    problems: list[Problem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return all(cells.is_blank(self.raw.get(k)) for k in self.editable)


@dataclass
class TableResult:
    view: TableView
    rows: list[RowResult]
    totals: list[dict]
    problems: list[Problem]
    ignored: list[Ignored]

    def row(self, key: str) -> RowResult | None:
        return next((r for r in self.rows if r.key == key), None)


def _section_place(section: Section, label: str | None = None) -> str:
    place = f"Mục {section.key}"
    return f"{place} › {label}" if label else place


def _row_place(table_key: str, row: RowResult | None, column: dict | None) -> str:
    place = table_key
    if row is not None:
        number = f" {row.number}" if row.number else ""
        label = (row.label or "").strip()
        short = (label[:60] + "…") if len(label) > 60 else label
        place += f" › dòng{number}" + (f" «{short}»" if short else "")
    if column is not None:
        place += f" › cột «{column['label']}»"
    return place


def _table_problem(result_key, code, message, row=None, column=None, severity="error") -> Problem:
    return Problem(
        code=code,
        message=message,
        part=result_key,
        severity=severity,
        row=row.key if row else None,
        row_label=row.label if row else None,
        column=column["key"] if column else None,
        column_label=column["label"] if column else None,
        place=_row_place(result_key, row, column),
    )


# --- Sections ---------------------------------------------------------------------------------


def clean_section(section: Section, data: Mapping | None, *, final: bool = False) -> tuple[dict, list[Problem]]:
    """Clean a narrative part; unknown fields are dropped, too-long text is an error."""
    typed = (data or {}).get("fields") or {}
    clean: dict[str, str] = {}
    problems: list[Problem] = []
    for spec in section.fields:
        raw = typed.get(spec["key"])
        text = "" if raw is None else str(raw).replace("\r\n", "\n").strip()
        clean[spec["key"]] = text
        place = _section_place(section, spec["label"])
        if len(text) > spec.get("max_length", 50_000):
            problems.append(Problem("too_long", "Nội dung quá dài.", section.key, field=spec["key"], place=place))
        if final and spec.get("required") and not text:
            problems.append(Problem("required", "Chưa nhập nội dung.", section.key, field=spec["key"], place=place))
    return clean, problems


# --- Tables -----------------------------------------------------------------------------------


def _rows_in_order(view: TableView, typed_rows: list[Mapping]) -> tuple[list[tuple[Any, Mapping]], list[Problem]]:
    """Pair each fixed row of the view with its typed values, then free rows per group in typed order."""
    problems: list[Problem] = []
    by_key: dict[str, Mapping] = {}
    free: dict[str, list[Mapping]] = {g: [] for g in view.free_groups}
    for typed in typed_rows:
        if not isinstance(typed, Mapping):
            continue
        key = str(typed.get("key") or "")
        if key in view.fixed_rows:
            by_key[key] = typed
        elif FREE_ROW_KEY.match(key) and typed.get("group") in free:
            free[typed["group"]].append(typed)
        elif key in view.table.row_index:
            pass  # a row of the table that does not address this unit: not theirs to fill
        else:
            problems.append(
                Problem("unknown_row", f"Dòng “{key[:40]}” không thuộc phụ lục này.", view.key, row=key, place=view.key)
            )
    ordered: list[tuple[Any, Mapping]] = []
    for group in view.groups:
        for row in group.rows:
            ordered.append((row, by_key.get(row.key, {})))
        for typed in free.get(group.group.key, []):
            ordered.append((group, typed))
    return ordered, problems


def clean_table(
    view: TableView,
    data: Mapping | None,
    *,
    final: bool = False,
    baseline: Baseline | None = None,
    settings: Settings | None = None,
) -> TableResult:
    """Parse, compute and check a table part against the rows that address the unit."""
    table = view.table
    typed_rows = (data or {}).get("rows") or []
    pairs, problems = _rows_in_order(view, typed_rows if isinstance(typed_rows, list) else [])
    rows: list[RowResult] = []
    ignored: list[Ignored] = []
    free_counts: dict[str, int] = {}
    for source, typed in pairs:
        row = _clean_row(table, source, typed, baseline, settings, ignored)
        if not row.fixed:
            if row.is_empty:
                continue  # an empty free row carries nothing
            free_counts[row.group] = free_counts.get(row.group, 0) + 1
        rows.append(row)
        if not row.heading:
            row.problems += _check_row(view, row, final, settings)
        problems += row.problems
    for group_key, count in free_counts.items():
        limit = table.group_index[group_key].max_free_rows
        if count > limit:
            problems.append(
                _table_problem(view.key, "too_many_rows", f"Nhóm {group_key} có {count} dòng, tối đa {limit} dòng.")
            )
    totals = [_total(table, spec, rows, settings) for spec in table.totals]
    return TableResult(view, rows, totals, problems, ignored)


def _clean_row(
    table, source, typed: Mapping, baseline: Baseline | None, settings: Settings | None, ignored: list[Ignored]
) -> RowResult:
    fixed = not hasattr(source, "free_rows")
    typed_values = typed.get("values") if isinstance(typed.get("values"), Mapping) else {}
    label_key = table.label_column["key"]
    if fixed:
        key, group, number, label, heading, level = (
            source.key,
            source.group,
            source.number,
            source.label,
            source.heading,
            source.level,
        )
    else:
        key, group, number, heading, level = str(typed["key"]), source.group.key, None, False, 1
        label = str(typed_values.get(label_key) or "").strip()
    row = RowResult(key, group, number, label, fixed, heading, level, raw={}, values={}, editable=set())
    if heading:
        return row

    for column in table.columns:
        ckey = column["key"]
        readonly = fixed and (column.get("role") == "label" or column.get("item_field") or ckey in source.values)
        if readonly:
            row.values[ckey] = label if column.get("role") == "label" else _item_value(source, column)
            if ckey in typed_values and column.get("role") != "label":
                ignored.append(Ignored(table.key, key, ckey, "ô lấy từ danh mục, không sửa được"))
            continue
        if column.get("formula"):
            continue  # computed below
        row.editable.add(ckey)
        raw = typed_values.get(ckey)
        row.raw[ckey] = raw
        parsed = cells.parse(column, raw)
        row.values[ckey] = parsed.value
        if parsed.error:
            row.problems.append(_table_problem(table.key, "invalid", _capital(parsed.error) + ".", row, column))

    lookup = (lambda col: baseline(table.key, key, col)) if baseline else None
    for ckey in table.formula_order:
        column = table.column_index[ckey]
        value = table.formulas[ckey].evaluate(row.values, lookup, settings)
        if value is None and column.get("fallback") == "typed":
            row.editable.add(ckey)
            raw = typed_values.get(ckey)
            row.raw[ckey] = raw
            parsed = cells.parse(column, raw)
            if parsed.error:
                row.problems.append(_table_problem(table.key, "invalid", _capital(parsed.error) + ".", row, column))
            value = parsed.value
        elif ckey in typed_values and not cells.is_blank(typed_values.get(ckey)):
            ignored.append(Ignored(table.key, key, ckey, "ô tính tự động, giá trị nhập bị bỏ qua"))
        row.values[ckey] = value
    for ckey in typed_values:
        if ckey not in table.column_index:
            ignored.append(Ignored(table.key, key, ckey, "cột không có trong phụ lục"))
    return row


def _item_value(source, column: dict):
    field_name = column.get("item_field") or column["key"]
    return source.values.get(field_name, source.values.get(column["key"]))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_row(view: TableView, row: RowResult, final: bool, settings: Settings | None = None) -> list[Problem]:
    table = view.table
    problems: list[Problem] = []
    invalid = {p.column for p in row.problems}
    if final:
        for column in table.columns:
            empty = (
                column["key"] in row.editable and column["key"] not in invalid and row.values.get(column["key"]) is None
            )
            if empty and (column.get("required") or (not row.fixed and column.get("role") == "label")):
                problems.append(_table_problem(table.key, "required", "Chưa nhập.", row, column))
    for rule, when, check in table.compiled_rules:
        if when is not None and not when.evaluate(row.values, settings=settings):
            continue
        targets = rule.get("columns")
        if check is not None and check.evaluate(row.values, settings=settings) is False:
            names = targets or sorted(check.names, key=list(table.column_index).index)[:1]
            for name in names:
                problems.append(
                    _table_problem(
                        table.key,
                        f"rule:{rule['key']}",
                        rule["message"],
                        row,
                        table.column_index[name],
                        rule.get("severity", "error"),
                    )
                )
        for name in rule.get("require") or []:
            if not cells.is_blank(row.values.get(name)):
                continue
            if name in invalid:
                continue
            column = table.column_index[(targets or [name])[0]] if targets else table.column_index[name]
            problems.append(
                _table_problem(
                    table.key, f"rule:{rule['key']}", rule["message"], row, column, rule.get("severity", "error")
                )
            )
    return problems


def _total(table, spec: dict, rows: list[RowResult], settings: Settings | None = None) -> dict:
    values: dict[str, Any] = {}
    for ckey in spec["sum"]:
        numbers = [Decimal(str(r.values[ckey])) for r in rows if not r.heading and r.values.get(ckey) is not None]
        values[ckey] = sum(numbers, Decimal(0)) if numbers else None
    for ckey in table.formula_order:
        if set(table.formulas[ckey].names) <= set(values) and not table.formulas[ckey].baseline_names:
            values[ckey] = table.formulas[ckey].evaluate(values, settings=settings)
    return {"key": spec["key"], "label": spec["label"], "values": values}


# --- Whole report -----------------------------------------------------------------------------


def clean_part(view: UnitView, key: str, data: Mapping | None, *, final=False, baseline=None, settings=None):
    """Clean one part (a section or a table) of the unit's report; returns (clean, problems)."""
    if key in view.table_index:
        result = clean_table(view.table_index[key], data, final=final, baseline=baseline, settings=settings)
        return result, result.problems
    section = view.layout.section_index.get(key)
    if section is None or not view.is_part(key):
        raise KeyError(key)
    return clean_section(section, data, final=final)


def validate_report(
    view: UnitView, parts: Mapping[str, Mapping], *, final=True, baseline=None, settings=None
) -> list[Problem]:
    """Every problem of a report, in outline order then appendix order."""
    problems: list[Problem] = []
    for key in view.part_keys:
        _, part_problems = clean_part(view, key, parts.get(key), final=final, baseline=baseline, settings=settings)
        problems += part_problems
    return problems


def blocking(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def summary_counts(section: Section, result: TableResult | None) -> list[dict]:
    """The counts a section shows from a table (I.2 from PL01), computed from the unit's rows."""
    from . import expressions

    counts = []
    for count in section.summary["counts"]:
        expr = expressions.parse(count["where"])
        rows = result.rows if result else []
        number = sum(1 for r in rows if not r.heading and not r.is_empty and expr.evaluate(r.values))
        counts.append({"key": count["key"], "label": count["label"], "count": number})
    return counts


def table_content(result: TableResult) -> dict:
    """The canonical, JSON-ready content of a cleaned table (what a submitted version keeps)."""
    return {
        "rows": [
            {
                "key": r.key,
                "group": r.group,
                "values": {k: cells.to_json(v) for k, v in r.values.items() if v is not None},
            }
            for r in result.rows
            if not r.heading
        ],
        "totals": [
            {"key": t["key"], "values": {k: cells.to_json(v) for k, v in t["values"].items() if v is not None}}
            for t in result.totals
        ],
    }


def report_content(view: UnitView, parts: Mapping[str, Mapping], baseline=None, settings=None) -> dict:
    """The canonical content of a whole report: sections' texts and tables' values."""
    sections: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    for key in view.part_keys:
        if key in view.table_index:
            result = clean_table(view.table_index[key], parts.get(key), baseline=baseline, settings=settings)
            tables[key] = table_content(result)
        else:
            clean, _ = clean_section(view.layout.section_index[key], parts.get(key))
            sections[key] = {"fields": {k: v for k, v in clean.items() if v}}
    return {"sections": sections, "tables": tables}


def check_for_submission(
    view: UnitView, parts: Mapping[str, Mapping], *, baseline=None, settings=None
) -> tuple[list[Problem], dict]:
    """`validate_report(final=True)` and `report_content` in one pass: each part is cleaned once.

    `final` only adds problems (required cells and fields), never changes a value, so the content
    of the final cleaning is the content of the ordinary one.
    """
    problems: list[Problem] = []
    sections: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    for key in view.part_keys:
        if key in view.table_index:
            table = view.table_index[key]
            result = clean_table(table, parts.get(key), final=True, baseline=baseline, settings=settings)
            tables[key] = table_content(result)
            problems += result.problems
        else:
            clean, section_problems = clean_section(view.layout.section_index[key], parts.get(key), final=True)
            sections[key] = {"fields": {k: v for k, v in clean.items() if v}}
            problems += section_problems
    return problems, {"sections": sections, "tables": tables}
