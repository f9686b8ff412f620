"""The national appendix tables as rows of text, from the national dict (figures) and the round's
layout (titles, column labels, header groups). Shared by every output that prints tables.

Long lists (the units that answered a PL07 cell, the units that have not done a PL02 task) are
capped so that a cell stays readable, and the cap is always said: "(còn N đơn vị…)".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from baocao06.core.vietnamese import format_number
from baocao06.definitions.cells import display

from .parts import table_key
from .wordxml import Column, Row, TableSpec

CELL_ENTRIES = 15  # source texts shown in one PL07 cell
ENTRY_CHARS = 600  # characters of one source text in a table cell
NAMES_SHOWN = 20  # unit names listed in one cell

NUMERIC = {"integer", "money", "number", "percent"}
GROUP_TITLES = {
    "ministries": "Bộ, ngành, cơ quan trung ương",
    "central": "Cơ quan trung ương",
    "corporations": "Tập đoàn, tổng công ty nhà nước",
    "provinces": "Tỉnh, thành phố trực thuộc Trung ương",
    "communes": "Xã, phường, đặc khu",
}


@dataclass
class Appendix:
    key: str
    heading: str  # "PHỤ LỤC 02"
    title: str
    orientation: str
    table: TableSpec
    more: list[tuple[str, TableSpec]] = field(default_factory=list)  # (caption, table) printed after


def more(count: int) -> str:
    return f"(còn {format_number(count)} đơn vị…)"


def clip(text: str, limit: int = ENTRY_CHARS) -> str:
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    return f"{text[:limit].rstrip()}… (rút gọn, còn {format_number(len(text) - limit)} ký tự)"


def _table(layout, key):
    return layout.table_index.get(key) if layout is not None else None


def _heading(key: str, table, number: str | None = None, printed_as: str | None = None) -> str:
    """The one numbering rule (outputs/numbering.py); `printed_as` is not a number."""
    return f"PHỤ LỤC {number or (table.number if table else None) or key}"


def _label(table, key: str, default: str) -> str:
    if table is not None and key in table.column_index:
        return table.column_index[key]["label"]
    return default


def _header_groups(table) -> list[dict]:
    return list(table.header) if table is not None else []


def _count(value) -> str:
    return format_number(value, 0) if value is not None else ""


# --- PL01: task statistics per unit -----------------------------------------------------------


def tasks_appendix(data: dict, layout, unit_groups: dict[str, str]) -> Appendix | None:
    tasks = data.get("tasks")
    if not tasks:
        return None
    key = table_key(layout, "tasks", data)
    table = _table(layout, key)
    results = tasks.get("results") or []
    columns = [
        Column("number", "TT", "center", 0.5),
        Column("unit", "Đơn vị", "left", 3),
        Column("rows", "Tổng số nhiệm vụ", "right", 1.2),
        *[Column(r["value"], r["label"], "right", 1.2) for r in results],
    ]
    groups = [{"label": _label(table, "result", "Kết quả"), "columns": [r["value"] for r in results]}]
    rows: list[Row] = []
    current = None
    for index, unit in enumerate(tasks.get("by_unit") or [], start=1):
        group = unit_groups.get(unit["key"])
        if group != current and group:
            rows.append(Row([GROUP_TITLES.get(group, group)], kind="group"))
            current = group
        by_result = unit.get("by_result") or {}
        rows.append(
            Row(
                [str(index), unit["name"], _count(unit.get("rows"))]
                + [_count(by_result.get(r["value"], 0)) for r in results]
            )
        )
    national = tasks.get("national") or {}
    by_result = national.get("by_result") or {}
    rows.append(
        Row(
            ["", "TOÀN QUỐC", _count(national.get("rows"))] + [_count(by_result.get(r["value"], 0)) for r in results],
            "total",
        )
    )
    title = table.title if table else "THỐNG KÊ CÁC NHIỆM VỤ"
    appendix = Appendix(key, _heading(key, table), title, _orientation(table), TableSpec(columns, rows, groups))
    listed = open_tasks_table(tasks, table)
    if listed is not None:
        appendix.more.append((OPEN_TASKS_CAPTION, listed))
    return appendix


OPEN_TASKS_CAPTION = "Nhiệm vụ chưa hoàn thành, quá hạn (rõ người, rõ việc, rõ thời gian)"
RECORD_LABELS = {"title": "Nhiệm vụ", "lead": "Đơn vị thực hiện", "documents": "Văn bản chỉ đạo", "due": "Thời hạn"}


def open_tasks_table(tasks: dict, table) -> TableSpec | None:
    """Every unfinished task (the national dict's `tasks.open`): the unit, the task's recorded fields
    as the definition names them, and the days overdue; most overdue first."""
    entries = tasks.get("open") or []
    if not entries:
        return None
    record = dict((table.tasks or {}).get("record") or {}) if table is not None else {}
    names = [n for n in ("title", "lead", "documents", "due", "result") if n in record or any(n in e for e in entries)]
    columns = [Column("number", "TT", "center", 0.5), Column("unit", "Đơn vị báo cáo", "left", 1.6)]
    for name in names:
        column = record.get(name)
        label = _label(table, column, RECORD_LABELS.get(name, name)) if column else RECORD_LABELS.get(name, name)
        columns.append(Column(name, label, "left", 3 if name == "title" else 1.4))
    columns.append(Column("overdue_days", "Quá hạn (ngày)", "right", 0.9))
    rows = [
        Row(
            [str(index), entry.get("name") or entry.get("key") or ""]
            + [clip(entry.get(name) or "", 400) for name in names]
            + [_count(entry.get("overdue_days")) if entry.get("overdue_days") else ""]
        )
        for index, entry in enumerate(entries, start=1)
    ]
    return TableSpec(columns, rows)


def _orientation(table) -> str:
    return table.orientation if table is not None else "landscape"


# --- PL02: Resolution 175 tracker -------------------------------------------------------------


def pl02_appendix(data: dict, layout) -> Appendix | None:
    items = data.get("pl02")
    if items is None:
        return None
    key = table_key(layout, "tracker")
    table = _table(layout, key)
    result_column = table.column_index.get("result") if table else None
    # Every other fixed value the definition gives the tasks (4709: coordinating units, directing
    # documents) is kept, in the definition's column order.
    shown = {"title", "lead", "due"}
    present = {k for item in items for k in (item.get("fields") or {})}
    others = [c for c in (table.columns if table else []) if c["key"] in present - shown]
    columns = [
        Column("number", "TT", "center", 0.5),
        Column("title", _label(table, "title", "Nhiệm vụ"), "left", 4),
        Column("lead", _label(table, "lead", "Đơn vị chủ trì"), "left", 1.6),
        *[Column(c["key"], c["label"], "left", 1.6) for c in others],
        Column("due", _label(table, "due", "Thời gian hoàn thành"), "left", 1.2),
        Column("answers", "Số đơn vị báo cáo", "right", 1),
        Column("done", "Đã hoàn thành", "right", 1),
        Column("not_done", "Chưa hoàn thành", "right", 1),
        Column("causes", "Đơn vị chưa hoàn thành, nguyên nhân", "left", 3.5),
    ]
    group_titles = {g.key: g.title for g in table.groups} if table else {}
    rows: list[Row] = []
    current = None
    for item in items:
        if item.get("group") != current:
            current = item.get("group")
            title = group_titles.get(current) or ""
            rows.append(Row([f"{current}. {title}".strip(". ")], kind="group"))
        by_result = item.get("by_result") or {}
        if item.get("common", True):
            causes = [
                f"{u['name']}: {clip(u.get('cause'), 200)}" if u.get("cause") else u["name"]
                for u in item.get("not_done") or []
            ]
            listed = "\n".join(causes[:NAMES_SHOWN]) + (
                f"\n{more(len(causes) - NAMES_SHOWN)}" if len(causes) > NAMES_SHOWN else ""
            )
        else:
            answer = item.get("lead_answer")
            if answer is None:
                listed = "Chưa báo cáo"
            else:
                result = display(result_column, answer.get("result")) if result_column else answer.get("result")
                listed = f"{answer['name']}: {result}" + (
                    f" — {clip(answer['cause'], 300)}" if answer.get("cause") else ""
                )
        rows.append(
            Row(
                [
                    item.get("number") or "",
                    clip(item.get("title"), 1000),
                    item.get("lead") or "",
                    *[clip(str((item.get("fields") or {}).get(c["key"]) or ""), 600) for c in others],
                    item.get("due") or "",
                    _count(item.get("answers")),
                    _count(by_result.get("done", 0)),
                    _count(by_result.get("not_done", 0)),
                    listed,
                ]
            )
        )
    title = table.title if table else "KẾT QUẢ TRIỂN KHAI CÁC NHIỆM VỤ CỦA NGHỊ QUYẾT 175"
    return Appendix(key, _heading(key, table), title, _orientation(table), TableSpec(columns, rows))


# --- PL03, PL04, PL05: services ---------------------------------------------------------------


def _service_value(row: dict, key: str):
    values = row.get("values") or {}
    if key in values:
        return values[key]
    return row.get(key)


def service_appendix(service: dict, layout, lower_counts: list | None = None) -> Appendix:
    table = _table(layout, service["table"])
    numeric = [c for c in service.get("columns") or [] if c.get("type") in NUMERIC]
    label_column = table.label_column["label"] if table is not None else "Dịch vụ"

    def label_of(c: dict) -> str:
        # The change column says what it is measured against (12/2023 figures or the previous round).
        return change_label(service, _column_label(c)) if c["key"] == "change" else _column_label(c)

    columns = [
        Column("number", "TT", "center", 0.5),
        Column("label", label_column, "left", 4),
        Column("units", "Số đơn vị báo cáo", "right", 1),
        *[Column(c["key"], label_of(c), "right", 1.4 if c["type"] == "money" else 1.1) for c in numeric],
    ]
    everything = [*(service.get("rows") or []), service.get("total") or {}]
    change = {"key": "change", "type": "percent", "decimals": 2}
    saving = {"key": "saving", "type": "money"}
    extra = []
    # The change column is kept even when no baseline was entered (its cells then empty), and says what
    # it is measured against.
    defined = table.column_index.get("change") if table is not None else None
    if not any(c["key"] == "change" for c in numeric) and (
        defined is not None or any(r.get("change") is not None for r in everything)
    ):
        label = change_label(service, _column_label(defined) if defined else None)
        extra.append((Column("change", label, "right", 1.1), change))
    if any(r.get("computed_savings") for r in everything):
        extra.append((Column("computed_saving", "Tiết kiệm tính theo TT 02/2017 (đồng)", "right", 1.4), saving))
    columns += [column for column, _ in extra]
    group_titles = {g.key: g.title for g in table.groups} if table else {}

    def extra_value(row, key):
        if key == "change":
            return row.get("change") if row.get("change") is not None else _service_value(row, "change")
        return (row.get("computed_savings") or {}).get("saving")

    def cells(row, number):
        return (
            [number, row["label"], _count(row.get("units"))]
            + [
                _figure(c, extra_value(row, "change") if c["key"] == "change" else _service_value(row, c["key"]))
                for c in numeric
            ]
            + [_figure(spec, extra_value(row, column.key)) for column, spec in extra]
        )

    rows: list[Row] = []
    current = None
    for row in service.get("rows") or []:
        if row.get("group") != current:
            current = row.get("group")
            if group_titles.get(current):
                rows.append(Row([group_titles[current]], kind="group"))
        rows.append(Row(cells(row, row.get("number") or "")))
    free = service.get("free_rows") or []
    if free:
        rows.append(Row(["Dịch vụ do các đơn vị bổ sung"], kind="group"))
        rows.extend(Row(cells(row, str(index))) for index, row in enumerate(free, start=1))
    total = service.get("total")
    if total:
        label = table.totals[0]["label"] if table is not None and table.totals else "TỔNG CỘNG"
        rows.append(Row(cells({"label": label, **total}, ""), kind="total"))
    title = service.get("title") or (table.title if table else "")
    heading = _heading(service["table"], table, service.get("number"), service.get("printed_as"))
    groups = _header_groups(table)
    appendix = Appendix(service["table"], heading, title, _orientation(table), TableSpec(columns, rows, groups))
    # Reports through the levels: how many accepted communes (departments) each consolidated figure of
    # the provinces rests on, printed after the table.
    lower = [c for c in lower_counts or [] if c.get("table_key") == service["table"]]
    if lower:
        spec = TableSpec(
            [
                Column("row", "Dòng", "left", 3),
                Column("column", "Cột", "left", 1.6),
                Column("units", "Số xã, sở đã được tiếp nhận", "right", 1.2),
            ],
            [Row([c["row"], c["column"], _count(c["units"])]) for c in lower],
        )
        appendix.more.append(("Số đơn vị cấp dưới (xã, sở) mà số liệu tổng hợp của các tỉnh dựa trên", spec))
    return appendix


def _figure(column: dict, value) -> str:
    """A figure as printed in an appendix: rates always with 2 decimals (70,30), the rest as stored."""
    if column.get("type") == "percent" and value not in (None, ""):
        return format_number(value, 2)
    return display(column, value)


CHANGE_LABELS = {
    "baseline": "Tăng/giảm tỷ lệ so với 12/2023 (điểm %)",
    "previous": "Tăng/giảm tỷ lệ so với kỳ trước (điểm %)",
    "mixed": "Tăng/giảm tỷ lệ so với 12/2023 hoặc kỳ trước (điểm %)",
}


def change_label(service: dict, default: str | None = None) -> str:
    """What the change column is measured against: the 12/2023 figures entered for the round, the
    previous round's rates, or both (per row); the definition's own label when nothing says."""
    against = service.get("change_against")
    if against in CHANGE_LABELS:
        return CHANGE_LABELS[against]
    return default or CHANGE_LABELS["baseline"]


def _column_label(column: dict) -> str:
    unit = column.get("unit")
    label = f"{column['label']} ({unit})" if unit else column["label"]
    # The level the national total counts the column at (docs/definition-format.md, "Levels").
    return f"{label} — {column['counted_at']}" if column.get("counted_at") else label


# --- PL06: services not yet integrated, grouped -----------------------------------------------

# Without the table's definition (an old snapshot read on its own), the columns of 4709's list.
LIST_FALLBACK = [
    ("service", "Tên dịch vụ công/TTHC", 3),
    ("ministry", "Bộ, ngành", 1.4),
    ("locality", "Địa phương", 1.4),
    ("progress", "Tiến độ", 1.5),
    ("cause", "Nguyên nhân", 2),
    ("solution", "Giải pháp", 2),
]


def list_fields(table) -> list[tuple[str, str, float]]:
    """A `lists` table's printed columns, in the definition's order: (key, label, relative width).
    The label column is the widest; columns under a shared header (e.g. "Cơ quan thực hiện") narrower."""
    if table is None:
        return LIST_FALLBACK
    grouped = {key for group in table.header for key in group.get("columns") or []}
    return [
        (c["key"], c["label"], 3 if c.get("role") == "label" else 1.4 if c["key"] in grouped else 1.8)
        for c in table.columns
    ]


def pl06_appendix(data: dict, layout, key: str | None = None, groups: list | None = None) -> Appendix | None:
    """A `lists` table (the first one, `pl06` of the dict, unless `key` and `groups` say another)."""
    groups = data.get("pl06") if groups is None else groups
    if groups is None:
        return None
    key = key or table_key(layout, "list")
    table = _table(layout, key)
    fields = list_fields(table)
    columns = [Column("number", "TT", "center", 0.5)] + [
        Column(key, _label(table, key, label), "left", weight) for key, label, weight in fields
    ]
    rows: list[Row] = []
    number = 0
    for group in groups:
        rows.append(Row([group.get("title") or GROUP_TITLES.get(group.get("group"), "")], kind="group"))
        for unit in group.get("units") or []:
            rows.append(Row(["", unit["name"]], kind="subgroup"))
            for row in unit.get("rows") or []:
                number += 1
                rows.append(Row([str(number)] + [clip(row.get(key)) for key, _, _ in fields]))
    title = table.title if table else "DỊCH VỤ CÔNG THIẾT YẾU CHƯA HOÀN THÀNH TÍCH HỢP"
    return Appendix(
        key, _heading(key, table), title, _orientation(table), TableSpec(columns, rows, _header_groups(table))
    )


# --- PL07: benefits matrix with source units -------------------------------------------------


def pl07_cell(entries: list[dict]) -> str:
    """Every source unit's text, central bodies to provinces: none is left out. With more than
    CELL_ENTRIES sources each text is cut shorter (ENTRY_CHARS / 3) so the cell stays printable; the
    full texts are in the JSON and the workbook."""
    limit = ENTRY_CHARS if len(entries) <= CELL_ENTRIES else ENTRY_CHARS // 3
    return "\n".join(f"{e['name']}: {clip(e.get('text'), limit)}" for e in entries)


def pl07_appendix(data: dict, layout, key: str | None = None, items: list | None = None) -> Appendix | None:
    """A `matrix` table (the first one, `pl07` of the dict, unless `key` and `items` say another)."""
    items = data.get("pl07") if items is None else items
    if items is None:
        return None
    key = key or table_key(layout, "matrix")
    table = _table(layout, key)
    if table is not None:
        text_columns = [c for c in table.columns if c.get("role") != "label"]
        label = table.label_column["label"]
    else:
        keys = list(dict.fromkeys(k for item in items for k in item.get("cells") or {}))
        text_columns = [{"key": k, "label": k, "type": "text"} for k in keys] + [
            {"key": "causes", "label": "Nguyên nhân", "type": "multichoice", "choices": []}
        ]
        label = "Nội dung"
    columns = [Column("number", "TT", "center", 0.5), Column("label", label, "left", 2.2)] + [
        Column(c["key"], c["label"], "left", 1.4 if c["type"] == "multichoice" else 2.2) for c in text_columns
    ]
    rows: list[Row] = []
    for item in items:
        cells = [item.get("number") or "", item["label"]]
        for column in text_columns:
            if column["type"] == "multichoice":
                cells.append(_causes(column, item.get("causes") or {}))
            else:
                cells.append(pl07_cell((item.get("cells") or {}).get(column["key"]) or []))
        rows.append(Row(cells, bold_first=bool(item.get("heading"))))
    title = table.title if table else "TIỆN ÍCH, GIÁ TRỊ MANG LẠI"
    return Appendix(
        key, _heading(key, table), title, _orientation(table), TableSpec(columns, rows, _header_groups(table))
    )


def _causes(column: dict, counts: dict) -> str:
    labels = {c["value"]: c["label"] for c in column.get("choices") or []}
    return "\n".join(f"{labels.get(k, k)}: {format_number(v)}" for k, v in counts.items() if v)


# --- All ---------------------------------------------------------------------------------------


def appendices(data: dict, layout, unit_groups: dict[str, str]) -> list[Appendix]:
    """Every national appendix, in the order of the definition's tables."""
    found = [
        tasks_appendix(data, layout, unit_groups),
        pl02_appendix(data, layout),
        *[
            service_appendix(s, layout, (data.get("levels") or {}).get("lower_counts"))
            for s in data.get("services") or []
        ],
        pl06_appendix(data, layout),
        pl07_appendix(data, layout),
        *[pl06_appendix(data, layout, e["table"], e.get("groups") or []) for e in data.get("more_lists") or []],
        *[pl07_appendix(data, layout, e["table"], e.get("rows") or []) for e in data.get("more_matrices") or []],
    ]
    order = {t.key: i for i, t in enumerate(layout.tables)} if layout is not None else {}
    found = [a for a in found if a is not None]
    return sorted(found, key=lambda a: order.get(a.key, len(order)))
