"""Where a comment applies: the report, a section (and field), a table row or a cell.

An anchor is written `part[:field]` for a section and `part[:row[:column]]` for a table (the `at`
parameter of the review page). It is checked against what addresses the unit and against the
version under review (free rows exist only there), and rendered as a place a person reads, in the
same form as validation problems: `PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»`.
"""

from __future__ import annotations

from dataclasses import dataclass

from baocao06.definitions.layout import UnitView

GENERAL = "Chung (cả báo cáo)"


class BadAnchor(ValueError):
    """A place that is not in the unit's report."""


@dataclass(frozen=True)
class Anchor:
    part: str = ""
    field: str = ""
    row: str = ""
    column: str = ""
    place: str = GENERAL

    @property
    def param(self) -> str:
        if not self.part:
            return ""
        tail = [self.field] if self.field else [p for p in (self.row, self.column) if p]
        return ":".join([self.part, *tail])


def _free_row_label(content: dict | None, table, row_key: str) -> str | None:
    rows = ((content or {}).get("tables", {}).get(table.key) or {}).get("rows") or []
    for row in rows:
        if row.get("key") == row_key:
            return str((row.get("values") or {}).get(table.label_column["key"]) or "")
    return None


def _short(text: str) -> str:
    text = (text or "").strip()
    return text[:60] + "…" if len(text) > 60 else text


def resolve(view: UnitView, content: dict | None, part="", field="", row="", column="") -> Anchor:
    """The anchor for these coordinates, with its place; BadAnchor when it is not in the report."""
    if not part:
        if field or row or column:
            raise BadAnchor("Vị trí nhận xét không hợp lệ.")
        return Anchor()
    if part in view.table_index:
        table_view = view.table_index[part]
        table = table_view.table
        place = f"{table.label} ({part})"
        if field:
            raise BadAnchor("Phụ lục không có trường nội dung.")
        if not row:
            if column:
                raise BadAnchor("Nhận xét theo ô phải chọn dòng.")
            return Anchor(part, place=place)
        fixed = table_view.fixed_rows.get(row)
        if fixed is not None and not fixed.heading:
            number = f" {fixed.number}" if fixed.number else ""
            place = f"{part} › dòng{number} «{_short(fixed.label)}»"
        else:
            label = _free_row_label(content, table, row)
            if label is None:
                raise BadAnchor("Dòng này không có trong báo cáo.")
            place = f"{part} › dòng «{_short(label)}»"
        if column:
            if column not in table.column_index:
                raise BadAnchor("Cột này không có trong phụ lục.")
            place += f" › cột «{table.column_index[column]['label']}»"
        return Anchor(part, row=row, column=column, place=place)
    section = view.layout.section_index.get(part)
    if section is None or not view.applies(section):
        raise BadAnchor("Mục này không có trong báo cáo của đơn vị.")
    if row or column:
        raise BadAnchor("Mục đề cương không có dòng, cột.")
    place = f"Mục {section.key}"
    if field:
        spec = next((f for f in section.fields if f["key"] == field), None)
        if spec is None:
            raise BadAnchor("Trường này không có trong mục.")
        place += f" › {spec['label']}"
    return Anchor(part, field=field, place=place)


def parse(view: UnitView, content: dict | None, text: str) -> Anchor:
    """The anchor written as `part[:field]` or `part[:row[:column]]`."""
    pieces = (text or "").strip().split(":")[:3]
    part = pieces[0]
    if not part:
        return Anchor()
    if part in view.table_index:
        row = pieces[1] if len(pieces) > 1 else ""
        column = pieces[2] if len(pieces) > 2 else ""
        return resolve(view, content, part, row=row, column=column)
    return resolve(view, content, part, field=pieces[1] if len(pieces) > 1 else "")
