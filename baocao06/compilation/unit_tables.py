"""Each unit's appendix tables of a snapshot, streamed from `VersionValue` for the national workbook.

`iter_unit_tables(version_ids, layout)` yields, in the order of `version_ids` (the snapshot's unit
order), `(unit_key, unit_name, {table_key: [{"key", "group", "values": {column: value}}]})`: the rows
of each submitted table as the version holds them, minus catalogue fields (`item_field` columns are not
stored; the frozen layout has them). Numbers come back as int (integral) or float; a multiple choice,
stored as one row per chosen value, comes back as the list of its values in the order chosen.

The units' names in one query, then the table values by batches of 50 versions (58 queries for a
national round); memory holds two batches, never the round. Outside a transaction the next batch is
read by a second thread while the current one is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.db import connection
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast

from baocao06.compilation.models import PartKind, VersionValue
from baocao06.reports.models import ReportVersion

from .concurrent import on_own_connection

CHUNK = 20_000
BATCH = 50  # versions read together (~55,000 values at national scale); memory holds two batches

UnitTables = tuple[str, str, dict[str, list[dict]]]


def _number(value) -> int | float:
    if not isinstance(value, Decimal):
        value = Decimal(str(value))  # SQLite may hand back floats or strings
    whole = int(value)
    return whole if whole == value else float(value)


def _trimmed_number(text: str) -> int | float:
    """PostgreSQL's `trim_scale(number)::text` ("12", "-3.5"; see `_rows`) as `_number` gives it: a
    whole number has no point left; float() of the text rounds as float() of its Decimal does."""
    return float(text) if "." in text else int(text)


def unit_names(version_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """(unit key, unit name) of each version."""
    return _units(version_ids)


def _units(version_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    rows = ReportVersion.objects.filter(pk__in=version_ids).values_list("pk", "report__unit__key", "report__unit__name")
    return {pk: (key, name) for pk, key, name in rows}


def _batches(version_ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(version_ids), size):
        yield list(version_ids[start : start + size])


def _rows(batch: list[int]) -> Iterable[tuple]:
    """The table values of a batch of versions, each version's in (part, position) order: the
    (version, kind, part) index gives that order, so no database ever sorts a whole national round.

    The ORM builds the query; it is run on a plain cursor because Django's per-value converters
    (Decimal for every number) cost more than reading the rows (`_number` takes what the driver gives)."""
    number = F("number")
    if connection.vendor == "postgresql":
        # The number as text, trailing zeros dropped ("12", "3.5"): psycopg's numeric → Decimal costs
        # more than the text, and `_trimmed_number` reads it (same value and type as `_number`).
        number = Cast(Func("number", function="trim_scale"), output_field=TextField())
    query = (
        VersionValue.objects.filter(version_id__in=batch, kind=PartKind.TABLE)
        .order_by("version_id", "part", "position", "id")
        .annotate(figure=number)
        .values_list("version_id", "part", "row", "group", "position", "column", "figure", "text")
    )
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield from rows


def _fetch(batch: list[int]) -> list[tuple]:
    """A batch's rows as the driver gives them (read in one go: the batch is bounded)."""
    return list(_rows(batch))


def _prefetched(batches: list[list[int]]) -> Iterator[list[tuple]]:
    """Each batch's rows, the next batch being read by a second thread (and connection) while the
    caller writes the current one: the database's time and the writer's overlap. Only for committed
    data — another connection does not see a transaction in progress — so the caller checks that."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="unit-tables") as pool:
        pending = pool.submit(on_own_connection, _fetch, batches[0])
        for following in [*batches[1:], None]:
            rows = pending.result()
            if following is not None:
                pending = pool.submit(on_own_connection, _fetch, following)
            yield rows


def iter_unit_tables(version_ids: Sequence[int], layout, *, batch_size: int = BATCH) -> Iterator[UnitTables]:
    """`(unit_key, unit_name, tables)` for each version, in the given order (see the module doc)."""
    version_ids = [int(v) for v in version_ids]
    if not version_ids:
        return
    units = _units(version_ids)
    multichoice = frozenset((t.key, c["key"]) for t in layout.tables for c in t.columns if c["type"] == "multichoice")
    batches = list(_batches(version_ids, batch_size))
    # Inside a transaction (tests, or a caller's atomic block) a second connection would not see the
    # data: then read on this connection, one batch after the other.
    overlap = len(batches) > 1 and not connection.in_atomic_block
    chunks = _prefetched(batches) if overlap else (_fetch(batch) for batch in batches)
    number_of = _trimmed_number if connection.vendor == "postgresql" else _number
    for batch, rows in zip(batches, chunks, strict=True):
        # One loop, no call per value (a national round has ~3.3 million values): rows come ordered
        # by version, part, position, so a new (version, part, position) starts a new table row.
        tables_of: dict[int, dict[str, list[dict]]] = {version: {} for version in batch}
        place, values = None, {}
        for version, part, row_key, group, position, column, number, text in rows:
            if place != (version, part, position):
                place, values = (version, part, position), {}
                tables = tables_of[version]
                table = tables.get(part)
                if table is None:
                    table = tables[part] = []
                table.append({"key": row_key, "group": group, "values": values})
            if (part, column) in multichoice:
                values.setdefault(column, []).append(text)
            elif number is not None:
                values[column] = number_of(number)
            else:
                values[column] = text
        for version in batch:
            yield (*units[version], tables_of[version])
