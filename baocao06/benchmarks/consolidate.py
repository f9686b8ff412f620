"""Consolidating one province from ~100 communes (QUALITY.md: ≤ 200 ms), against one SQL aggregate.

The first run opens a national round on a small definition whose services' columns are reported below
(the level rounds' test definition), cascades it to one province with 100 synthetic communes and gives
each commune an accepted version of 300 rows × 2 consolidated columns (60,000 numbers, more than a
commune's whole PL03–PL06) — synthetic data for timing only, written in bulk, not through the actions.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from django.db.models import F, Sum
from django.utils import timezone

from ._timing import fmt, measure

NAME = "consolidate"
DESCRIPTION = "tổng hợp một tỉnh từ 100 xã (số liệu đã tiếp nhận) so với một phép cộng SQL"
TITLE = "Kỳ đo hiệu năng tổng hợp cấp tỉnh"
DEFINITION = Path(__file__).resolve().parent.parent / "rounds" / "tests" / "fixtures" / "levels.yaml"
COMMUNES, ROWS = 100, 300


def _bench_level_round(secretariat):
    from baocao06.compilation.models import PartKind, VersionValue
    from baocao06.compilation.values import insert
    from baocao06.core.vietnamese import collation_key
    from baocao06.definitions.loading import store_definition
    from baocao06.reports.models import Report, ReportVersion
    from baocao06.rounds.actions import do_open_round
    from baocao06.rounds.levels import do_cascade_round
    from baocao06.rounds.models import PeriodKind, Round
    from baocao06.units.kinds import KIND_ORDER, UnitKind
    from baocao06.units.models import Unit

    existing = Round.objects.light().filter(title=TITLE).first()
    if existing:
        return existing.level_rounds.get()
    definition, _ = store_definition(DEFINITION.read_text(encoding="utf-8"))
    province = Unit.objects.get(key="P01")
    Unit.objects.bulk_create(
        [
            Unit(
                key=f"BCX{i:04d}",
                code=f"BCX{i:04d}",
                name=f"Xã đo hiệu năng {i}",
                kind=UnitKind.COMMUNE,
                kind_order=KIND_ORDER[UnitKind.COMMUNE],
                parent=province,
                valid_from=dt.date(2025, 7, 1),
                sort_key=collation_key(f"Xã đo hiệu năng {i}"),
            )
            for i in range(COMMUNES)
        ],
        ignore_conflicts=True,
    )
    national = do_open_round(
        definition,
        units=[province],
        actor=secretariat,
        title=TITLE,
        period_kind=PeriodKind.SECOND_HALF,
        year=2025,
        data_from=dt.date(2025, 6, 15),
        data_to=dt.date(2025, 12, 14),
        deadline=timezone.now() + dt.timedelta(days=30),
    )
    (level,) = do_cascade_round(
        national, deadline=national.deadline - dt.timedelta(days=10), actor=secretariat, owners=[province]
    )
    rng = random.Random(100)
    values = []
    for report in level.reports.filter(unit__key__startswith="BCX").select_related("unit"):
        version = ReportVersion.objects.create(report=report, number=1, content={}, content_hash="bench")
        Report.objects.filter(pk=report.pk).update(status="accepted", current_version=version)
        for r in range(ROWS):
            for column in ("total", "online"):
                row = f"r{r}"
                values.append(
                    (
                        version.pk,
                        report.unit_id,
                        PartKind.TABLE,
                        "DV",
                        row,
                        "main",
                        row,
                        r,
                        column,
                        rng.randint(0, 9999),
                        "",
                    )
                )
    insert(values)
    assert VersionValue.objects.filter(version__report__round=level).count() == len(values)
    return level


def run(out, options):
    from baocao06.accounts.models import User
    from baocao06.compilation.consolidate import consolidate
    from baocao06.compilation.models import VersionValue
    from baocao06.reports.models import Report

    secretariat = User.objects.filter(global_role="secretariat").first()
    if secretariat is None:
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    level = _bench_level_round(secretariat)
    versions = Report.objects.filter(round=level, status="accepted").values("current_version_id")

    def floor():
        return list(
            VersionValue.objects.filter(version_id__in=versions, part="DV", column__in=["total", "online"])
            .filter(merge_key=F("row"))
            .values("part", "row", "column")
            .annotate(total=Sum("number"))
            .order_by()
        )

    repeat = max(options["repeat"] * 4, 20)
    ours = measure(lambda: consolidate(level, drill=False), repeat=repeat)
    drill = measure(lambda: consolidate(level), repeat=max(5, repeat // 4))
    sql = measure(floor, repeat=repeat)
    result = consolidate(level)
    assert {(f.row, f.column): f.total for f in result.figures.values()} == {
        (r["row"], r["column"]): r["total"] for r in floor()
    }
    # The drill-down's sums are made from each child's figure (one read): the same as the aggregate's.
    sums_only = consolidate(level, drill=False)
    assert {k: (f.total, f.n) for k, f in result.figures.items()} == {
        k: (f.total, f.n) for k, f in sums_only.figures.items()
    }
    out.write(f"  children: {len(result.children)}, figures: {len(result.figures):,}")
    out.write(f"  consolidate (sums, counts, task rows)      {fmt(ours)}")
    out.write(f"  … with each child's figure (drill-down)    {fmt(drill)}")
    out.write(f"  one SQL aggregate of the same sums         {fmt(sql)}")
    out.write(f"  ratio {ours['median'] / sql['median']:.2f}× (target: ≤ 200 ms)")
