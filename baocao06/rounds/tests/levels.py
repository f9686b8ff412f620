"""A world for level rounds: two provinces with communes and a department, a national round cascaded.

Personas (each a user):
    secretariat                         Thư ký Tổ công tác
    hn_reporter, hn_approver, hn_reviewer    staff of Hà Nội (P01), which owns `level_round`
    commune_reporter, commune_approver  of the first commune of Hà Nội, whose report is `commune_report`
    other_commune_reporter              of a commune of TP.HCM (P79), report `other_commune_report`
    other_reviewer                      a reviewer of TP.HCM, which owns `other_level_round`
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.utils import timezone

from baocao06.accounts.models import GlobalRole, UnitRole
from baocao06.definitions.loading import store_definition
from baocao06.reports.models import Report
from baocao06.rounds.actions import do_open_round
from baocao06.rounds.levels import do_cascade_round
from baocao06.rounds.models import PeriodKind, Round
from baocao06.test import make_user
from baocao06.units.kinds import KIND_ORDER, UnitKind
from baocao06.units.loading import load_units
from baocao06.units.models import Unit

DEFINITION = Path(__file__).parent / "fixtures" / "levels.yaml"
COMMUNE_NAMES = ["Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa"]


def add_lower_units(province: Unit, n: int, *, prefix: str, kind=UnitKind.COMMUNE) -> list[Unit]:
    """`n` lower units under `province`, valid from 01/7/2025 (bulk: a board test makes 100)."""
    from baocao06.core.vietnamese import collation_key

    units = []
    for i in range(n):
        name = (
            (COMMUNE_NAMES[i] if i < len(COMMUNE_NAMES) else f"Xã số {i + 1}")
            if kind == UnitKind.COMMUNE
            else (f"Sở số {i + 1}")
        )
        name = f"{name} ({province.code})"
        units.append(
            Unit(
                key=f"{prefix}{i:04d}",
                code=f"{prefix}{i:04d}",
                name=name,
                kind=kind,
                kind_order=KIND_ORDER[kind],
                parent=province,
                valid_from=dt.date(2025, 7, 1),
                sort_key=collation_key(name),
            )
        )
    Unit.objects.bulk_create(units)
    return list(Unit.objects.filter(key__in=[u.key for u in units]).order_by("key"))


def open_national(definition, units, *, actor, deadline=None) -> Round:
    return do_open_round(
        definition,
        units=units,
        actor=actor,
        title="Kỳ thử nghiệm 6 tháng cuối năm 2025",
        period_kind=PeriodKind.SECOND_HALF,
        year=2025,
        data_from=dt.date(2025, 6, 15),
        data_to=dt.date(2025, 12, 14),
        deadline=deadline or timezone.now() + dt.timedelta(days=14),
    )


def build_levels(cls, *, communes: int = 4) -> None:
    load_units()
    cls.definition, _ = store_definition(DEFINITION.read_text(encoding="utf-8"))
    cls.province = Unit.objects.get(key="P01")
    cls.other_province = Unit.objects.get(key="P79")
    cls.communes = add_lower_units(cls.province, communes, prefix="XT")
    cls.departments = add_lower_units(cls.province, 1, prefix="ST", kind=UnitKind.DEPARTMENT)
    cls.other_communes = add_lower_units(cls.other_province, 2, prefix="XH")
    cls.commune = cls.communes[0]
    cls.secretariat = make_user("thuky", global_role=GlobalRole.SECRETARIAT)
    cls.viewer = make_user("lanhdao", global_role=GlobalRole.VIEWER)
    cls.hn_reporter = make_user("hn.cv", unit=cls.province, role=UnitRole.REPORTER)
    cls.hn_approver = make_user("hn.ld", unit=cls.province, role=UnitRole.APPROVER)
    cls.hn_reviewer = make_user("hn.td", unit=cls.province, role=UnitRole.REVIEWER)
    cls.other_reviewer = make_user("hcm.td", unit=cls.other_province, role=UnitRole.REVIEWER)
    cls.commune_reporter = make_user("xa.cv", unit=cls.commune, role=UnitRole.REPORTER)
    cls.commune_approver = make_user("xa.ld", unit=cls.commune, role=UnitRole.APPROVER)
    cls.other_commune_reporter = make_user("xahcm.cv", unit=cls.other_communes[0], role=UnitRole.REPORTER)
    cls.round = open_national(cls.definition, [cls.province, cls.other_province], actor=cls.secretariat)
    do_cascade_round(cls.round, deadline=cls.round.deadline - dt.timedelta(days=5), actor=cls.secretariat)
    cls.level_round = Round.objects.get(parent=cls.round, owner=cls.province)
    cls.other_level_round = Round.objects.get(parent=cls.round, owner=cls.other_province)
    cls.province_report = Report.objects.get(round=cls.round, unit=cls.province)
    cls.other_province_report = Report.objects.get(round=cls.round, unit=cls.other_province)
    cls.commune_report = Report.objects.get(round=cls.level_round, unit=cls.commune)
    cls.other_commune_report = Report.objects.get(round=cls.other_level_round, unit=cls.other_communes[0])
