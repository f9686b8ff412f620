"""A submitted version's content normalised into `VersionValue` rows, for SQL aggregation.

Called inside the submission's transaction, so a version and its values land together or not at all.
Catalogue fields (`item_field`) are not copied: the round's frozen layout has them.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from baocao06.compilation.models import PartKind, VersionValue

NUMERIC = frozenset({"integer", "money", "number", "percent"})


def _number(value) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return None


def merge_key(label) -> str:
    """The label of a free row folded for merging: case, accents kept; spaces and case ignored."""
    return "~" + " ".join(str(label or "").split()).casefold()[:190]


# The columns a value row fills, in the order `value_tuples` gives them.
FIELDS = ("version_id", "unit_id", "kind", "part", "row", "group", "merge_key", "position", "column", "number", "text")


def value_tuples(version, layout, unit_id: int) -> list[tuple]:
    """The version's values as rows of FIELDS (plain tuples: a submission writes ~1,000 of them, and
    model instances would cost more than the insert)."""
    content = version.content
    version_id = version.pk
    out: list[tuple] = []
    for section_key, section in (content.get("sections") or {}).items():
        for field_key, text in (section.get("fields") or {}).items():
            if isinstance(text, str) and text:
                out.append((version_id, unit_id, PartKind.SECTION, section_key, "", "", "", 0, field_key, None, text))
    for table_key, table in (content.get("tables") or {}).items():
        spec = layout.table_index.get(table_key)
        if spec is None:
            continue
        label_column = next((c["key"] for c in spec.columns if c.get("role") == "label"), None)
        for position, row in enumerate(table.get("rows") or []):
            values = row.get("values") or {}
            row_key = row["key"]
            merge = row_key if row_key in spec.row_index else merge_key(values.get(label_column))
            head = (version_id, unit_id, PartKind.TABLE, table_key, row_key, row.get("group") or "", merge, position)
            for column_key, value in values.items():
                column = spec.column_index.get(column_key)
                if column is None or column.get("item_field") or value is None:
                    continue
                if column["type"] in NUMERIC:
                    number = _number(value)
                    if number is not None:
                        out.append((*head, column_key, number, ""))
                elif isinstance(value, list):
                    out.extend((*head, column_key, None, str(v)) for v in value)
                elif value != "":
                    out.append((*head, column_key, None, str(value)))
    return out


def rows_for(version, layout, unit_id: int) -> list[VersionValue]:
    """The same rows as model instances (for code that wants objects)."""
    return [VersionValue(**dict(zip(FIELDS, values, strict=True))) for values in value_tuples(version, layout, unit_id)]


def insert(rows: list[tuple], batch: int = 2000) -> None:
    """Insert rows of FIELDS in batches with one prepared statement (no model instances)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = VersionValue._meta
    columns = ", ".join(quote(meta.get_field(name).column) for name in FIELDS)
    marks = ", ".join(["%s"] * len(FIELDS))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def store(version, layout, unit_id: int) -> int:
    rows = value_tuples(version, layout, unit_id)
    insert(rows)
    return len(rows)
