"""A submitted version's content normalised into `VersionValue` rows, for SQL aggregation.

Called inside the submission's transaction, so a version and its values land together or not at all.
Catalogue fields (`item_field`) are not copied: the round's frozen layout has them.
"""

from __future__ import annotations

from decimal import Decimal

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


def rows_for(version, layout, unit_id: int) -> list[VersionValue]:
    content = version.content
    out: list[VersionValue] = []
    for section_key, section in (content.get("sections") or {}).items():
        for field_key, text in (section.get("fields") or {}).items():
            if isinstance(text, str) and text:
                out.append(
                    VersionValue(
                        version=version,
                        unit_id=unit_id,
                        kind=PartKind.SECTION,
                        part=section_key,
                        column=field_key,
                        text=text,
                    )
                )
    for table_key, table in (content.get("tables") or {}).items():
        spec = layout.table_index.get(table_key)
        if spec is None:
            continue
        label_column = next((c["key"] for c in spec.columns if c.get("role") == "label"), None)
        for position, row in enumerate(table.get("rows") or []):
            values = row.get("values") or {}
            fixed = row["key"] in spec.row_index
            merge = row["key"] if fixed else merge_key(values.get(label_column))
            for column_key, value in values.items():
                column = spec.column_index.get(column_key)
                if column is None or column.get("item_field") or value is None:
                    continue
                base = {
                    "version": version,
                    "unit_id": unit_id,
                    "kind": PartKind.TABLE,
                    "part": table_key,
                    "row": row["key"],
                    "group": row.get("group") or "",
                    "merge_key": merge,
                    "position": position,
                    "column": column_key,
                }
                if column["type"] in NUMERIC:
                    number = _number(value)
                    if number is not None:
                        out.append(VersionValue(number=number, **base))
                elif isinstance(value, list):
                    out.extend(VersionValue(text=str(v), **base) for v in value)
                elif value != "":
                    out.append(VersionValue(text=str(value), **base))
    return out


def store(version, layout, unit_id: int) -> int:
    rows = rows_for(version, layout, unit_id)
    VersionValue.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
