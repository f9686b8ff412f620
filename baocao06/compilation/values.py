"""A submitted version's content normalised into `VersionValue` rows, for SQL aggregation.

Called inside the submission's transaction, so a version and its values land together or not at all.
Catalogue fields (`item_field`) of catalogue rows are not copied: the round's frozen layout has them. A
row the unit added itself has no catalogue item, so every column of it is what the unit typed, its
name included, and is stored.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db import connection

from baocao06.compilation.models import PartKind, VersionValue
from baocao06.core.vietnamese import collation_key

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
            fixed = row_key in spec.row_index
            merge = row_key if fixed else merge_key(values.get(label_column))
            head = (version_id, unit_id, PartKind.TABLE, table_key, row_key, row.get("group") or "", merge, position)
            for column_key, value in values.items():
                column = spec.column_index.get(column_key)
                if column is None or (fixed and column.get("item_field")) or value is None:
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
    """Insert rows of FIELDS (no model instances): PostgreSQL's COPY, else one prepared statement.

    A submission stores its ~400 values inside its transaction, and a deadline's submissions come in
    bursts (QUALITY.md's surge). On PostgreSQL one INSERT per row cost a submission ~40 ms (the driver
    binds each statement) and multi-row INSERTs more (it parses each long statement anew); COPY
    streams the rows in one command. SQLite's `executemany` runs in C and stays."""
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = VersionValue._meta
    table = quote(meta.db_table)
    columns = ", ".join(quote(meta.get_field(name).column) for name in FIELDS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(FIELDS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model
        for start in range(0, len(rows), batch):
            cursor.executemany(sql, rows[start : start + batch])


def store(version, layout, unit_id: int, layout_hash: str) -> int:
    """The version's value rows and, made from the same rows, its compile summary (summaries.py)."""
    from .summaries import store as store_summary

    rows = value_tuples(version, layout, unit_id)
    insert(rows)
    store_summary(version.pk, rows, layout, layout_hash)
    return len(rows)


def free_row_labels(spellings) -> dict[tuple[str, str], str]:
    """The name national tables show for each merged free row: `{(table, merge_key): label}`.

    Units spell the same service differently ("Cấp bản sao Trích lục hộ tịch", "cấp bản sao trích
    lục hộ tịch"); the row shows the spelling the most units typed (spaces collapsed, the units' case
    kept, its first letter a capital), and among spellings typed by as many units one that starts with
    a capital, then the first in Vietnamese collation, so the choice never depends
    on the order of submissions. `spellings` gives (table, merge key, name) once per version that typed
    that name (the versions' summaries, summaries.py).
    """
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part, merge, text in spellings:
        counts[(part, merge)][" ".join(text.split())] += 1
    return {
        place: _capitalised(min(names, key=lambda s: (-names[s], not s[:1].isupper(), collation_key(s), s)))
        for place, names in counts.items()
    }


def _capitalised(label: str) -> str:
    """A service name as a table row prints it: the units' case kept, the first letter a capital."""
    return label[:1].upper() + label[1:]
