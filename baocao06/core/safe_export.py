"""Writing lists to CSV and XLSX so that no cell is ever read as a formula (OWASP CSV injection).

A text cell that begins with = + - @ tab, carriage return or NUL is written as text: in CSV with a
leading apostrophe (what spreadsheet programs show as text), in XLSX as a string cell (never a formula).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.utils import timezone

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def csv_cell(value) -> str:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = as_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read Vietnamese correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheet: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    # strings_to_formulas off as well: even a write() never turns text into a formula.
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    ws = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#EEF1F4"})
    for col, title in enumerate(header):
        ws.write_string(0, col, str(title), bold)
        if col < len(widths):
            ws.set_column(col, col, widths[col])
    for r, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                ws.write_number(r, col, float(value))
            elif value is None or value == "":
                continue
            else:
                ws.write_string(r, col, as_text(value))
    ws.freeze_panes(1, 0)
    book.close()
    return out.getvalue()
