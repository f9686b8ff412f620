"""The national workbook: every national appendix of a snapshot, and a sheet per unit.

`write_workbook(data, layout, unit_tables, path)` writes `data` (a snapshot's `national.json`, see
docs/national-format.md) and the units' own tables (`unit_tables`, from `unit_tables.iter_unit_tables`)
to an .xlsx file. Sheets: `Tổng hợp`, `PL01` … `PL07`, `Xếp hạng`, then one per unit in unit order.
XlsxWriter builds the skeleton and `rows.Sheet` writes the cells as ready XML (see `rows`), so a
national round (~3,400 unit sheets, ~4 million cells) takes seconds and little memory.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable

from baocao06.reports.models import ReportStatus
from baocao06.units.kinds import UnitKind

from . import numbering
from .parts import service_keys, table_key
from .rows import Label, Sheet, Styles, Workbook, assemble
from .unit_sheets import write_unit_sheets

SUMMARY_SHEET = "Tổng hợp"
RANKINGS_SHEET = "Xếp hạng"
GROUP_NAMES = {  # unit groups as people read them (never the raw key "ministries")
    "ministries": "Bộ, ngành",
    "central": "Cơ quan trung ương",
    "corporations": "Tập đoàn, tổng công ty",
    "provinces": "Tỉnh, thành phố",
    "communes": "Xã, phường, đặc khu",
}
PROVISIONAL = "TẠM TÍNH"
WHOLE = {"integer", "money"}
NUMERIC = {"integer", "money", "number", "percent"}

Progress = Callable[[float, str], None]

_BORDER = {"border": 1, "border_color": "#9aa5b1"}
_GREY = {"bg_color": "#EEF1F4"}
STYLE_SPECS = {
    "plain": {},
    "text": {**_BORDER, "text_wrap": True},
    "bold": {"bold": True},
    "title": {"bold": True, "font_size": 13},
    "subtitle": {"bold": True},
    "note": {"italic": True, "font_color": "#555555"},
    "provisional": {"bold": True, "font_size": 16, "font_color": "#C00000"},
    "header": {
        **_BORDER,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
        "bg_color": "#DCE6F1",
    },
    "group": {**_BORDER, "bold": True, "bg_color": "#E2EFDA", "text_wrap": True},
    "heading": {**_BORDER, **_GREY, "bold": True, "text_wrap": True},
    "stt": {**_BORDER, "align": "center"},
    "int": {**_BORDER, "num_format": "#,##0"},
    "dec": {**_BORDER, "num_format": "#,##0.00"},
    "total": {**_BORDER, **_GREY, "bold": True, "text_wrap": True},
    "total_int": {**_BORDER, **_GREY, "bold": True, "num_format": "#,##0"},
    "total_dec": {**_BORDER, **_GREY, "bold": True, "num_format": "#,##0.00"},
    "sub": {**_BORDER, "italic": True, "text_wrap": True, "indent": 1},
}
STYLE_BASE = {"font_name": "Times New Roman", "font_size": 11, "valign": "top"}


def write_workbook(data: dict, layout, unit_tables: Iterable, path, *, progress: Progress | None = None) -> None:
    """Write the national workbook of `data` to `path` (see the module doc).

    `progress(fraction, step)` is called now and then (fraction from 0 to 1, a step in Vietnamese).
    """
    NationalWorkbook(data, layout, str(path), progress).write(unit_tables)


def number_style(kind: str | None, total: bool = False) -> str:
    base = "int" if kind in WHOLE else "dec"
    return f"total_{base}" if total else base


def text_date(value) -> str:
    """An ISO date (or datetime) as dd/mm/yyyy; anything else as it is."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


def merged_keys(declared: Iterable[str], found: Iterable[dict]) -> list[str]:
    """Declared keys in their order, then any other key the data has (nothing is left out)."""
    keys = list(dict.fromkeys(declared))
    for mapping in found:
        for key in mapping or {}:
            if key not in keys:
                keys.append(key)
    return keys


class NationalWorkbook:
    def __init__(self, data: dict, layout, path: str, progress: Progress | None):
        self.data = data
        self.layout = layout
        self.provisional = bool(data.get("provisional"))
        self.progress = progress or (lambda fraction, step: None)
        self.path = path
        self.skeleton = io.BytesIO()
        self.book = Workbook(
            self.skeleton,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.styles = Styles(self.book, STYLE_SPECS, STYLE_BASE)

    # --- plumbing -----------------------------------------------------------------------------

    def role(self, name: str) -> str:
        """The key of the table playing `name` in the definition's compilation block (outputs/parts.py)."""
        return table_key(self.layout, name, self.data)

    def table(self, key: str):
        return self.layout.table_index.get(key) if self.layout is not None else None

    def sheet_heading(self, key: str) -> str:
        """An appendix sheet's title row: its heading, then what the definition's compilation block gives
        it (`sheet_titles`), e.g. "PHỤ LỤC 02 — NGHỊ QUYẾT 175/NQ-CP"."""
        heading = numbering.heading(key, self.layout)
        titles = (self.layout.compilation.get("sheet_titles") or {}) if self.layout is not None else {}
        return f"{heading} — {titles[key]}" if titles.get(key) else heading

    def column(self, table_key: str, column_key: str) -> dict | None:
        spec = self.table(table_key)
        return spec.column_index.get(column_key) if spec else None

    def choice_labels(self, table_key: str, column_key: str) -> dict[str, str]:
        column = self.column(table_key, column_key) or {}
        return {c["value"]: c["label"] for c in column.get("choices") or []}

    def counted_choice_labels(self, table_key: str) -> dict[str, str]:
        """The labels of every choice column of a matrix table: the engine counts them all (`causes`)."""
        spec = self.table(table_key)
        return {
            choice["value"]: choice["label"]
            for column in (spec.columns if spec else [])
            if column["type"] in {"choice", "multichoice"}
            for choice in column.get("choices") or []
        }

    def column_label(self, table_key: str, column_key: str) -> str:
        column = self.column(table_key, column_key)
        return column["label"] if column else column_key

    def sheet(self, name: str, widths: list[float], *, landscape: bool = True) -> Sheet:
        ws = self.book.add_worksheet(name)
        for col, width in enumerate(widths):
            ws.set_column(col, col, width)
        if landscape:
            ws.set_landscape()
        ws.set_paper(9)
        ws.fit_to_pages(1, 0)
        if self.provisional:
            ws.set_header('&C&"Times New Roman,Bold"&14' + PROVISIONAL)
        return Sheet(self.book, ws, self.styles)

    def title(self, sh: Sheet, heading: str, title: str | None = None) -> None:
        suffix = f" — {PROVISIONAL}" if self.provisional else ""
        sh.row([(Label(heading + suffix), "title")], height=20)
        if title:
            sh.row([(Label(title), "subtitle")])
        round_ = self.data.get("round") or {}
        sh.row([(Label(round_.get("title") or ""), "note")])
        if self.provisional:
            sh.row([(PROVISIONAL + ": số liệu chưa được Thư ký Tổ công tác tiếp nhận hết", "provisional")], height=24)

    def header(self, sh: Sheet, labels: list[str], *, freeze_cols: int = 0) -> None:
        r = sh.row([(Label(label), "header") for label in labels], height=45)
        sh.ws.freeze_panes(r + 1, freeze_cols)
        sh.ws.repeat_rows(r)

    # --- the workbook -------------------------------------------------------------------------

    def write(self, unit_tables: Iterable) -> None:
        steps = [
            self.summary,
            self.pl01,
            self.pl02,
            *[(lambda key=key: self.services(key)) for key in service_keys(self.layout, self.data)],
            self.pl06,
            self.pl07,
            *[(lambda e=e: self.more_list(e)) for e in self.data.get("more_lists") or []],
            *[(lambda e=e: self.more_matrix(e)) for e in self.data.get("more_matrices") or []],
            self.rankings,
        ]
        for n, step in enumerate(steps):
            self.progress(0.1 * n / len(steps), "Bảng tổng hợp")
            sh = step()
            sh.finish()
        write_unit_sheets(self, unit_tables, start=0.1, end=0.8)
        self.progress(0.8, "Đóng gói tệp Excel")
        self.book.worksheets()[0].activate()
        self.book.close()
        assemble(self.skeleton.getvalue(), self.book.bodies, self.path)
        self.progress(1.0, "Đã ghi tệp phụ lục (XLSX)")

    def summary(self) -> Sheet:
        data = self.data
        round_ = data.get("round") or {}
        sh = self.sheet(SUMMARY_SHEET, [6, 12, 40, 26, 18, 14, 10, 10, 12], landscape=False)
        sh.row([(Label("TỔNG HỢP BÁO CÁO ĐỀ ÁN 06 — " + (round_.get("title") or "")), "title")], height=22)
        # Only the title stays in view: the sheet is read from the top (a pane frozen under the units'
        # header, far down, hid the facts above it).
        sh.ws.freeze_panes(1, 0)
        if self.provisional:
            sh.row(
                [
                    (PROVISIONAL, "provisional"),
                    None,
                    ("Số liệu chưa được Thư ký Tổ công tác tiếp nhận hết", "provisional"),
                ],
                height=28,
            )
        else:
            sh.row([("Bản tổng hợp chính thức: các báo cáo đã được tiếp nhận", "note")])
        sh.row([])
        facts = [
            (
                "Văn bản",
                " ".join(x for x in (round_.get("dispatch_number"), text_date(round_.get("dispatch_date"))) if x),
            ),
            ("Đề cương", round_.get("definition") or ""),
            ("Kỳ báo cáo", f"{_period(round_.get('period_kind'))} {round_.get('year') or ''}".strip()),
            ("Số liệu từ", text_date(round_.get("data_from"))),
            ("Số liệu đến", text_date(round_.get("data_to"))),
            ("Hạn gửi", text_date(round_.get("deadline"))),
        ]
        for label, value in facts:
            sh.row([None, (Label(label), "bold"), (value, "plain")])
        sh.row([])
        completeness = data.get("completeness") or {}
        sh.row([(Label("Tình hình báo cáo"), "subtitle")])
        sh.row([None, (Label("Đơn vị được giao"), "bold"), (completeness.get("assigned"), "int")])
        sh.row([None, (Label("Đơn vị đưa vào tổng hợp"), "bold"), (completeness.get("included"), "int")])
        for status, count in (completeness.get("by_status") or {}).items():
            sh.row([None, (Label(_status(status)), "bold"), (count, "int")])
        sh.row([])
        not_included = completeness.get("not_included") or []
        sh.row([(Label(f"Đơn vị chưa đưa vào tổng hợp ({len(not_included)})"), "subtitle")])
        sh.row([(Label(x), "header") for x in ("STT", "Mã", "Tên đơn vị", "Trạng thái")])
        for n, unit in enumerate(not_included, start=1):
            sh.row(
                [
                    (n, "stt"),
                    (Label(unit.get("key") or ""), "text"),
                    (Label(unit.get("name") or ""), "text"),
                    (Label(_status(unit.get("status"))), "text"),
                ]
            )
        sh.row([])
        units = data.get("units") or []
        sh.row([(Label(f"Đơn vị trong bản tổng hợp ({len(units)})"), "subtitle")])
        labels = ["STT", "Mã", "Tên đơn vị", "Loại", "Khối", "Trạng thái", "Lần gửi", "Gửi muộn", "Mã băm"]
        sh.row([(Label(x), "header") for x in labels], height=30)
        for n, unit in enumerate(units, start=1):
            sh.row(
                [
                    (n, "stt"),
                    (Label(unit.get("key") or ""), "text"),
                    (Label(unit.get("name") or ""), "text"),
                    (Label(_kind(unit.get("kind"))), "text"),
                    (Label(GROUP_NAMES.get(unit.get("group") or "", unit.get("group") or "")), "text"),
                    (Label(_status(unit.get("status"))), "text"),
                    (unit.get("version"), "int"),
                    (Label("Có" if unit.get("late") else ""), "text"),
                    ((unit.get("content_hash") or "")[:12], "text"),
                ]
            )
        return sh

    def pl01(self) -> Sheet:
        tasks = self.data.get("tasks") or {}
        national = tasks.get("national") or {}
        by_unit = tasks.get("by_unit") or []
        result_labels = {r["value"]: r["label"] for r in tasks.get("results") or []}
        results = merged_keys(result_labels, [national.get("by_result")] + [u.get("by_result") for u in by_unit])
        key = self.role("tasks")
        origin_labels = self.choice_labels(key, "origin")
        origins = merged_keys(origin_labels, [national.get("by_origin")] + [u.get("by_origin") for u in by_unit])
        sh = self.sheet(key, [6, 12, 40, 12] + [14] * (len(results) + len(origins)))
        spec = self.table(key)
        self.title(sh, self.sheet_heading(key), spec.title if spec else None)
        labels = ["STT", "Mã", "Đơn vị", "Số nhiệm vụ"]
        labels += [result_labels.get(k, k) for k in results] + [origin_labels.get(k, k) for k in origins]
        self.header(sh, labels, freeze_cols=3)

        def counts(entry, total=False):
            style = "total_int" if total else "int"
            by_result, by_origin = entry.get("by_result") or {}, entry.get("by_origin") or {}
            return [(by_result.get(k, 0), style) for k in results] + [(by_origin.get(k, 0), style) for k in origins]

        for n, unit in enumerate(by_unit, start=1):
            sh.row(
                [
                    (n, "stt"),
                    (Label(unit.get("key") or ""), "text"),
                    (Label(unit.get("name") or ""), "text"),
                    (unit.get("rows"), "int"),
                    *counts(unit),
                ]
            )
        sh.row(
            [
                ("", "total"),
                ("", "total"),
                (Label("TOÀN QUỐC"), "total"),
                (national.get("rows"), "total_int"),
                *counts(national, total=True),
            ]
        )
        self._open_tasks(sh, tasks)
        return sh

    def _open_tasks(self, sh: Sheet, tasks: dict) -> None:
        """Below the counts: every unfinished task with who, what and when (as in the DOCX)."""
        from .appendices import OPEN_TASKS_CAPTION, open_tasks_table

        listed = open_tasks_table(tasks, self.table(tasks.get("table") or ""))
        if listed is None:
            return
        sh.row([])
        sh.row([(Label(OPEN_TASKS_CAPTION), "subtitle")])
        sh.row([(Label(c.label), "header") for c in listed.columns], height=30)
        for row in listed.rows:
            sh.row([(Label(text), "text") for text in row.cells])

    def pl02(self) -> Sheet:
        tasks = self.data.get("pl02") or []
        key = self.role("tracker")
        result_labels = self.choice_labels(key, "result")
        results = merged_keys(result_labels, [t.get("by_result") for t in tasks])
        sh = self.sheet(key, [12, 6, 50, 24, 14, 10, 12] + [12] * len(results) + [30, 40, 40])
        spec = self.table(key)
        self.title(sh, self.sheet_heading(key), spec.title if spec else None)
        labels = ["Mã", "STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn", "Nhiệm vụ chung", "Số đơn vị trả lời"]
        labels += [result_labels.get(k, k) for k in results]
        labels += ["Đơn vị chưa hoàn thành", "Nguyên nhân", "Trả lời của đơn vị chủ trì"]
        self.header(sh, labels, freeze_cols=3)
        groups = {g.key: g for g in spec.groups} if spec else {}
        unit_col = 7 + len(results)
        group = None
        for task in tasks:
            if task.get("group") != group:
                group = task.get("group")
                title = groups[group].title if group in groups and groups[group].title else group
                sh.row([(Label(group or ""), "group"), None, (Label(title or ""), "group")])
            by_result = task.get("by_result") or {}
            lead = task.get("lead_answer")
            cells = [
                (Label(task.get("key") or ""), "text"),
                (Label(task.get("number") or ""), "stt"),
                (Label(task.get("title") or ""), "text"),
                (Label(task.get("lead") or ""), "text"),
                (Label(task.get("due") or ""), "text"),
                (Label("Có" if task.get("common") else ""), "text"),
                (task.get("answers"), "int"),
                *[(by_result.get(k, 0) if task.get("common") else by_result.get(k), "int") for k in results],
                None,
                None,
                (self._lead_answer(lead, result_labels), "text"),
            ]
            sh.row(cells)
            for unit in task.get("not_done") or []:
                row = [None] * unit_col + [(Label(unit.get("name") or ""), "sub"), (unit.get("cause") or "", "sub")]
                sh.row(row)
        return sh

    @staticmethod
    def _lead_answer(lead: dict | None, labels: dict[str, str]) -> str:
        if not lead:
            return ""
        result = labels.get(lead.get("result"), lead.get("result") or "")
        text = f"{lead.get('name') or lead.get('key')}: {result}"
        return text + (f" — {lead['cause']}" if lead.get("cause") else "")

    def services(self, table_key: str) -> Sheet:
        from .xlsx_services import write_services

        entry = next((s for s in self.data.get("services") or [] if s.get("table") == table_key), None)
        return write_services(self, table_key, entry)

    def pl06(self) -> Sheet:
        from .xlsx_services import write_pl06

        return write_pl06(self)

    def pl07(self) -> Sheet:
        from .xlsx_services import write_pl07

        return write_pl07(self)

    def more_list(self, entry: dict) -> Sheet:
        from .xlsx_services import write_pl06

        return write_pl06(self, entry["table"], entry.get("groups") or [])

    def more_matrix(self, entry: dict) -> Sheet:
        from .xlsx_services import write_pl07

        return write_pl07(self, entry["table"], entry.get("rows") or [])

    def rankings(self) -> Sheet:
        rankings = self.data.get("rankings") or {}
        sh = self.sheet(RANKINGS_SHEET, [8, 12, 40, 16, 16, 12, 20], landscape=False)
        tables = ", ".join(numbering.number(s["table"], self.layout, s) for s in self.data.get("services") or [])
        self.title(sh, f"XẾP HẠNG TỶ LỆ HỒ SƠ TRỰC TUYẾN (PHỤ LỤC {tables})")
        labels = ["Hạng", "Mã", "Tên", "Tổng số hồ sơ", "Trực tuyến", "Tỷ lệ (%)", "Tổng số tiền tiết kiệm (đồng)"]
        first = True
        for key, title in (("provinces", "Tỉnh, thành phố"), ("ministries", "Bộ, ngành")):
            sh.row([(Label(title), "subtitle")])
            r = sh.row([(Label(x), "header") for x in labels], height=30)
            if first:
                sh.ws.freeze_panes(r + 1, 0)
                first = False
            for entry in rankings.get(key) or []:
                sh.row(
                    [
                        (entry.get("rank"), "stt"),
                        (Label(entry.get("key") or ""), "text"),
                        (Label(entry.get("name") or ""), "text"),
                        (entry.get("total"), "int"),
                        (entry.get("online"), "int"),
                        (entry.get("rate"), "dec"),
                        (entry.get("savings_total"), "int"),
                    ]
                )
            sh.row([])
        return sh


def _period(value) -> str:
    from baocao06.rounds.models import PeriodKind

    try:
        return str(PeriodKind(value).label)
    except ValueError:
        return str(value or "")


def _status(value) -> str:
    try:
        return str(ReportStatus(value).label)
    except ValueError:
        return str(value or "")


def _kind(value) -> str:
    try:
        return str(UnitKind(value).label)
    except ValueError:
        return str(value or "")
