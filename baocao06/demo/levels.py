"""The demo's reports through the levels: Hà Nội and Tuyên Quang (merged on 01/7/2025) gather the
reports of some of their communes and departments in their own rounds, then report upward.

The 4709 definition of 2024 addresses no commune (communes did not report then, and the communes of
today exist from 01/7/2025), so this part is a round of its own at the end of 2025 on the 4709 outline
under a version of its own: communes answer what provinces answer, departments what ministries answer,
and PL03's counts are reported below (`consolidate: sum`, counted at the lower level). Everything goes
through the actions on a timeline, as in the rest of the demo; each province's reviewer is the one who
returns and accepts in its level round, and the province's report takes the consolidated figures.
"""

from __future__ import annotations

import datetime as dt

import yaml
from django.db import transaction

from baocao06.accounts import mfa
from baocao06.accounts.models import Membership, TotpDevice, UnitRole, User
from baocao06.core import clock
from baocao06.definitions.loading import store_definition
from baocao06.rounds.actions import do_open_round
from baocao06.rounds.levels import do_open_level_round
from baocao06.rounds.models import PeriodKind, Round
from baocao06.units.actions import do_save_unit
from baocao06.units.kinds import UnitKind
from baocao06.units.models import Unit

from .timeline import RoundScript, aware, replay_round

TITLE = "Kỳ minh họa báo cáo qua các cấp — 6 tháng cuối năm 2025"
VERSION = "2025-h2-cac-cap"
PROVINCES = {"P01": "hanoi", "P08-2025": "tuyenquang"}
COMMUNES_PER_PROVINCE = 14
DEPARTMENTS = ["Sở Tư pháp", "Sở Khoa học và Công nghệ", "Công an tỉnh"]
CONSOLIDATED = {"PL03": {"total", "online"}}
COMMUNE_LOGIN = "hanoi.xa"


def levels_definition(source: str):
    """The 4709 outline for the levels: lower units addressed like the level they answer to."""
    data = yaml.safe_load(source)
    data["version"] = VERSION
    data["audiences"]["provinces"]["kinds"] = [*data["audiences"]["provinces"]["kinds"], "commune"]
    data["audiences"]["ministries"]["kinds"] = [*data["audiences"]["ministries"]["kinds"], "department"]
    for table in data["appendices"]:
        for column in table["columns"]:
            if column["key"] in CONSOLIDATED.get(table["key"], ()):
                column["consolidate"] = "sum"
                column["counted_at"] = "lower"
    definition, _ = store_definition(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200))
    return definition


def _script(seed: int) -> RoundScript:
    return RoundScript(
        seed=seed,
        fill_from=aware(dt.date(2025, 12, 1), 8),
        deadline=aware(dt.date(2025, 12, 8), 23, 59),
        reminders=(aware(dt.date(2025, 12, 5), 8), aware(dt.date(2025, 12, 9), 8)),
        fates=(("not_started", 0.1), ("draft", 0.2), ("submitted", 1.0)),
        late_share=0.2,
        review=True,
        scripted={},
    )


def _reviewer(key: str, province: Unit, password: str) -> User:
    username = f"{PROVINCES[key]}.thamdinh"
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": f"Thẩm định {province.name}"})
    if created:
        user.set_password(password)
        user.save()
    Membership.objects.get_or_create(user=user, unit=province, role=UnitRole.REVIEWER)
    if mfa.requires_mfa(user):
        from .loading import DEMO_TOTP_SECRET

        TotpDevice.objects.get_or_create(user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": clock.now()})
        User.objects.filter(pk=user.pk).update(mfa_enabled=True)
    return user


def _departments(province: Unit, secretariat) -> list[Unit]:
    units = []
    for i, name in enumerate(DEPARTMENTS, 1):
        key = f"{province.key}-S{i}"
        unit = Unit.objects.filter(key=key).first()
        if unit is None:
            unit = Unit(key=key, code=key, name=f"{name} {province.name}", kind=UnitKind.DEPARTMENT, parent=province)
            do_save_unit(unit, actor=secretariat)
        units.append(unit)
    return units


def logins() -> list[tuple[str, str]]:
    """(username, role) of the level rounds' demo accounts (printed by load_demo)."""
    return [(f"{slug}.thamdinh", "Thẩm định báo cáo cấp dưới") for slug in PROVINCES.values()] + [
        (f"{COMMUNE_LOGIN}.chuyenvien", "Chuyên viên một phường của Hà Nội"),
        (f"{COMMUNE_LOGIN}.lanhdao", "Lãnh đạo phường đó"),
    ]


def _commune_logins(province: Unit, people_of, password: str) -> None:
    """The first commune's reporter and approver get the demo password (generated staff have none)."""
    commune = Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).in_report_order().first()
    for user, suffix in zip(people_of(commune), ("chuyenvien", "lanhdao"), strict=True):
        if user.username != f"{COMMUNE_LOGIN}.{suffix}":
            user.username = f"{COMMUNE_LOGIN}.{suffix}"
        user.set_password(password)
        user.save()
        if mfa.requires_mfa(user):
            from .loading import DEMO_TOTP_SECRET

            TotpDevice.objects.get_or_create(
                user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": clock.now()}
            )
            User.objects.filter(pk=user.pk).update(mfa_enabled=True)


def build_levels_demo(source: str, secretariat, people_of, password: str, out=print) -> Round | None:
    """The level rounds of Hà Nội and Tuyên Quang, replayed; None when the communes are not loaded."""
    provinces = {u.key: u for u in Unit.objects.filter(key__in=list(PROVINCES))}
    if len(provinces) != len(PROVINCES) or not Unit.objects.filter(kind=UnitKind.COMMUNE).exists():
        return None
    import time

    from baocao06.compilation.consolidation_actions import do_take_consolidation
    from baocao06.reports.models import Report

    started = time.perf_counter()
    definition = levels_definition(source)
    with transaction.atomic(), clock.frozen_at(aware(dt.date(2025, 11, 24), 9)):
        national = do_open_round(
            definition,
            units=list(provinces.values()),
            actor=secretariat,
            title=TITLE,
            period_kind=PeriodKind.SECOND_HALF,
            year=2025,
            data_from=dt.date(2025, 6, 15),
            data_to=dt.date(2025, 12, 14),
            deadline=aware(dt.date(2025, 12, 18), 23, 59),
        )
    for n, (key, province) in enumerate(sorted(provinces.items())):
        reviewer = _reviewer(key, province, password)
        if key == "P01":
            _commune_logins(province, people_of, password)
        with transaction.atomic():
            departments = _departments(province, secretariat)
            communes = list(
                Unit.objects.filter(parent=province, kind=UnitKind.COMMUNE).in_report_order()[:COMMUNES_PER_PROVINCE]
            )
            script = _script(seed=2025 + n)
            with clock.frozen_at(aware(dt.date(2025, 11, 25), 9)):
                level = do_open_level_round(
                    province, parent=national, deadline=script.deadline, actor=reviewer, units=communes + departments
                )
            counts = replay_round(level, script, reviewer, people_of, out)
            out(f"  {level.title}: {counts}")
            report = Report.objects.get(round=national, unit=province)
            reporter = people_of(province)[0]
            with clock.frozen_at(aware(dt.date(2025, 12, 12), 10)):
                take = do_take_consolidation(report, actor=reporter)
            out(f"  {province.name}: lấy số liệu tổng hợp từ {len(take.basis)} đơn vị đã tiếp nhận")
    out(f"  (kỳ qua các cấp: {time.perf_counter() - started:.1f} s)")
    return national
