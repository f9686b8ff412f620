"""Each unit's appendix tables of a snapshot, streamed from `VersionValue` for the national workbook.

`iter_unit_tables(version_ids, layout)` yields, in the order of `version_ids` (the snapshot's unit
order), `(unit_key, unit_name, {table_key: [{"key", "group", "values": {column: value}}]})`: the rows
of each submitted table as the version holds them, minus catalogue fields (`item_field` columns are not
stored; the frozen layout has them). Numbers come back as int (integral) or float; a multiple choice,
stored as one row per chosen value, comes back as the list of its values in the order chosen.

Two queries whatever the number of units: the units' names, then every table value of the versions in
one ordered, server-side-cursor query read in chunks, so memory holds one unit at a time.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal

from django.db import connection

from baocao06.compilation.models import PartKind, VersionValue
from baocao06.reports.models import ReportVersion

CHUNK = 20_000

UnitTables = tuple[str, str, dict[str, list[dict]]]


def _number(value) -> int | float:
    if not isinstance(value, Decimal):
        value = Decimal(str(value))  # SQLite may hand back floats or strings
    whole = int(value)
    return whole if whole == value else float(value)


def _units(version_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    rows = ReportVersion.objects.filter(pk__in=version_ids).values_list("pk", "report__unit__key", "report__unit__name")
    return {pk: (key, name) for pk, key, name in rows}


def _query(version_ids: Sequence[int]) -> str:
    # The snapshot's unit order is not an order of any stored column: join the values to an inline
    # list of (version, position) and sort by the position. The ids are integers checked by int();
    # inline literals avoid the bound-parameter limits of SQLite for national rounds.
    wanted = ", ".join(f"({int(v)}, {n})" for n, v in enumerate(version_ids))
    table = connection.ops.quote_name(VersionValue._meta.db_table)
    q = connection.ops.quote_name
    # Only integers (int()) and quoted model names are interpolated.
    return (
        f"WITH wanted (version_id, ord) AS (VALUES {wanted}) "  # noqa: S608
        f"SELECT w.ord, v.{q('part')}, v.{q('row')}, v.{q('group')}, v.{q('position')}, "
        f"v.{q('column')}, v.{q('number')}, v.{q('text')} "
        f"FROM {table} v JOIN wanted w ON w.version_id = v.{q('version_id')} "
        f"WHERE v.{q('kind')} = '{PartKind.TABLE.value}' "
        f"ORDER BY w.ord, v.{q('part')}, v.{q('position')}, v.{q('id')}"
    )


def _rows(version_ids: Sequence[int], chunk_size: int) -> Iterable[tuple]:
    with connection.chunked_cursor() as cursor:
        cursor.execute(_query(version_ids))
        while True:
            batch = cursor.fetchmany(chunk_size)
            if not batch:
                return
            yield from batch


class _Builder:
    """One unit's tables, rebuilt from its values in (part, position) order."""

    def __init__(self, multichoice: frozenset[tuple[str, str]]):
        self.multichoice = multichoice
        self.tables: dict[str, list[dict]] = {}
        self._values: dict = {}
        self._place: tuple[str, int] | None = None

    def add(self, part, row_key, group, position, column, number, text) -> None:
        if self._place != (part, position):
            self._place = (part, position)
            self._values = {}
            self.tables.setdefault(part, []).append({"key": row_key, "group": group, "values": self._values})
        if (part, column) in self.multichoice:
            self._values.setdefault(column, []).append(text)
        elif number is not None:
            self._values[column] = _number(number)
        else:
            self._values[column] = text


def iter_unit_tables(version_ids: Sequence[int], layout, *, chunk_size: int = CHUNK) -> Iterator[UnitTables]:
    """`(unit_key, unit_name, tables)` for each version, in the given order (see the module doc)."""
    version_ids = [int(v) for v in version_ids]
    if not version_ids:
        return
    units = _units(version_ids)
    multichoice = frozenset((t.key, c["key"]) for t in layout.tables for c in t.columns if c["type"] == "multichoice")
    builder = _Builder(multichoice)
    current = 0
    for ord_, part, row_key, group, position, column, number, text in _rows(version_ids, chunk_size):
        if ord_ != current:
            yield (*units[version_ids[current]], builder.tables)
            for empty in range(current + 1, ord_):  # versions with no table values
                yield (*units[version_ids[empty]], {})
            current, builder = ord_, _Builder(multichoice)
        builder.add(part, row_key, group, position, column, number, text)
    yield (*units[version_ids[current]], builder.tables)
    for empty in range(current + 1, len(version_ids)):
        yield (*units[version_ids[empty]], {})
