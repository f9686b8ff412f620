"""The number sums behind the services tables: each (table, group, merge key, column) nationwide.

The compile starts this read first, on another connection (engine._Early); the rankings' sums by
unit come from the versions' summaries (summaries.py). On PostgreSQL the versions are joined as
`unnest(array)`, so that the planner knows how many there are and hashes them (the plan of the SQL
floor of `bench compile`), without parallel workers (the compile already reads on several connections
at once). One `GROUPING SETS` pass for these sums and the rankings' had to sort the 1.9 million
numbers of a national round by version (docs/operations.md). Elsewhere it is an ORM aggregate. Either
way the figures are the same (the engine's tests check them against sums made from the versions' JSON
on both databases).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Sum

from .models import VersionValue

GROUPS_SQL = """
SELECT v.part, v."group", v.merge_key, v."column", SUM(v.number), COUNT(*)
FROM {table} v JOIN unnest(%s::bigint[]) AS chosen(id) ON chosen.id = v.version_id
WHERE v.part = ANY(%s) AND v.number IS NOT NULL
GROUP BY v.part, v."group", v.merge_key, v."column"
"""


def group_sums(version_ids: list[int], parts: list[str]) -> list[tuple[str, str, str, str, Decimal, int]]:
    """(part, group, merge key, column, sum, count) of the numbers of `parts` in `version_ids`."""
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
