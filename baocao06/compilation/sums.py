"""The number sums behind the services tables: each (table, group, merge key, column) nationwide.

A round is compiled again and again while its reports come in, and between two compiles only a few
versions come or go: `round_sums` starts from the sums the last compile kept (`SumsBase`) and reads
only the versions added since and those no longer chosen (their sums added and taken away, exactly:
`Decimal` and counts), falling back to the whole sum when there is no base or too much has changed.
`keep` stores what a compile summed as the round's next base.

The compile starts this read first, on another connection (engine._Early); the rankings' sums by unit
come from the versions' summaries (summaries.py). On PostgreSQL the versions are joined as
`unnest(array)`, so that the planner knows how many there are and hashes them (the plan of the SQL floor
of `bench compile`), without parallel workers (the compile already reads on several connections at
once). One `GROUPING SETS` pass for these sums and the rankings' had to sort the 1.9 million numbers of
a national round by version (docs/operations.md). Elsewhere it is an ORM aggregate. Either way the
figures are the same (the engine's tests check them against sums made from the versions' JSON on both
databases).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum

from baocao06.core import clock
from baocao06.reports.models import ReportVersion

from .models import SumsBase, VersionValue

# Bump it whenever stored sums would come out otherwise (a change of GROUPS_SQL, or of the value rows
# themselves, as a data migration like compilation 0003 makes): bases of another format are not used.
FORMAT = 1
# Versions from which a whole sum is read in two halves at once (a national round has ~3,400).
SPLIT_FROM = 500

GROUPS_SQL = """
SELECT v.part, v."group", v.merge_key, v."column", SUM(v.number), COUNT(*)
FROM {table} v JOIN unnest(%s::bigint[]) AS chosen(id) ON chosen.id = v.version_id
WHERE v.part = ANY(%s) AND v.number IS NOT NULL
GROUP BY v.part, v."group", v.merge_key, v."column"
"""


def group_sums(version_ids: list[int], parts: list[str]) -> list[tuple[str, str, str, str, Decimal, int]]:
    """(part, group, merge key, column, sum, count) of the numbers of `parts` in `version_ids`."""
    if not version_ids:
        return []
    if connection.vendor == "postgresql":
        sql = GROUPS_SQL.format(table=connection.ops.quote_name(VersionValue._meta.db_table))
        params = [sorted(set(version_ids)), list(parts)]  # a version given twice counts once, as with IN

        def read() -> list[tuple]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return [tuple(row) for row in cursor.fetchall()]

        if connection.in_atomic_block:  # a caller's transaction: its settings are left as they are
            return read()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return read()
    return list(
        VersionValue.objects.filter(version_id__in=version_ids, part__in=parts, number__isnull=False)
        .values_list("part", "group", "merge_key", "column")
        .annotate(total=Sum("number"), n=Count("id"))
        .order_by()
    )


# --- From the round's last base ----------------------------------------------------------------


@dataclass
class Read:
    """Sums of `ids`: `rows` as `group_sums` gives them; `changed` when they differ from the stored
    base's versions (so `keep` has something to store); `reused` when the base was used."""

    ids: list[int]
    parts: list[str]
    rows: list[tuple]
    changed: bool
    reused: bool


def services_parts(block: dict) -> list[str]:
    """The tables whose numbers a compilation block sums: its service tables and its costs' table."""
    costs = block.get("costs")
    return list(block["services"]["tables"]) + ([costs["table"]] if costs else [])


def base_key(parts) -> str:
    return hashlib.sha256("\n".join([str(FORMAT), *sorted(set(parts))]).encode()).hexdigest()


def round_sums(round_, version_ids: list[int], parts: list[str]) -> Read:
    """The sums of `version_ids`, from the round's base when it is close enough (reads only)."""
    ids = sorted(set(version_ids))
    base = SumsBase.objects.filter(round=round_, key=base_key(parts)).values_list("version_ids", "sums").first()
    if base is not None:
        had, chosen = set(base[0]), set(ids)
        added, removed = sorted(chosen - had), sorted(had - chosen)
        # Reading the difference beats reading everything while it is fewer versions; a version of the
        # base that no longer exists (a deleted report) makes the base unusable.
        if len(added) + len(removed) < len(ids) and (
            not removed or ReportVersion.objects.filter(pk__in=removed).count() == len(removed)
        ):
            rows = _moved(base[1], group_sums(added, parts), group_sums(removed, parts))
            if rows is not None:
                return Read(ids, list(parts), rows, changed=bool(added or removed), reused=True)
    return Read(ids, list(parts), _all_sums(ids, parts), changed=True, reused=False)


def _all_sums(ids: list[int], parts: list[str]) -> list[tuple]:
    """Every version summed: on PostgreSQL outside a transaction, in two halves on two connections at
    once (the first compile of a round: its longest read), else in one."""
    if connection.vendor != "postgresql" or connection.in_atomic_block or len(ids) < SPLIT_FROM:
        return group_sums(ids, parts)
    from concurrent.futures import ThreadPoolExecutor

    from .concurrent import on_own_connection

    half = len(ids) // 2
    with ThreadPoolExecutor(1, thread_name_prefix="compile-sums") as pool:
        other = pool.submit(on_own_connection, group_sums, ids[half:], parts)
        totals = _added({}, group_sums(ids[:half], parts))
        _added(totals, other.result())
    return [(*key, total, n) for key, (total, n) in totals.items()]


def _added(totals: dict[tuple, list], rows, sign: int = 1) -> dict[tuple, list]:
    """`rows` (as `group_sums` gives them) added into `totals` ({key: [sum, count]}), or taken away."""
    for part, group, merge, column, total, n in rows:
        kept = totals.setdefault((part, group, merge, column), [Decimal(0), 0])
        kept[0] += sign * Decimal(total)
        kept[1] += sign * n
    return totals


def _moved(base: list, added: list[tuple], removed: list[tuple]) -> list[tuple] | None:
    """The base's sums with `added` added and `removed` taken away; None if that takes away more than
    the base holds (a base that does not match its versions: never used)."""
    totals = _added(_added(_added({}, base), added), removed, -1)
    if any(n < 0 for _, n in totals.values()):
        return None
    return [(*key, total, n) for key, (total, n) in totals.items() if n > 0]


def keep(round_, read: Read) -> None:
    """Store `read` as the round's base for its tables (one row; replaced whole, never edited)."""
    if not read.changed:
        return
    SumsBase.objects.update_or_create(
        round=round_,
        key=base_key(read.parts),
        defaults={
            "version_ids": read.ids,
            "sums": [[part, group, merge, column, str(total), n] for part, group, merge, column, total, n in read.rows],
            "made_at": clock.now(),
        },
    )
