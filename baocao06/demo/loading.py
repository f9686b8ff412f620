"""The demo: the 4709 round of the first half of 2024, as the Secretariat would have seen it.

Everything goes through the real actions (open round, save parts, submit) with the clock set to
June 2024, so versions, late flags and the audit log are what real use would have produced.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baocao06.accounts import mfa
from baocao06.accounts.models import GlobalRole, Membership, TotpDevice, UnitRole, User
from baocao06.catalogues.loading import load_catalogues
from baocao06.core import clock
from baocao06.definitions.loading import store_definition
from baocao06.reports.actions import do_save_part, do_submit_report, view_for
from baocao06.rounds.actions import do_open_round, units_to_assign
from baocao06.rounds.models import PeriodKind, Round
from baocao06.units.kinds import UnitKind
from baocao06.units.loading import load_communes, load_units
from baocao06.units.models import Unit

from .generator import Filler

# Printed by `make demo`; only the demo accounts of a local SQLite database use it.
DEMO_PASSWORD = "demo-baocao06-2024"  # noqa: S105
# The demo's Secretariat and approvers must use a second factor; their authenticator key is public
# (printed by `make demo`), and `python manage.py demo_code LOGIN` prints the current code.
DEMO_TOTP_SECRET = "KRSXG5CTMVRHIZLZMJQW64DDN5ZXCMBW"  # noqa: S105 - public, demo only
DISPATCH = "4709/CV-TCTTKĐA"
DEFINITION_FILE = "4709-2024-h1.yaml"
SEED = 4709


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    unit_key: str | None = None
    unit_role: str | None = None
    global_role: str = ""


LOGINS = [
    Login("thuky", "Nguyễn Minh Đức", "Thư ký Tổ công tác (C06)", global_role=GlobalRole.SECRETARIAT),
    Login("btp.chuyenvien", "Trần Thu Hà", "Chuyên viên Bộ Tư pháp", "BTP", UnitRole.REPORTER),
    Login("btp.lanhdao", "Lê Quang Vinh", "Lãnh đạo Bộ Tư pháp", "BTP", UnitRole.APPROVER),
    Login("hanoi.chuyenvien", "Phạm Thị Lan", "Chuyên viên UBND TP Hà Nội", "P01", UnitRole.REPORTER),
    Login("hanoi.lanhdao", "Đỗ Văn Hùng", "Lãnh đạo UBND TP Hà Nội", "P01", UnitRole.APPROVER),
    Login("lanhdao.vpcp", "Hoàng Anh Tuấn", "Lãnh đạo (chỉ xem)", global_role=GlobalRole.VIEWER),
]
DEMO_UNITS_IN_DRAFT = {"BTP", "P01"}


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _user(username, full_name, global_role="", password=None) -> User:
    """A demo account; only the printed logins get a password, generated unit staff get none."""
    user, created = User.objects.get_or_create(username=username, defaults={"full_name": full_name})
    if created:
        user.global_role = global_role
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    return user


def demo_round() -> Round | None:
    return Round.objects.filter(dispatch_number=DISPATCH).first()


def build_demo(out=print) -> Round:
    """Load units, catalogues and the 4709 definition, and replay the round. Idempotent."""
    existing = demo_round()
    if existing:
        return existing
    out("Nạp danh sách đơn vị…")
    load_units()
    load_communes()
    out("Nạp danh mục và mẫu báo cáo 4709…")
    load_catalogues()
    text = (Path(settings.BAOCAO06_DATA_DIR) / "definitions" / DEFINITION_FILE).read_text(encoding="utf-8")
    definition, _ = store_definition(text)
    logins = {lg.username: _user(lg.username, lg.full_name, lg.global_role, DEMO_PASSWORD) for lg in LOGINS}
    for login in LOGINS:
        if login.unit_key:
            Membership.objects.get_or_create(
                user=logins[login.username], unit=Unit.objects.get(key=login.unit_key), role=login.unit_role
            )
    for user in logins.values():
        if mfa.requires_mfa(user):
            TotpDevice.objects.get_or_create(
                user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()}
            )
            User.objects.filter(pk=user.pk).update(mfa_enabled=True)
    secretariat = logins["thuky"]
    day = dt.date(2024, 6, 14)
    kinds = [
        UnitKind.MINISTRY,
        UnitKind.MINISTRY_AGENCY,
        UnitKind.GOVERNMENT_AGENCY,
        UnitKind.CENTRAL_OTHER,
        UnitKind.PROVINCE,
    ]
    units = units_to_assign(day, kinds=kinds, keys=["EVN", "VNPOST"])
    with clock.frozen_at(_aware(dt.date(2024, 6, 10), 9)):
        round_ = do_open_round(
            definition,
            units=units,
            actor=secretariat,
            title="Sơ kết 6 tháng đầu năm 2024 triển khai Đề án 06",
            period_kind=PeriodKind.FIRST_HALF,
            year=2024,
            data_from=dt.date(2023, 12, 15),
            data_to=day,
            deadline=_aware(dt.date(2024, 6, 17), 23, 59),
            dispatch_number=DISPATCH,
            dispatch_date=dt.date(2024, 6, 10),
            contact_name="Thiếu tá Nguyễn Minh Đức",
            contact_phone="0984221359",
            contact_email="trungtamdlcdean06@gmail.com",
        )
    out(f"Mở kỳ báo cáo, giao cho {round_.reports.count()} đơn vị; đang điền báo cáo mẫu…")
    rng = random.Random(SEED)
    for report in round_.reports.select_related("unit").order_by("unit__kind_order", "unit__sort_key"):
        _replay(report, rng, logins)
    return round_


def _unit_people(unit, logins):
    reporter = next(
        (
            u
            for lg, u in logins.items()
            if lg.endswith(".chuyenvien") and Membership.objects.filter(user=u, unit=unit).exists()
        ),
        None,
    )
    approver = next(
        (
            u
            for lg, u in logins.items()
            if lg.endswith(".lanhdao") and Membership.objects.filter(user=u, unit=unit).exists()
        ),
        None,
    )
    if reporter is None:
        reporter = _user(f"{unit.key.lower()}.chuyenvien", f"Chuyên viên {unit.name}")
        Membership.objects.get_or_create(user=reporter, unit=unit, role=UnitRole.REPORTER)
    if approver is None:
        approver = _user(f"{unit.key.lower()}.lanhdao", f"Lãnh đạo {unit.name}")
        Membership.objects.get_or_create(user=approver, unit=unit, role=UnitRole.APPROVER)
    return reporter, approver


@transaction.atomic
def _replay(report, rng: random.Random, logins) -> None:
    unit = report.unit
    reporter, approver = _unit_people(unit, logins)
    roll = rng.random()
    if unit.key in DEMO_UNITS_IN_DRAFT:
        fate, completeness = "draft", 0.6
    elif roll < 0.06:
        return  # not started
    elif roll < 0.16:
        fate, completeness = "draft", rng.uniform(0.2, 0.8)
    else:
        fate, completeness = "submitted", 1.0
    late = fate == "submitted" and rng.random() < 0.15
    start = _aware(dt.date(2024, 6, 11), 8) + dt.timedelta(hours=rng.randint(0, 100))
    filler = Filler(view_for(report), SEED, unit.name)
    parts = filler.report(completeness)
    moment = start
    for key, data in parts.items():
        moment += dt.timedelta(minutes=rng.randint(2, 25))
        with clock.frozen_at(moment):
            do_save_part(report, key, data, base_revision=0, actor=reporter)
    if fate == "submitted":
        submit_at = (
            _aware(dt.date(2024, 6, 18 + rng.randint(0, 8)), 10)
            if late
            else min(moment + dt.timedelta(hours=rng.randint(1, 30)), _aware(dt.date(2024, 6, 17), 22))
        )
        with clock.frozen_at(max(submit_at, moment + dt.timedelta(minutes=5))):
            do_submit_report(report, actor=approver)
