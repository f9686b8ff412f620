"""The national workbook's sheet per unit: the unit's own appendix tables as its snapshot version holds them.

Sheet names come from unit keys (`P01`, `X00004`): Excel allows 31 characters, no []:*?/\\, and names
are unique regardless of case; a clash gets a numbered suffix.
"""

from __future__ import annotations

import re

from .rows import Label

INVALID = re.compile(r"[\[\]:*?/\\]")
RESERVED = {"history"}  # Excel reserves this sheet name
NUMERIC = {"integer", "money", "number", "percent"}
WHOLE = {"integer", "money"}
PROGRESS_EVERY = 100


def sheet_name(key: str, taken: set[str]) -> str:
    """A unique (case-insensitive, within `taken`, which it updates) Excel sheet name for a unit key."""
    base = INVALID.sub("_", str(key)).strip("'").strip() or "DV"
    base = base[:31]
    name, n = base, 1
    while name.casefold() in taken or name.casefold() in RESERVED:
        n += 1
        suffix = f"~{n}"
        name = base[: 31 - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


class TablePlan:
    """How one appendix is laid out on a unit sheet: STT, the row label, then the unit's own columns."""

    def __init__(self, table):
        self.table = table
        self.label_key = table.label_column["key"]
        self.columns = [c for c in table.columns if not c.get("item_field") and c["key"] != self.label_key]
        heading = f"PHỤ LỤC {table.number}" + (f" (“{table.printed_as}”)" if table.printed_as else "")
        self.title = Label(f"{heading}. {table.title}")
        self.header = [(Label("STT"), "header"), (Label(table.label_column["label"]), "header")] + [
            (Label(c["label"] + (f" ({c['unit']})" if c.get("unit") else "")), "header") for c in self.columns
        ]
        self.groups = {g.key: g for g in table.groups}
        self.fixed = table.row_index
        self.plan = [(c["key"], *self._kind(c)) for c in self.columns]

    @staticmethod
    def _kind(column: dict) -> tuple[str, str, dict | None]:
        """(how, style, choice labels): how a value of the column is written."""
        kind = column["type"]
        if kind in NUMERIC:
            return "number", ("int" if kind in WHOLE else "dec"), None
        if kind in {"choice", "multichoice"}:
            return kind, "text", {c["value"]: c["label"] for c in column.get("choices") or []}
        return "text", "text", None

    def cells(self, row: dict, free_number: int) -> list:
        values = row.get("values") or {}
        fixed = self.fixed.get(row.get("key"))
        if fixed is not None:
            out = [(Label(fixed.number or ""), "stt"), (Label(fixed.label), "text")]
        else:
            out = [(Label(str(free_number)), "stt"), (str(values.get(self.label_key) or ""), "text")]
        for key, how, style, labels in self.plan:
            value = values.get(key)
            if value is None or value == "" or value == []:
                out.append(None)
            elif how == "number" and isinstance(value, int | float) and not isinstance(value, bool):
                out.append((value, style))
            elif how == "choice":
                out.append((Label(labels.get(value, str(value))), style))
            elif how == "multichoice":
                items = value if isinstance(value, list) else [value]
                out.append((Label("; ".join(labels.get(v, str(v)) for v in items)), style))
            else:
                out.append((str(value), "text"))
        return out


def write_unit_sheets(wb, unit_tables, *, start: float, end: float) -> None:
    """A sheet per unit, in the order of `unit_tables` (see `unit_tables.iter_unit_tables`)."""
    layout = wb.layout
    plans = {t.key: TablePlan(t) for t in layout.tables} if layout is not None else {}
    order = list(plans)
    info = {u.get("key"): u for u in wb.data.get("units") or []}
    total = max(len(info), 1)
    taken = {name.casefold() for name in _national_names()}
    for n, (unit_key, unit_name, tables) in enumerate(unit_tables):
        if n % PROGRESS_EVERY == 0:
            wb.progress(start + (end - start) * min(n / total, 1.0), f"Trang của đơn vị ({n}/{total})")
        name = sheet_name(unit_key, taken)
        sh = wb.sheet(name, [6, 48] + [16] * 12)
        sh.row([(Label(unit_name), "title")], height=20)
        unit = info.get(unit_key) or {}
        line = f"Mã: {unit_key}"
        if unit.get("version"):
            line += f" — lần gửi {unit['version']}" + (" (gửi muộn)" if unit.get("late") else "")
        if wb.provisional:
            line += " — TẠM TÍNH"
        sh.row([(line, "note")])
        sh.ws.freeze_panes(2, 2)
        for key in order:
            if tables.get(key):
                _table(sh, plans[key], tables[key])
        sh.finish()


def _table(sh, plan: TablePlan, rows: list[dict]) -> None:
    sh.row([])
    sh.row([(plan.title, "subtitle")])
    sh.row(plan.header, height=30)
    group = None
    free_number = 0
    for row in rows:
        if row.get("group") != group:
            group = row.get("group")
            spec = plan.groups.get(group)
            if spec is not None and spec.title:
                sh.row([(Label(spec.number or ""), "group"), (Label(spec.title), "group")])
            free_number = 0
        if row.get("key") not in plan.fixed:
            free_number += 1
        sh.row(plan.cells(row, free_number))


def _national_names() -> list[str]:
    from .xlsx import NATIONAL_SHEETS

    return list(NATIONAL_SHEETS)
