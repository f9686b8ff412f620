"""Reading cells of a checked workbook into what a person would have typed in the browser.

The draft keeps text as typed, so a number read from Excel becomes the text the browser shows for it
("1.234", "70,5"); a choice becomes its value, several choices a list, a date "dd/mm/yyyy". Formulas
are never evaluated: a formula in a cell that takes input is a problem, and cached results of formulas
(which anyone can write into a file) are never read.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from io import BytesIO
from typing import Any

import openpyxl

from baocao06.core.vietnamese import format_number
from baocao06.definitions import cells

from . import sheets

NUMERIC = {"integer", "money", "number", "percent"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SPLIT = re.compile(r"[;,\n]")


class FormulaInCell(Exception):
    def __init__(self, formula: str):
        self.formula = formula[:60]
        super().__init__(self.formula)


def open_workbook(data: bytes):
    """openpyxl in read-only mode: streams sheets, keeps no VBA, follows no external link."""
    return openpyxl.load_workbook(BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False)


def read_meta(book) -> dict[str, Any] | None:
    if sheets.META_SHEET not in book.sheetnames:
        return None
    meta: dict[str, Any] = {}
    for row in book[sheets.META_SHEET].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
        if row and isinstance(row[0], str):
            meta[row[0]] = row[1] if len(row) > 1 else None
    try:
        meta["parts"] = json.loads(meta.get("parts") or "{}")
    except (TypeError, ValueError):
        meta["parts"] = {}
    if not isinstance(meta["parts"], dict):
        meta["parts"] = {}
    return meta


def rows(ws, max_col: int):
    """(Excel row number, cells) for every row of a sheet, `max_col` columns wide (0-based last column)."""
    for number, row in enumerate(ws.iter_rows(min_row=1, max_col=max_col + 1), start=1):
        padded = tuple(row) + (None,) * (max_col + 1 - len(row))
        yield number, padded


def value_of(cell) -> Any:
    return None if cell is None else cell.value


def is_formula(cell) -> bool:
    return cell is not None and getattr(cell, "data_type", None) == "f"


def key_of(cell) -> str:
    value = value_of(cell)
    if value is None or is_formula(cell):
        return ""
    return str(value).strip()


def clean_text(text: str) -> str:
    # Control characters other than tab and line breaks cannot be stored or shown; NUL included.
    return _CONTROL.sub("", text)


def _decimal(cell, value: int | float) -> Decimal:
    if isinstance(value, float):
        # Binary noise from Excel arithmetic (0.30000000000000004) is not what anyone typed.
        number = Decimal(repr(round(value, 9)))
    else:
        number = Decimal(value)
    if "%" in (getattr(cell, "number_format", "") or ""):
        number *= 100  # "3,5%" typed in Excel is stored as 0.035 with a percent format
    return number.normalize() if number != number.to_integral_value() else number.to_integral_value()


def as_text(cell) -> str:
    """A cell as a person reads it: numbers the Vietnamese way, dates dd/mm/yyyy."""
    value = value_of(cell)
    if value is None:
        return ""
    if is_formula(cell):
        raise FormulaInCell(str(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value)
        number = _decimal(cell, value)
        return format_number(number)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time(0) else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.time | dt.timedelta):
        return str(value)
    return clean_text(str(value))


def raw_for(column: dict, cell) -> Any:
    """What the browser would send for this cell: text as typed, a choice's value, a list of values."""
    kind = column["type"]
    value = value_of(cell)
    if is_formula(cell):
        raise FormulaInCell(str(value))
    if kind == "multichoice":
        if value is None:
            return []
        text = as_text(cell)
        chosen = []
        for item in _SPLIT.split(text):
            if not item.strip():
                continue
            parsed = cells.parse({**column, "type": "choice"}, item)
            if parsed.error:
                return text  # kept as typed; the engine says which labels are allowed
            if parsed.value not in chosen:
                chosen.append(parsed.value)
        return chosen
    if value is None:
        return ""
    if kind == "choice":
        text = as_text(cell).strip()
        parsed = cells.parse(column, text)
        return parsed.value if parsed.value is not None and not parsed.error else text
    # A code or a year typed in a text column reads as written, not grouped ("2024", not "2.024").
    whole = isinstance(value, int) or (isinstance(value, float) and math.isfinite(value) and value == int(value))
    if kind not in NUMERIC and whole and not isinstance(value, bool):
        return str(int(value))
    return as_text(cell)


def shown_value(column: dict, cell) -> str:
    """A locked cell's content in the form `cells.display` gives, to compare with what was exported."""
    value = value_of(cell)
    if value is None:
        return ""
    if is_formula(cell):
        return "=" + str(value).lstrip("=")
    if column["type"] in NUMERIC and isinstance(value, int | float) and not isinstance(value, bool):
        return cells.display(column, _decimal(cell, value))
    text = as_text(cell).strip()
    if column["type"] in NUMERIC:
        parsed = cells.parse(column, text)
        return cells.display(column, parsed.value) if parsed.value is not None and not parsed.error else text
    return " ".join(text.split())
