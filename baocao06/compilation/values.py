"""A submitted version's content normalised into `VersionValue` rows, for SQL aggregation.

Called inside the submission's transaction, so a version and its values land together or not at all.
Catalogue fields (`item_field`) of catalogue rows are not copied: the round's frozen layout has them. A
row the unit added itself has no catalogue item, so every column of it is what the unit typed, its
name included, and is stored.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count

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
                if column is None or (fixed and column.get("item_field")) or value is None:
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


def free_row_labels(values, tables) -> dict[tuple[str, str], str]:
    """The name national tables show for each merged free row: `{(table, merge_key): label}`.

    Units spell the same service differently ("Cấp bản sao Trích lục hộ tịch", "cấp bản sao trích
    lục hộ tịch"); the row shows the spelling the most units typed (spaces collapsed), and among
    spellings typed by as many units the first in Vietnamese collation, so the choice never depends
    on the order of submissions. `values` is the compile's `VersionValue` queryset.
    """
    tables = list(tables)
    counts: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for part, merge, text, n in (
        values.filter(kind=PartKind.TABLE, part__in=[t.key for t in tables], merge_key__startswith="~")
        .filter(column__in={t.label_column["key"] for t in tables})
        .values_list("part", "merge_key", "text")
        .annotate(n=Count("version", distinct=True))
        .order_by()
    ):
        counts[(part, merge)][" ".join(text.split())] += n
    return {
        place: min(spellings, key=lambda s: (-spellings[s], collation_key(s), s))
        for place, spellings in counts.items()
    }
