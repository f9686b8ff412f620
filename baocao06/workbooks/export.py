"""A unit's report as an .xlsx workbook to fill in Excel, laid out like the dispatch's appendices.

One sheet per appendix that addresses the unit (header groups as merged cells, catalogue rows prefilled
and locked, computed cells locked, empty slots for free rows, dropdowns for choices), a sheet for the
narrative sections (one cell per field), an instructions sheet, and a very hidden metadata sheet
identifying the round, the unit and the revision of every part at export time.

Written with XlsxWriter: every text goes through `write_string`, so nothing is ever a formula, and a
text starting with = + - @ tab or NUL also carries Excel's quote prefix (it stays text when edited).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

from baocao06.core import clock
from baocao06.definitions import cells
from baocao06.definitions.validation import clean_section, clean_table
from baocao06.reports.actions import context_for, view_for

from . import sheets
from .signatures import part_signature

RISKY_START = ("=", "+", "-", "@", "\t", "\x00", "\r", "\n")
NUMERIC = {"integer", "money", "number", "percent"}
WHOLE = {"integer", "money"}
FREE_SLOTS = 10  # empty rows offered per free group (people may also insert rows)
DEFAULT_WIDTH = {"text": 30, "integer": 15, "money": 17, "number": 12, "percent": 11, "choice": 20}


def export_report(report) -> bytes:
    """The workbook of `report` (its current draft) as .xlsx bytes."""
    return WorkbookWriter(report).build()


class WorkbookWriter:
    """Writes a report's workbook. `view`, `context` and `parts` may be given for a report that is
    not stored: the Secretariat's preview of a definition as one unit (definitions/preview.py)."""

    def __init__(self, report, *, view=None, context=None, parts=None):
        self.report = report
        self.view = view if view is not None else view_for(report)
        self.context = context if context is not None else context_for(report)
        self.parts = parts if parts is not None else {p.key: p for p in report.parts.all()}
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.f = _formats(self.book)
        self.lists: list[list[str]] = []

    def build(self) -> bytes:
        book = self.book
        book.set_properties(
            {"title": f"{self.report.unit.name} — {self.report.round.title}", "author": "baocao06", "company": ""}
        )
        instructions = book.add_worksheet(sheets.INSTRUCTIONS_SHEET)
        if self.view.input_sections():
            self._narrative(book.add_worksheet(sheets.NARRATIVE_SHEET))
        for table_view in self.view.tables:
            self._table(book.add_worksheet(table_view.key), sheets.TableSheet(table_view))
        self._instructions(instructions)
        self._lists(book.add_worksheet(sheets.LISTS_SHEET))
        self._meta(book.add_worksheet(sheets.META_SHEET))
        instructions.activate()
        book.close()
        return self.buffer.getvalue()

    # --- text and numbers ----------------------------------------------------------------------

    def text(self, ws, row, col, value, fmt_name: str) -> None:
        value = "" if value is None else str(value)
        if not value:
            ws.write_blank(row, col, None, self.f[fmt_name])
            return
        if value.startswith(RISKY_START):
            fmt_name += "_q"
        ws.write_string(row, col, _xml_safe(value)[: sheets.EXCEL_CELL_LIMIT], self.f[fmt_name])

    def number(self, ws, row, col, value, fmt_name: str) -> None:
        if value is None:
            ws.write_blank(row, col, None, self.f[fmt_name])
        else:
            ws.write_number(row, col, _number(value), self.f[fmt_name])

    # --- appendix sheets -------------------------------------------------------------------------

    def _table(self, ws, sheet: sheets.TableSheet) -> None:
        table = sheet.table
        last = sheet.last_col
        title = table.label.upper() + (f" (in trong văn bản là “{table.printed_as}”)" if table.printed_as else "")
        ws.merge_range(0, sheets.STT_COL, 0, last, title, self.f["title"])
        ws.merge_range(1, sheets.STT_COL, 1, last, table.title, self.f["subtitle"])
        ws.merge_range(2, sheets.STT_COL, 2, last, self._who(), self.f["note"])
        legend = "Ô trắng: nhập số liệu. Ô xám: lấy từ danh mục hoặc tính tự động, không sửa. Dòng trống: thêm mới."
        ws.merge_range(3, sheets.STT_COL, 3, last, legend, self.f["note"])
        for p in sheet.placements:
            text = sheets.header_text(p.label, p.unit)
            if (p.first_row, p.first_col) == (p.last_row, p.last_col):
                ws.write_string(p.first_row, p.first_col, text, self.f["header"])
            else:
                ws.merge_range(p.first_row, p.first_col, p.last_row, p.last_col, text, self.f["header"])
        for r in range(sheets.HEADER_TOP, sheet.data_top):
            ws.write_string(r, sheets.KEY_COL, sheets.HEADER_KEY, self.f["key"])
        part = self.parts.get(table.key)
        result = clean_table(sheet.view, part.data if part else None, **self.context)
        by_group: dict[str, list] = {}
        for row in result.rows:
            by_group.setdefault(row.group, []).append(row)
        r = sheet.data_top
        for group in sheet.view.groups:
            if group.group.title:
                ws.write_string(r, sheets.KEY_COL, sheets.GROUP_PREFIX + group.group.key, self.f["key"])
                ws.write_string(r, sheets.STT_COL, group.group.number or "", self.f["group"])
                ws.merge_range(r, sheets.FIRST_COL, r, last, group.group.title, self.f["group"])
                r += 1
            free_count = 0
            for row in by_group.get(group.group.key, []):
                self._row(ws, sheet, r, row)
                free_count += not row.fixed
                r += 1
            if group.free_rows:
                room = max(0, min(FREE_SLOTS, group.group.max_free_rows - free_count))
                for _ in range(room):
                    self._free_slot(ws, sheet, r, group.group.key)
                    r += 1
        last_data = r - 1
        for total in result.totals:
            ws.write_string(r, sheets.KEY_COL, sheets.TOTAL_PREFIX + total["key"], self.f["key"])
            ws.write_blank(r, sheets.STT_COL, None, self.f["total"])
            for column in sheet.columns:
                col = sheet.col_of[column["key"]]
                if column.get("role") == "label":
                    ws.write_string(r, col, total["label"], self.f["total"])
                elif column["key"] in total["values"]:
                    style = "total_int" if column["type"] in WHOLE else "total_dec"
                    self.number(ws, r, col, total["values"][column["key"]], style)
                else:
                    ws.write_blank(r, col, None, self.f["total"])
            r += 1
        self._validations(ws, sheet, last_data)
        self._sheet_setup(ws, sheet, table.orientation)

    def _who(self) -> str:
        round_ = self.report.round
        deadline = timezone.localtime(round_.deadline).strftime("%d/%m/%Y") if round_.deadline else ""
        return f"Đơn vị: {self.report.unit.name} — Kỳ báo cáo: {round_.title} — Hạn gửi: {deadline}"

    def _row(self, ws, sheet: sheets.TableSheet, r: int, row) -> None:
        key = row.key if row.fixed else sheets.free_key(row.group, row.key)
        ws.write_string(r, sheets.KEY_COL, key, self.f["key"])
        ws.write_string(r, sheets.STT_COL, row.number or "", self.f["stt"])
        if row.heading:
            for column in sheet.columns:
                col = sheet.col_of[column["key"]]
                label = row.label if column.get("role") == "label" else ""
                self.text(ws, r, col, label, "heading")
            return
        for column in sheet.columns:
            col, key_ = sheet.col_of[column["key"]], column["key"]
            if key_ in row.editable:
                self._input(ws, r, col, column, row.raw.get(key_), row.values.get(key_))
            elif column.get("formula"):
                self._shown(ws, r, col, column, row.values.get(key_), "computed")
            else:
                self._shown(ws, r, col, column, row.values.get(key_), "readonly")

    def _free_slot(self, ws, sheet: sheets.TableSheet, r: int, group: str) -> None:
        ws.write_string(r, sheets.KEY_COL, sheets.free_key(group, sheets.FREE_SLOT), self.f["key"])
        ws.write_blank(r, sheets.STT_COL, None, self.f["stt"])
        for column in sheet.columns:
            col = sheet.col_of[column["key"]]
            if sheet.table.is_input(column):
                ws.write_blank(r, col, None, self.f[_input_format(column)])
            else:
                ws.write_blank(r, col, None, self.f["computed"])

    def _input(self, ws, r, col, column, raw, value) -> None:
        kind = column["type"]
        fmt = _input_format(column)
        if cells.is_blank(raw):
            ws.write_blank(r, col, None, self.f[fmt])
        elif kind in NUMERIC and value is not None:
            self.number(ws, r, col, value, fmt)
        elif kind in {"choice", "multichoice", "date"} and value is not None:
            self.text(ws, r, col, cells.display(column, value), fmt)
        else:
            # Kept as typed (also what the engine could not read, so the person sees and fixes it).
            self.text(ws, r, col, "; ".join(raw) if isinstance(raw, list) else raw, fmt)

    def _shown(self, ws, r, col, column, value, style: str) -> None:
        if column["type"] in NUMERIC and isinstance(value, int | float | Decimal):
            self.number(ws, r, col, value, style + ("_int" if column["type"] in WHOLE else "_dec"))
        else:
            self.text(ws, r, col, cells.display(column, value) if value is not None else "", style)

    def _validations(self, ws, sheet: sheets.TableSheet, last_data: int) -> None:
        if last_data < sheet.data_top:
            return
        for column in sheet.columns:
            if column["type"] not in {"choice", "multichoice"} or not sheet.table.is_input(column):
                continue
            labels = [c["label"] for c in column["choices"]]
            self.lists.append(labels)
            letter = sheets.column_letter(len(self.lists) - 1)
            source = f"='{sheets.LISTS_SHEET}'!${letter}$1:${letter}${len(labels)}"
            multi = column["type"] == "multichoice"
            options = {
                "validate": "list",
                "source": source,
                "input_title": column["label"][:32],
                "input_message": (
                    "Chọn trong danh sách; nhiều mục thì gõ, cách nhau bởi dấu ;"
                    if multi
                    else "Chọn một giá trị trong danh sách."
                )[:255],
                "error_title": "Giá trị không có trong danh sách",
                "error_message": ("Hãy chọn: " + "; ".join(labels))[:255],
                # Several choices are typed as "A; B", which a list validation would refuse.
                "error_type": "information" if multi else "stop",
                "show_error": not multi,
            }
            col = sheet.col_of[column["key"]]
            ws.data_validation(sheet.data_top, col, last_data, col, options)

    def _sheet_setup(self, ws, sheet: sheets.TableSheet, orientation: str) -> None:
        ws.set_column(sheets.KEY_COL, sheets.KEY_COL, 12, None, {"hidden": True})
        ws.set_column(sheets.STT_COL, sheets.STT_COL, 6)
        for column in sheet.columns:
            col = sheet.col_of[column["key"]]
            ws.set_column(col, col, _width(column))
        ws.freeze_panes(sheet.data_top, sheets.FIRST_COL)
        ws.set_row(sheets.HEADER_TOP, 45 if sheet.header_height == 1 else 30)
        if orientation == "landscape":
            ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(sheets.HEADER_TOP, sheet.data_top - 1)
        _protect(ws)

    # --- narrative, lists, instructions, metadata --------------------------------------------------

    def _narrative(self, ws) -> None:
        ws.merge_range(0, 1, 0, 3, self.view.layout.title, self.f["title"])
        ws.merge_range(1, 1, 1, 3, self._who(), self.f["note"])
        ws.merge_range(2, 1, 2, 3, "Nhập nội dung vào cột C (ô trắng); mỗi ô là một nội dung yêu cầu.", self.f["note"])
        for col, label in enumerate(sheets.NARRATIVE_COLUMNS):
            ws.write_string(sheets.NARRATIVE_HEADER, col, label, self.f["header"])
        r = sheets.NARRATIVE_TOP
        inputs = {s.key for s in self.view.input_sections()}
        for section in self.view.sections():
            ws.write_string(r, 0, sheets.SECTION_PREFIX + section.key, self.f["key"])
            style = "section0" if section.depth == 0 else "section"
            self.text(ws, r, 1, section.heading, style)
            ws.write_blank(r, 2, None, self.f[style])
            ws.write_blank(r, 3, None, self.f[style])
            r += 1
            if section.key not in inputs:
                continue
            part = self.parts.get(section.key)
            values, _ = clean_section(section, part.data if part else None)
            guidance = "\n".join(section.guidance)
            for index, spec in enumerate(section.fields):
                text = values.get(spec["key"], "")
                chunks = _chunks(text) or [""]
                for n, chunk in enumerate(chunks, start=1):
                    suffix = "" if n == 1 else f"/{n}"
                    ws.write_string(r, 0, f"{section.key}/{spec['key']}{suffix}", self.f["key"])
                    label = spec["label"] + (" *" if spec.get("required") else "") if n == 1 else "(tiếp theo)"
                    self.text(ws, r, 1, label, "field")
                    self.text(ws, r, 2, chunk, "input_text")
                    hint = (guidance if index == 0 else "") + (f"\n{spec['hint']}" if spec.get("hint") else "")
                    self.text(ws, r, 3, hint.strip() if n == 1 else "", "guidance")
                    ws.set_row(r, 90)
                    r += 1
        ws.set_column(0, 0, 12, None, {"hidden": True})
        ws.set_column(1, 1, 42)
        ws.set_column(2, 2, 90)
        ws.set_column(3, 3, 50)
        ws.freeze_panes(sheets.NARRATIVE_TOP, 2)
        ws.set_paper(9)
        _protect(ws)

    def _lists(self, ws) -> None:
        for col, labels in enumerate(self.lists):
            for row, label in enumerate(labels):
                ws.write_string(row, col, label)
        ws.very_hidden()

    def _instructions(self, ws) -> None:
        round_ = self.report.round
        lines = [
            ("title", "HƯỚNG DẪN NHẬP BÁO CÁO BẰNG TỆP EXCEL"),
            ("bold", f"Đơn vị: {self.report.unit.name}"),
            (
                "plain",
                f"Kỳ báo cáo: {round_.title}"
                + (f" (văn bản số {round_.dispatch_number})" if round_.dispatch_number else ""),
            ),
            ("plain", f"Tệp tải lúc: {timezone.localtime(clock.now()).strftime('%H:%M %d/%m/%Y')}"),
            ("plain", ""),
            ("bold", "Cách nhập"),
            (
                "plain",
                "1. Nhập vào các ô màu trắng. Ô màu xám là tên dòng, số liệu lấy từ danh mục, tỷ lệ và tổng "
                "được hệ thống tự tính: không cần và không thể sửa.",
            ),
            (
                "plain",
                "2. Số nhập như thường lệ (1234567) hoặc theo cách viết Việt Nam “1.234.567” hay “12,5”. "
                "Không nhập công thức: hệ thống không tính công thức trong tệp; hãy dán giá trị (Paste Values).",
            ),
            (
                "plain",
                "3. Cột có danh sách chọn (kết quả, nguồn nhiệm vụ…): chọn trong danh sách. Cột cho phép nhiều "
                "lựa chọn: gõ các mục cách nhau bởi dấu chấm phẩy, ví dụ “Pháp lý; Dữ liệu”.",
            ),
            (
                "plain",
                "4. Thêm dòng: dùng các dòng trống có sẵn cuối mỗi nhóm, hoặc chèn thêm dòng trong nhóm. "
                "Xóa dòng đã thêm: xóa cả dòng. Dòng trống bị bỏ qua.",
            ),
            ("plain", "5. Trang “Đề cương”: mỗi ô ở cột C là một nội dung của đề cương báo cáo."),
            (
                "plain",
                "6. Không đổi tên trang, không thêm hoặc xóa cột, không sửa các cột và trang ẩn: hệ thống dùng "
                "chúng để nhận ra từng dòng.",
            ),
            (
                "plain",
                "7. Tải tệp lên ở trang báo cáo của đơn vị: “Kiểm tra tệp” liệt kê mọi lỗi theo trang và ô "
                "(ví dụ PL03!E12); “Nhập vào báo cáo” chỉ ghi khi tệp không còn lỗi, ghi toàn bộ hoặc không ghi gì.",
            ),
            (
                "plain",
                "8. Nếu sau khi tải tệp, báo cáo đã được sửa trên hệ thống ở cùng một phần, hệ thống sẽ báo "
                "để tránh ghi đè; hãy tải tệp mới hoặc chọn ghi đè có chủ ý.",
            ),
            ("plain", ""),
            ("bold", "Các trang trong tệp"),
        ]
        if self.view.input_sections():
            lines.append(("plain", f"• {sheets.NARRATIVE_SHEET}: các mục của đề cương cần báo cáo"))
        for table_view in self.view.tables:
            lines.append(("plain", f"• {table_view.key}: {table_view.table.title}"))
        for row, (style, text) in enumerate(lines):
            self.text(ws, row, 0, text, {"title": "title", "bold": "bold", "plain": "wrap"}[style])
        ws.set_column(0, 0, 120)
        ws.set_paper(9)

    def _meta(self, ws) -> None:
        parts = parts_meta(self.view, self.parts, self.context)
        rows = [
            ("kind", sheets.KIND),
            ("format", str(sheets.FORMAT)),
            ("round", str(self.report.round_id)),
            ("round_title", self.report.round.title),
            ("unit", self.report.unit.key),
            ("unit_name", self.report.unit.name),
            ("layout_hash", self.report.round.layout_hash),
            ("exported_at", clock.now().isoformat()),
            ("parts", json.dumps(parts, sort_keys=True)),
        ]
        for r, (key, value) in enumerate(rows):
            ws.write_string(r, 0, key)
            ws.write_string(r, 1, value)
        ws.very_hidden()


# --- helpers ---------------------------------------------------------------------------------


def parts_meta(view, parts: dict, context: dict | None = None) -> dict:
    """Each part's revision and signature as exported: the import compares against these."""
    meta = {}
    for key in view.part_keys:
        part = parts.get(key)
        meta[key] = {
            "revision": part.revision if part else 0,
            "signature": part_signature(view, key, part.data if part else None, context),
        }
    return meta


def _number(value: Any) -> int | float:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _xml_safe(text: str) -> str:
    # XlsxWriter escapes control characters; NUL has no place in a report and PostgreSQL refuses it.
    return text.replace("\x00", "")


def _chunks(text: str) -> list[str]:
    limit = sheets.EXCEL_CELL_LIMIT
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def _input_format(column: dict) -> str:
    if column["type"] in WHOLE:
        return "input_int"
    if column["type"] in NUMERIC:
        return "input_dec"
    return "input_text"


def _width(column: dict) -> float:
    if column.get("width"):
        return column["width"]
    if column.get("role") == "label":
        return 42
    return DEFAULT_WIDTH.get(column["type"], 18)


def _protect(ws) -> None:
    # Protection keeps the structure (hidden keys, locked cells) from accidents; it is not a security
    # boundary: the import re-checks everything. Rows may be inserted and deleted (free rows).
    ws.protect(
        "",
        {
            "insert_rows": True,
            "delete_rows": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )


def _formats(book) -> dict:
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}
    border = {"border": 1, "border_color": "#9aa5b1"}
    grey = {"bg_color": "#EEF1F4"}
    specs = {
        "title": {"bold": True, "font_size": 13},
        "subtitle": {"bold": True, "text_wrap": True},
        "note": {"italic": True, "font_color": "#555555", "text_wrap": True},
        "bold": {"bold": True},
        "wrap": {"text_wrap": True},
        "header": {
            **border,
            "bold": True,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#DCE6F1",
        },
        "key": {"font_color": "#999999"},
        "stt": {**border, **grey, "align": "center"},
        "group": {**border, "bold": True, "bg_color": "#E2EFDA", "text_wrap": True},
        "heading": {**border, **grey, "bold": True, "text_wrap": True},
        "readonly": {**border, **grey, "text_wrap": True},
        "readonly_int": {**border, **grey, "num_format": "#,##0"},
        "readonly_dec": {**border, **grey, "num_format": "General"},
        "computed": {**border, **grey, "italic": True, "text_wrap": True},
        "computed_int": {**border, **grey, "italic": True, "num_format": "#,##0"},
        "computed_dec": {**border, **grey, "italic": True, "num_format": "General"},
        "total": {**border, **grey, "bold": True},
        "total_int": {**border, **grey, "bold": True, "num_format": "#,##0"},
        "total_dec": {**border, **grey, "bold": True, "num_format": "General"},
        "input_text": {**border, "locked": False, "text_wrap": True, "num_format": "@"},
        "input_int": {**border, "locked": False, "num_format": "#,##0"},
        "input_dec": {**border, "locked": False, "num_format": "General"},
        "section0": {"bold": True, "bg_color": "#DCE6F1", "text_wrap": True},
        "section": {"bold": True, "bg_color": "#F2F2F2", "text_wrap": True},
        "field": {**border, "text_wrap": True},
        "guidance": {**border, **grey, "italic": True, "font_size": 10, "text_wrap": True},
    }
    formats = {}
    for name, spec in specs.items():
        formats[name] = book.add_format({**base, **spec})
        formats[name + "_q"] = book.add_format({**base, **spec, "quote_prefix": True})
    return formats
