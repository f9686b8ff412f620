"""What the Secretariat sees of the level rounds under a national round: each province's completeness,
how many lower units each consolidated figure rests on, and the level each column is counted at."""

from __future__ import annotations

from django.db.models import Count, F, Q

from baocao06.reports.models import Report, ReportStatus, overdue_q

from .consolidate import consolidated_columns
from .models import PartKind, VersionValue

COUNTED_AT = {
    "reporting": "tính ở đơn vị gửi Tổ công tác",
    "lower": "tính ở cấp xã, sở (qua số tổng hợp của tỉnh)",
}
COUNTED_BY = {
    "provinces": "tính ở cấp tỉnh (số toàn quốc của bộ, ngành không cộng thêm)",
    "ministries": "tính ở bộ, ngành (số toàn quốc; số của các tỉnh không cộng thêm)",
}


def counted_label(column: dict) -> str:
    """The level a column is counted at, as the compiled tables print it ("" when not stated)."""
    parts = [COUNTED_BY.get(column.get("counted_by") or ""), COUNTED_AT.get(column.get("counted_at") or "")]
    return "; ".join(p for p in parts if p)


def level_completeness(round_, now) -> list[dict]:
    """Per level round under `round_` (one query): its owner, and its lower units assigned, sent,
    accepted, and late or overdue."""
    rows = (
        Report.objects.filter(round__parent=round_)
        .with_deadline()
        .values("round_id", "round__owner__name")
        .annotate(
            total=Count("id"),
            submitted=Count("id", filter=Q(first_submitted_at__isnull=False)),
            accepted=Count("id", filter=Q(status=ReportStatus.ACCEPTED)),
            late=Count("id", filter=Q(late=True) | overdue_q(now)),
        )
        .order_by("round__owner__kind_order", "round__owner__sort_key")
    )
    return [
        {
            "round_id": r["round_id"],
            "owner": r["round__owner__name"],
            "total": r["total"],
            "submitted": r["submitted"],
            "accepted": r["accepted"],
            "late": r["late"],
        }
        for r in rows
    ]


def lower_counts(round_, layout) -> list[dict]:
    """For each consolidated figure (table, fixed row, column): how many accepted lower units of all
    provinces it rests on (one query)."""
    columns = consolidated_columns(layout)
    if not columns:
        return []
    wanted = Q()
    for table, keys in columns.items():
        wanted |= Q(part=table, column__in=keys)
    versions = Report.objects.filter(
        round__parent=round_, status=ReportStatus.ACCEPTED, current_version__isnull=False
    ).values("current_version_id")
    rows = (
        VersionValue.objects.filter(version_id__in=versions, kind=PartKind.TABLE, number__isnull=False)
        .filter(wanted)
        .filter(merge_key=F("row"))
        .values("part", "row", "column")
        .annotate(units=Count("unit", distinct=True))
        .order_by("part", "row", "column")
    )
    out = []
    for r in rows:
        table = layout.table_index.get(r["part"])
        if table is None:
            continue
        row = next((x for g in table.groups for x in g.rows if x.key == r["row"]), None)
        out.append(
            {
                "table_key": table.key,
                "row_key": r["row"],
                "column_key": r["column"],
                "table": f"{table.label}",
                "row": row.label if row else r["row"],
                "column": table.column_index[r["column"]]["label"],
                "units": r["units"],
            }
        )
    return out


def counted_levels(layout) -> list[dict]:
    """The columns whose definition states the level they are counted at."""
    return [
        {"table": table.label, "column": column["label"], "level": counted_label(column)}
        for table in layout.tables
        for column in table.columns
        if counted_label(column)
    ]
