"""The national workbook's service sheets (PL03, PL04, PL05), the grouped list PL06 and the matrix PL07."""

from __future__ import annotations

from . import numbering
from .rows import CELL_LIMIT, Label

NUMERIC = {"integer", "money", "number", "percent"}
SERVICE_FIXED = ["Mã", "STT", "Tên dịch vụ", "Số đơn vị báo cáo"]
SERVICE_EXTRA = [
    ("baseline_rate", "Tỷ lệ trực tuyến kỳ gốc (%)", "percent"),
    ("change", "Tăng/giảm so với kỳ gốc (điểm %)", "percent"),
]
# Typed savings beside the savings computed from the Circular 02/2017 inputs (docs/national-format.md).
SAVINGS = [
    ("typed", "Tiết kiệm do đơn vị nhập (đồng)", "money"),
    ("saving", "Tiết kiệm tính theo TT 02/2017 (đồng)", "money"),
    ("cost_before", "Chi phí trước cắt giảm (đồng/năm)", "money"),
    ("cost_after", "Chi phí sau cắt giảm (đồng/năm)", "money"),
    ("cut_rate", "Tỷ lệ cắt giảm (%)", "percent"),
    ("units", "Số đơn vị có số liệu tính", "integer"),
]


def service_columns(wb, table_key: str, entry: dict | None) -> list[dict]:
    """The value columns of a service table: the data's own list, without the row label."""
    spec = wb.table(table_key)
    label_key = spec.label_column["key"] if spec else None
    columns = (entry or {}).get("columns") or ([c for c in spec.columns if not c.get("item_field")] if spec else [])
    return [c for c in columns if c["key"] != label_key]


def _heading(label: str, unit: str | None, counted_at: str | None = None) -> str:
    label = f"{label} ({unit})" if unit else label
    # The level the national total counts the column at (docs/definition-format.md, "Levels").
    return f"{label} — {counted_at}" if counted_at else label


def write_services(wb, table_key: str, entry: dict | None):
    columns = service_columns(wb, table_key, entry)
    widths = [12, 6, 44, 10] + [30 if c.get("type") not in NUMERIC else 15 for c in columns] + [13, 13]
    widths += [17] * len(SAVINGS)
    sh = wb.sheet(table_key, widths)
    spec = wb.table(table_key)
    wb.title(
        sh, numbering.heading(table_key, wb.layout, entry), (entry or {}).get("title") or (spec.title if spec else None)
    )
    labels = SERVICE_FIXED + [_heading(c.get("label") or c["key"], c.get("unit"), c.get("counted_at")) for c in columns]
    labels += [label for _, label, _ in SERVICE_EXTRA] + [label for _, label, _ in SAVINGS]
    wb.header(sh, labels, freeze_cols=3)
    if entry is None:
        sh.row([None, None, (Label("Không có số liệu"), "note")])
        return sh
    groups = {g.key: g for g in spec.groups} if spec else {}
    group = None
    for row in entry.get("rows") or []:
        if row.get("group") != group:
            group = row.get("group")
            if group in groups and groups[group].title:
                sh.row([None, (Label(groups[group].number or ""), "group"), (Label(groups[group].title), "group")])
        sh.row(_service_row(columns, row, key=row.get("key"), number=row.get("number")))
    free_rows = entry.get("free_rows") or []
    if free_rows:
        sh.row([None, None, (Label(f"Dịch vụ do đơn vị bổ sung ({len(free_rows)})"), "group")])
        for row in free_rows:
            sh.row(_service_row(columns, row, key=None, number=None))
    total = entry.get("total")
    if total:
        label = spec.totals[0]["label"] if spec and spec.totals else "TỔNG SỐ"
        sh.row(_service_row(columns, {**total, "label": label}, key=None, number=None, total=True))
    return sh


def _service_row(columns, row: dict, *, key, number, total: bool = False) -> list:
    text_style = "total" if total else "text"
    values = row.get("values") or {}
    computed = row.get("computed_savings") or {}
    cells = [
        (Label(key or ""), text_style),
        (Label(number or ""), "total" if total else "stt"),
        (Label(row.get("label") or ""), text_style),
        (row.get("units"), "total_int" if total else "int"),
    ]
    for column in columns:
        cells.append(_value(values.get(column["key"]), column.get("type"), total))
    for key_, _, kind in SERVICE_EXTRA:
        cells.append(_value(row.get(key_), kind, total))
    for key_, _, kind in SAVINGS:
        value = values.get("savings_total") if key_ == "typed" else computed.get(key_)
        cells.append(_value(value, kind, total))
    return cells


def _value(value, kind: str | None, total: bool) -> tuple:
    if isinstance(value, int | float) and not isinstance(value, bool):
        base = "int" if kind in {"integer", "money"} else "dec"
        return (value, f"total_{base}" if total else base)
    return (value if value is not None else "", "total" if total else "text")


def write_pl06(wb, key: str | None = None, groups: list | None = None):
    """A `lists` table's sheet: the first (`pl06`) unless `key` and `groups` name another."""
    key = key or wb.role("list")
    spec = wb.table(key)
    groups = (wb.data.get("pl06") if groups is None else groups) or []
    declared = [c["key"] for c in spec.columns] if spec else []
    keys = list(declared)
    for group in groups:
        for unit in group.get("units") or []:
            for row in unit.get("rows") or []:
                keys += [k for k in row if k not in keys]
    sh = wb.sheet(key, [6, 30] + [30] * len(keys))
    wb.title(sh, numbering.heading(key, wb.layout), spec.title if spec else None)
    wb.header(sh, ["STT", "Đơn vị báo cáo"] + [wb.column_label(key, k) for k in keys], freeze_cols=2)
    for group in groups:
        sh.row([(Label(group.get("group") or ""), "group"), (Label(group.get("title") or ""), "group")])
        n = 0
        for unit in group.get("units") or []:
            name = Label(unit.get("name") or unit.get("key") or "")
            for row in unit.get("rows") or []:
                n += 1
                sh.row([(n, "stt"), (name, "text"), *[(row.get(k) or "", "text") for k in keys]])
    return sh


def pl07_columns(wb, key: str | None = None, entries: list | None = None) -> tuple[list[str], list[str]]:
    """The text columns of the matrix (in the definition's order) and the causes (choice values)."""
    key = key or wb.role("matrix")
    entries = (wb.data.get("pl07") if entries is None else entries) or []
    spec = wb.table(key)
    declared = []
    if spec:
        declared = [
            c["key"] for c in spec.columns if c.get("role") != "label" and c["type"] not in {"multichoice", "choice"}
        ]
    texts = list(declared)
    for entry in entries:
        texts += [k for k in entry.get("cells") or {} if k not in texts]
    causes = list(wb.counted_choice_labels(key))
    for entry in entries:
        causes += [k for k in entry.get("causes") or {} if k not in causes]
    return texts, causes


def cell_lines(items: list[dict]) -> list[str]:
    return [f"{item.get('name') or item.get('key')}: {item.get('text') or ''}" for item in items]


def chunk_lines(lines: list[str], limit: int = CELL_LIMIT) -> list[str]:
    """Lines joined into texts of at most `limit` characters (an Excel cell's), whole lines when possible."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        if current and len(current) + 1 + len(line) > limit:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        chunks.append(current)
    return chunks


def write_pl07(wb, key: str | None = None, entries: list | None = None):
    """A `matrix` table's sheet: the first (`pl07`) unless `key` and `entries` name another."""
    key = key or wb.role("matrix")
    entries = (wb.data.get("pl07") if entries is None else entries) or []
    spec = wb.table(key)
    texts, causes = pl07_columns(wb, key, entries)
    cause_labels = wb.counted_choice_labels(key)
    sh = wb.sheet(key, [10, 6, 36] + [60] * len(texts) + [11] * len(causes))
    wb.title(sh, numbering.heading(key, wb.layout), spec.title if spec else None)
    labels = ["Mã", "STT", "Nội dung"] + [wb.column_label(key, k) for k in texts]
    labels += ["Nguyên nhân: " + cause_labels.get(k, k) for k in causes]
    wb.header(sh, labels, freeze_cols=3)
    for entry in entries:
        style = "heading" if entry.get("heading") else "text"
        cells = entry.get("cells") or {}
        counts = entry.get("causes") or {}
        chunks = {k: chunk_lines(cell_lines(cells.get(k) or [])) for k in texts}
        height = max([len(c) for c in chunks.values()] + [1])
        for part in range(height):
            first = part == 0
            row = [
                (Label(entry.get("key") or ""), style),
                (Label(entry.get("number") or "") if first else "", "stt"),
                (Label(entry.get("label") or "") if first else Label("(tiếp theo)"), style),
            ]
            row += [(chunks[k][part] if part < len(chunks[k]) else "", style) for k in texts]
            if first and (counts or not entry.get("heading")):
                row += [(counts.get(k, 0), "int") for k in causes]
            sh.row(row)
    return sh
