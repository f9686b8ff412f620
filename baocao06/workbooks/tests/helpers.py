"""Filling a downloaded workbook the way a person does in Excel, with openpyxl."""

from __future__ import annotations

import io

import openpyxl
from django.urls import reverse

from baocao06.reports.actions import view_for
from baocao06.workbooks import sheets


def download(client, report) -> bytes:
    response = client.get(reverse("workbooks:download", args=[report.pk]))
    assert response.status_code == 200, response.status_code
    return response.content


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def save(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, report, data: bytes, action: str = "import", name: str = "bao-cao.xlsx", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(
        name, data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return client.post(reverse("workbooks:upload", args=[report.pk]), {"file": file, "action": action, **extra})


def row_of(ws, key: str) -> int:
    """The 1-based Excel row whose hidden key is `key`."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == key:
            return row[0].row
    raise KeyError(key)


def slots(ws, group: str) -> list[int]:
    """Rows of the empty slots for new free rows of `group`."""
    return [row[0].row for row in ws.iter_rows(min_col=1, max_col=1) if row[0].value == f"{group}/{sheets.FREE_SLOT}"]


def column_of(report, table: str, column: str) -> int:
    """The 1-based Excel column of a table column."""
    return sheets.TableSheet(view_for(report).table_index[table]).col_of[column] + 1


def put(book, report, table: str, row: int | str, values: dict) -> None:
    ws = book[table]
    number = row if isinstance(row, int) else row_of(ws, row)
    for column, value in values.items():
        ws.cell(number, column_of(report, table, column)).value = value


def ref(report, table: str, row: int, column: str) -> str:
    return f"{table}!{openpyxl.utils.get_column_letter(column_of(report, table, column))}{row}"


def browser_rows(report, table: str, typed: dict[str, dict], free: list[tuple[str, dict]] = ()) -> list:
    """What the report page sends for a table: every fixed row with every input cell ("" when empty),
    then free rows per group; free-row keys left out (the browser invents its own)."""
    view = view_for(report).table_index[table]
    t = view.table
    rows = []
    for group in view.groups:
        for row in group.rows:
            if row.heading:
                continue
            inputs = [
                c
                for c in t.columns
                if t.is_input(c) and not (c.get("role") == "label" or c.get("item_field") or c["key"] in row.values)
            ]
            values = {c["key"]: ([] if c["type"] == "multichoice" else "") for c in inputs}
            values.update(typed.get(row.key, {}))
            rows.append((row.key, values))
        for group_key, values in free:
            if group_key == group.group.key:
                full = {c["key"]: ([] if c["type"] == "multichoice" else "") for c in t.columns if t.is_input(c)}
                full.update(values)
                rows.append((f"+{group_key}", full))
    return rows


def stored_rows(report, table: str) -> list:
    data = report.parts.get(key=table).data
    return [(r["key"] if "group" not in r else f"+{r['group']}", r["values"]) for r in data["rows"]]
