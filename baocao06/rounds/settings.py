"""A round's settings for computing and compiling, and its baseline figures (12/2023).

Settings are the figures of Circular 02/2017/TT-VPCP art. 27 that formulas read with
`setting('name')` (the average monthly income and the working days and hours that divide it) and
the rule the national totals use for savings. Baseline figures are, per table and catalogue row, the
figures of 12/2023 that `baseline(column)` reads ("change vs 12/2023").

Both are stored on the round (`Round.compile_settings`, `Round.baseline`) and read only through
`round_settings` and `baseline_figures`; `engine_context` hands them to the validation engine, so the
browser, the Excel import and the API compute the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from baocao06.definitions.spec import FORMULA_SETTINGS

DEFAULTS: dict[str, Any] = {
    "income_per_month": 4_960_000,
    "working_days": 22,
    "working_hours": 8,
    "savings_rule": "typed",
}
# How national totals count savings of a service: what units typed, what CP27 computes, or typed
# where a unit typed it and computed otherwise.
SAVINGS_RULES = {
    "typed": "Số tiết kiệm đơn vị nhập",
    "computed": "Số tiết kiệm hệ thống tính theo Điều 27 Thông tư 02/2017/TT-VPCP",
    "typed_else_computed": "Số đơn vị nhập; nếu đơn vị không nhập thì dùng số hệ thống tính",
}
LABELS = {
    "income_per_month": "Thu nhập bình quân một tháng (đồng)",
    "working_days": "Số ngày làm việc một tháng",
    "working_hours": "Số giờ làm việc một ngày",
    "savings_rule": "Số tiết kiệm dùng khi tổng hợp toàn quốc",
}


class InvalidSettings(ValueError):
    """Settings or baseline figures that cannot be used; `problems` maps a name to its message."""

    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def _positive(value) -> int | Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite() or number <= 0:
        return None
    return int(number) if number == number.to_integral_value() else number


def clean_settings(data: Mapping[str, Any]) -> dict:
    """Checked settings, defaults filled in; raises InvalidSettings naming each bad value."""
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in sorted(set(data) - set(DEFAULTS)):
        problems[name] = "thiết lập không tồn tại"
    for name in FORMULA_SETTINGS:
        number = _positive(data.get(name, DEFAULTS[name]))
        if number is None:
            problems[name] = "phải là số dương"
        else:
            clean[name] = number if isinstance(number, int) else float(number)
    rule = data.get("savings_rule", DEFAULTS["savings_rule"])
    if rule not in SAVINGS_RULES:
        problems["savings_rule"] = "phải là một trong: " + ", ".join(SAVINGS_RULES)
    else:
        clean["savings_rule"] = rule
    if problems:
        raise InvalidSettings(problems)
    return clean


def round_settings(round_) -> dict:
    """The round's settings with the defaults merged in (numbers as int or Decimal)."""
    merged = dict(DEFAULTS)
    merged.update({k: v for k, v in (round_.compile_settings or {}).items() if k in DEFAULTS})
    for name in FORMULA_SETTINGS:
        number = _positive(merged[name])
        merged[name] = DEFAULTS[name] if number is None else number
    if merged["savings_rule"] not in SAVINGS_RULES:
        merged["savings_rule"] = DEFAULTS["savings_rule"]
    return merged


def income_per_hour(settings: Mapping[str, Any]) -> Decimal:
    """Average income per hour: monthly income ÷ working days ÷ working hours (not rounded)."""
    return (
        Decimal(str(settings["income_per_month"]))
        / Decimal(str(settings["working_days"]))
        / Decimal(str(settings["working_hours"]))
    )


def baseline_figures(round_) -> dict:
    """{table: {row: {column: int}}}: the 12/2023 figures entered for the round ({} when none)."""
    figures: dict[str, dict[str, dict[str, int]]] = {}
    for table, rows in (round_.baseline or {}).items():
        for row, values in (rows or {}).items():
            kept = {c: v for c, v in (values or {}).items() if isinstance(v, int) and not isinstance(v, bool)}
            if kept:
                figures.setdefault(table, {})[row] = kept
    return figures


def baseline_tables(layout) -> list[tuple[Any, list[str], list[Any]]]:
    """Tables whose formulas read `baseline(...)`: (table, the typed columns the baseline needs,
    the catalogue rows that can have one). PL03 and PL04 of the 4709 definition: total and online."""
    found = []
    for table in layout.tables:
        wanted = set()
        for formula in table.formulas.values():
            for name in formula.baseline_names:
                wanted |= _inputs(table, name, set())
        rows = [r for g in table.groups for r in g.rows if not r.heading]
        if wanted and rows:
            found.append((table, [c["key"] for c in table.columns if c["key"] in wanted], rows))
    return found


def _inputs(table, column: str, seen: set[str]) -> set[str]:
    formula = table.formulas.get(column)
    if formula is None:
        return {column}
    if column in seen:
        return set()
    seen.add(column)
    result: set[str] = set()
    for name in formula.names:
        result |= _inputs(table, name, seen)
    return result


def baseline_lookup(round_):
    """`baseline(table, row, column)` for the engine: a stored figure, or a computed column (rate)
    evaluated over the stored figures of its row; None when the round has no figure."""
    figures = baseline_figures(round_)
    if not figures:
        return None
    layout = round_.get_layout()

    def lookup(table_key: str, row_key: str, column: str):
        row = figures.get(table_key, {}).get(row_key)
        if not row:
            return None
        if column in row:
            return row[column]
        table = layout.table_index.get(table_key)
        formula = table.formulas.get(column) if table else None
        if formula is None or formula.baseline_names:
            return None
        return formula.evaluate(row)

    return lookup


def engine_context(round_) -> dict:
    """Keyword arguments for clean_table/clean_part/validate_report/report_content: the round's
    baseline and settings. Every caller uses this, so browser, Excel and API agree."""
    settings = round_settings(round_)
    return {"baseline": baseline_lookup(round_), "settings": {k: settings[k] for k in FORMULA_SETTINGS}}
