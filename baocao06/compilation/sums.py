"""The number sums behind the services tables and the rankings, read once for both.

Services sum each (table, group, merge key, column) nationwide; rankings sum each unit's version over
the service tables' total, online and savings columns. On PostgreSQL both come from one pass over the
values with `GROUPING SETS` (the national round's ~1.2 million numbers are read once, not twice);
elsewhere they are two aggregates. Either way the figures are the same (the engine's tests check them
against sums made from the versions' JSON on both databases).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from .models import VersionValue


@dataclass
class Sums:
    # (part, group, merge_key, column) → (sum, count of values)
    groups: list[tuple[str, str, str, str, Decimal, int]] = field(default_factory=list)
    # (version_id, column) → sum over the ranked parts
    ranked: list[tuple[int, str, Decimal]] = field(default_factory=list)


GROUPING_SQL = """
SELECT part, "group", merge_key, "column", version_id, ranked, SUM(number), COUNT(*), GROUPING(version_id)
FROM (
    SELECT v.part, v."group", v.merge_key, v."column", v.version_id, v.number,
           CASE WHEN v.part = ANY(%s) AND v."column" = ANY(%s) THEN v."column" END AS ranked
    FROM {table} v
    WHERE v.version_id = ANY(%s) AND v.part = ANY(%s) AND v.number IS NOT NULL
) numbers
GROUP BY GROUPING SETS ((part, "group", merge_key, "column"), (version_id, ranked))
"""


def number_sums(version_ids: list[int], parts: list[str], ranked_parts: list[str], ranked_columns: list[str]) -> Sums:
    """Sums of the numbers of `parts` by group, and of `ranked_parts` × `ranked_columns` by version."""
    if connection.vendor == "postgresql":
        return _grouping_sets(version_ids, parts, ranked_parts, ranked_columns)
    values = VersionValue.objects.filter(version_id__in=version_ids)
    groups = list(
        values.filter(part__in=parts, number__isnull=False)
        .values_list("part", "group", "merge_key", "column")
        .annotate(total=Sum("number"), n=Count("id"))
        .order_by()
    )
    ranked = list(
        values.filter(part__in=ranked_parts, column__in=ranked_columns, number__isnull=False)
        .values_list("version_id", "column")
        .annotate(total=Sum("number"))
        .order_by()
    )
    return Sums(groups, ranked)


def _grouping_sets(version_ids, parts, ranked_parts, ranked_columns) -> Sums:
    sql = GROUPING_SQL.format(table=connection.ops.quote_name(VersionValue._meta.db_table))
    sums = Sums()
    with connection.cursor() as cursor:
        cursor.execute(sql, [ranked_parts, ranked_columns, list(version_ids), parts])
        for part, group, merge, column, version_id, ranked, total, n, without_version in cursor.fetchall():
            if without_version:  # GROUPING(version_id) = 1: the national set
                sums.groups.append((part, group, merge, column, total, n))
            elif ranked is not None:  # a unit's sum of a ranked column
                sums.ranked.append((version_id, ranked, total))
    return sums
