"""Cell types of report tables: parsing what people type, and showing stored values.

Drafts keep exactly what was typed (nothing a person types is lost, even "12a" in a number
column); `parse` turns a typed value into the canonical value of its column type or explains,
in Vietnamese, why it cannot.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from baocao06.core.vietnamese import format_number, parse_number


@dataclass(frozen=True)
class Parsed:
    value: Any
    error: str | None = None


def is_blank(raw: Any) -> bool:
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple):
        return len(raw) == 0
    return False


def parse(column: dict, raw: Any) -> Parsed:
    """Parse `raw` for a column of the layout (a dict as in the round's frozen layout)."""
    if is_blank(raw):
        return Parsed(None)
    kind = column["type"]
    parser = _PARSERS[kind]
    return parser(column, raw)


def _text(column, raw):
    text = str(raw).replace("\r\n", "\n").strip()
    limit = column.get("max_length", 4000)
    if len(text) > limit:
        return Parsed(text, f"dài quá {format_number(limit)} ký tự")
    return Parsed(text)


def _number(column, raw, *, whole: bool):
    try:
        value = parse_number(raw)
    except ValueError:
        return Parsed(None, f"“{str(raw).strip()[:40]}” không phải là số")
    if value is None:
        return Parsed(None)
    if whole and value != value.to_integral_value():
        return Parsed(None, "phải là số nguyên")
    decimals = column.get("decimals")
    if decimals is not None and not whole and -value.as_tuple().exponent > decimals:
        value = round(value, decimals)
    low, high = column.get("min"), column.get("max")
    if low is not None and value < Decimal(str(low)):
        return Parsed(None, f"không được nhỏ hơn {format_number(low)}")
    if high is not None and value > Decimal(str(high)):
        return Parsed(None, f"không được lớn hơn {format_number(high)}")
    return Parsed(int(value) if whole else value)


def _percent(column, raw):
    # "70,5%" and "70,5 %" are what people type in a percent column (browser, Excel, API alike).
    if isinstance(raw, str) and raw.strip().endswith("%"):
        parsed = _number(column, raw.strip()[:-1], whole=False)
        if parsed.error and parsed.value is None and "không phải là số" in parsed.error:
            return Parsed(None, f"“{raw.strip()[:40]}” không phải là số")
        return parsed
    return _number(column, raw, whole=False)


def _choice(column, raw):
    text = str(raw).strip()
    for choice in column["choices"]:
        if text == choice["value"] or text.casefold() == choice["label"].casefold():
            return Parsed(choice["value"])
    labels = ", ".join(f"“{c['label']}”" for c in column["choices"])
    return Parsed(None, f"“{text[:40]}” không có trong danh sách ({labels})")


def _multichoice(column, raw):
    items = raw if isinstance(raw, list | tuple) else re.split(r"[;,\n]", str(raw))
    values = []
    for item in items:
        if is_blank(item):
            continue
        parsed = _choice(column, item)
        if parsed.error:
            return Parsed(None, parsed.error)
        if parsed.value not in values:
            values.append(parsed.value)
    order = [c["value"] for c in column["choices"]]
    return Parsed(sorted(values, key=order.index) or None)


_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date(text: str) -> dt.date | None:
    text = text.strip()
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO.match(text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date(column, raw):
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date().isoformat())
    if isinstance(raw, dt.date):
        return Parsed(raw.isoformat())
    day = parse_date(str(raw))
    if day is None:
        return Parsed(None, f"“{str(raw).strip()[:40]}” không phải ngày dạng dd/mm/yyyy")
    return Parsed(day.isoformat())


def _deadline(column, raw):
    if isinstance(raw, dt.date):
        raw = raw.strftime("%d/%m/%Y")
    return _text({"max_length": 300}, raw)


_PARSERS = {
    "text": _text,
    "integer": lambda c, r: _number(c, r, whole=True),
    "money": lambda c, r: _number(c, r, whole=True),
    "number": lambda c, r: _number(c, r, whole=False),
    "percent": _percent,
    "choice": _choice,
    "multichoice": _multichoice,
    "date": _date,
    "deadline": _deadline,
}


def display(column: dict, value: Any) -> str:
    """A stored value as people read it (1.234.567; 70,3; “Hoàn thành”; 15/02/2024)."""
    if value is None or value == "" or value == []:
        return ""
    kind = column["type"]
    if kind in {"integer", "money"}:
        return format_number(value, 0)
    if kind == "percent":
        text = format_number(value, column.get("decimals", 2))
        return text.rstrip("0").rstrip(",") if "," in text else text
    if kind == "number":
        return format_number(value, column.get("decimals"))
    if kind == "choice":
        return next((c["label"] for c in column["choices"] if c["value"] == value), str(value))
    if kind == "multichoice":
        labels = {c["value"]: c["label"] for c in column["choices"]}
        return "; ".join(labels.get(v, str(v)) for v in value)
    if kind == "date":
        try:
            return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def to_json(value: Any) -> Any:
    """Canonical JSON form of a parsed value: integral numbers as int, others as float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- Deadlines ------------------------------------------------------------------------------

_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
_QUARTER = re.compile(r"qu[ýy]\s+(IV|III|II|I)\s*/\s*(\d{4})", re.IGNORECASE)
_MONTH = re.compile(r"th[áa]ng\s+(\d{1,2})\s*/\s*(\d{4})", re.IGNORECASE)
_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YEAR_RANGE = re.compile(r"\b(\d{4})\s*[-–]\s*(\d{4})\b")
_YEAR = re.compile(r"\b(20\d{2})\b")
_BEFORE_YEAR = re.compile(r"trước\s+năm\s+(\d{4})", re.IGNORECASE)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def deadline_date(text: str | None) -> dt.date | None:
    """The date a due time written in words falls on, or None when it has none.

    "Quý IV/2023" → 31/12/2023; "Tháng 9/2024" → 30/9/2024; "15/02/2024"; "2024" → 31/12/2024;
    "Trước năm 2025" → 31/12/2024; "2024-2025" → 31/12/2025. "Thường xuyên", "Theo lộ trình …"
    and "Từ Quý IV/2024" (a start, not an end) have no due date.
    """
    if not text:
        return None
    text = text.strip()
    lowered = text.lower()
    if lowered.startswith("từ ") or "thường xuyên" in lowered:
        return None
    if match := _BEFORE_YEAR.search(text):
        return dt.date(int(match.group(1)) - 1, 12, 31)
    if match := _DAY.search(text):
        try:
            return dt.date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
        except ValueError:
            return None
    if match := _QUARTER.search(text):
        quarter, year = _ROMAN[match.group(1).upper()], int(match.group(2))
        return _month_end(year, quarter * 3)
    if match := _MONTH.search(text):
        month, year = int(match.group(1)), int(match.group(2))
        return _month_end(year, month) if 1 <= month <= 12 else None
    if match := _YEAR_RANGE.search(text):
        return dt.date(int(match.group(2)), 12, 31)
    if match := _YEAR.fullmatch(text.replace("Năm", "").replace("năm", "").strip()):
        return dt.date(int(match.group(1)), 12, 31)
    return None


def is_recurring(text: str | None) -> bool:
    return bool(text) and "thường xuyên" in text.lower()
