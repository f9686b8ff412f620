"""Fast rows for XlsxWriter's `constant_memory` mode: the national workbook's cells as ready XML.

A national workbook holds ~4 million cells (a sheet per unit). XlsxWriter's cell API costs ~6 µs a
cell (~25 s); this writer emits each finished row's XML straight into the worksheet's row-data file,
which XlsxWriter then assembles like its own (~1 µs a cell). Everything else — styles, column widths,
frozen panes, print setup, shared strings, packaging — stays XlsxWriter's.

Safety is the same as the house exporters (`core.safe_export`, `workbooks.export`): a text is only
ever an inline or shared *string* cell, never a formula, and a text starting with = + - @ tab, CR,
LF or NUL also carries Excel's quote prefix, so it stays text when someone edits the cell.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

import xlsxwriter
from xlsxwriter.exceptions import DuplicateWorksheetName, InvalidWorksheetName
from xlsxwriter.utility import xl_col_to_name

RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
CELL_LIMIT = 32_767  # characters an Excel cell holds
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_LETTERS = [xl_col_to_name(i) for i in range(256)]
_INVALID_NAME = re.compile(r"[\[\]:*?/\\]")


class Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook with a sheet-name check that stays fast for thousands of sheets.

    XlsxWriter compares each new name with every sheet already added (quadratic: ~10 s for 3,400
    sheets); this keeps the same rules with a set of the names taken, case ignored like Excel.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._names_taken: set[str] = set()

    def _check_sheetname(self, sheetname, is_chartsheet=False):
        if not sheetname or len(sheetname.encode("utf-16-le")) > 62 or _INVALID_NAME.search(sheetname):
            raise InvalidWorksheetName(f"Tên trang không hợp lệ: {sheetname!r}")
        if sheetname.startswith("'") or sheetname.endswith("'"):
            raise InvalidWorksheetName(f"Tên trang không hợp lệ: {sheetname!r}")
        if sheetname.casefold() in self._names_taken:
            raise DuplicateWorksheetName(f"Tên trang đã dùng: {sheetname!r}")
        self._names_taken.add(sheetname.casefold())
        self.sheetname_count += 1
        return sheetname


class Label(str):
    """A text repeated across many cells (row labels, headers, unit names): stored once, as a
    shared string. Texts units typed are written inline so that memory stays bounded."""

    __slots__ = ()


def xml_text(text: str) -> str:
    """A text as the content of <t>: control characters as Excel's _xHHHH_, XML escaped."""
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT]
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class Styles:
    """Named XlsxWriter formats as ready ` s="N"` attributes, each with a quote-prefixed twin for risky text."""

    def __init__(self, book, specs: dict[str, dict], base: dict):
        self.attr: dict[str | None, str] = {None: ""}
        for name, spec in specs.items():
            plain = book.add_format({**base, **spec})._get_xf_index()
            quoted = book.add_format({**base, **spec, "quote_prefix": True})._get_xf_index()
            self.attr[name] = f' s="{plain}"'
            self.attr[name + "_q"] = f' s="{quoted}"'
        self.attr["_q"] = self.attr["text_q"]


class Sheet:
    """Rows written in order (0-based), each a list of (value, style name) or None per column."""

    def __init__(self, book, worksheet, styles: Styles):
        self.ws = worksheet
        self.attr = styles.attr
        self.shared = book.str_table._get_shared_string_index
        self.write = worksheet.row_data_fh.write
        self.next_row = 0
        self.max_col = -1

    def row(self, cells, *, height: float | None = None) -> int:
        """Write the next row; returns its 0-based index."""
        r = self.next_row
        self.next_row = r + 1
        number = str(r + 1)
        attr = self.attr
        out = []
        last = -1
        for col, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            kind = type(value)
            ref = _LETTERS[col] + number
            if kind is Label:
                if not value:
                    if style:
                        out.append(f'<c r="{ref}"{attr[style]}/>')
                        last = col
                    continue
                if value.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                index = self.shared(value[:CELL_LIMIT])
                out.append(f'<c r="{ref}"{attr[style]} t="s"><v>{index}</v></c>')
            elif kind is int:
                out.append(f'<c r="{ref}"{attr[style]}><v>{value}</v></c>')
            elif kind is str:
                if not value:
                    if style:
                        out.append(f'<c r="{ref}"{attr[style]}/>')
                        last = col
                    continue
                if value.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t{space}>{xml_text(value)}</t></is></c>')
            elif kind is float or kind is Decimal:
                value = float(value)
                if not math.isfinite(value):
                    continue
                out.append(f'<c r="{ref}"{attr[style]}><v>{value:.16G}</v></c>')
            elif value is None:
                if style:
                    out.append(f'<c r="{ref}"{attr[style]}/>')
                    last = col
                continue
            elif kind is bool:
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t>{"Có" if value else "Không"}</t></is></c>')
            else:  # anything else (a subclass of int or str): as text
                text = str(value)
                if text.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t>{xml_text(text)}</t></is></c>')
            last = col
        if out or height:
            extra = f' ht="{height}" customHeight="1"' if height else ""
            self.write(f'<row r="{number}"{extra}>{"".join(out)}</row>')
            if last > self.max_col:
                self.max_col = last
        return r

    def finish(self) -> None:
        """Record the used range for XlsxWriter and release the row file (thousands of sheets)."""
        ws = self.ws
        if self.next_row:
            ws.dim_rowmin, ws.dim_rowmax = 0, self.next_row - 1
            ws.dim_colmin, ws.dim_colmax = 0, max(self.max_col, 0)
        ws._opt_close()
