"""The demo: the 4709 round of the first half of 2024, the year-end 2024 round that follows it, and a
year-end 2026 round on the units of today (34 provinces, the ministries of 01/3/2025), as the
Secretariat would have seen them.

Everything goes through the real actions (open round, save, submit, remark, return, accept, remind,
ask for explanations) on one timeline per round with the clock set to 2024 (demo/timeline.py), so
versions, late flags, notifications and the audit log are what real use would have produced.

The demo logins' reports: in the 4709 round the Ministry of Justice's was returned with two remarks (to
fix and send again) and Hà Nội's was returned, fixed and sent again (waiting for the Secretariat, who
sees what changed); in the year-end rounds both are drafts that start from their tasks carried over.
The 2026 round is open (deadline 18/12/2026): a third of the units have sent their report, and its
opening mapped the 2024 units the definition and catalogues name, and the tasks carried from 2024, onto
their successors (Hà Giang and Tuyên Quang → Tuyên Quang; MIC → Science and Technology).

The year-end rounds have definitions of their own (data/definitions/year-end-notes.md): a December report
does not print the first half's wording.
A fourth round shows reports through the levels (demo/levels.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils import timezone

from baocao06.accounts import mfa
from baocao06.accounts.models import GlobalRole, Membership, TotpDevice, UnitRole, User
from baocao06.catalogues.loading import load_catalogues
from baocao06.compilation.drafting_actions import (
    APPROVE,
    DraftRefused,
    do_approve_draft,
    do_start_draft,
    do_submit_draft,
    do_take_suggestion,
)
from baocao06.compilation.engine import compile_round
from baocao06.core import clock
from baocao06.definitions.loading import store_definition
from baocao06.rounds.actions import do_open_round, units_to_assign
from baocao06.rounds.models import PeriodKind, Round
from baocao06.units.kinds import UnitKind
from baocao06.units.loading import load_communes, load_units
from baocao06.units.models import Unit

from .levels import build_levels_demo
from .timeline import RoundScript, aware, replay_round

# Printed by `make demo`; only the demo accounts of a local SQLite database use it.
DEMO_PASSWORD = "demo-baocao06-2024"  # noqa: S105
# The demo's Secretariat and approvers must use a second factor; their authenticator key is public
# (printed by `make demo`), and `python manage.py demo_code LOGIN` prints the current code.
DEMO_TOTP_SECRET = "KRSXG5CTMVRHIZLZMJQW64DDN5ZXCMBW"  # noqa: S105 - public, demo only
DISPATCH = "4709/CV-TCTTKĐA"
DEFINITION_FILE = "4709-2024-h1.yaml"
YEAR_END_2024_FILE = "de-an-06-2024-nam.yaml"  # made from 4709, not a real dispatch
YEAR_END_2026_FILE = "de-an-06-2026-nam.yaml"  # made from 4709 for the units of 2026, not a real dispatch
SEED = 4709


@dataclass(frozen=True)
class Login:
    username: str
    full_name: str
    role: str
    unit_key: str | None = None
    unit_role: str | None = None
    global_role: str = ""
    permissions: tuple[str, ...] = ()


LOGINS = [
    Login("thuky", "Nguyễn Minh Đức", "Thư ký Tổ công tác (C06)", global_role=GlobalRole.SECRETARIAT),
    Login("btp.chuyenvien", "Trần Thu Hà", "Chuyên viên Bộ Tư pháp", "BTP", UnitRole.REPORTER),
    Login("btp.lanhdao", "Lê Quang Vinh", "Lãnh đạo Bộ Tư pháp", "BTP", UnitRole.APPROVER),
    Login("hanoi.chuyenvien", "Phạm Thị Lan", "Chuyên viên UBND TP Hà Nội", "P01", UnitRole.REPORTER),
    Login("hanoi.lanhdao", "Đỗ Văn Hùng", "Lãnh đạo UBND TP Hà Nội", "P01", UnitRole.APPROVER),
    Login(
        "lanhdao.thuky",
        "Vũ Thị Thanh Hương",
        "Lãnh đạo Thư ký Tổ công tác (duyệt báo cáo tổng hợp)",
        global_role=GlobalRole.SECRETARIAT,
        permissions=(APPROVE,),
    ),
    Login("lanhdao.vpcp", "Hoàng Anh Tuấn", "Lãnh đạo (chỉ xem)", global_role=GlobalRole.VIEWER),
]
DEMO_EMAIL_DOMAIN = "demo.baocao06.local"  # the console backend prints their e-mails (var/worker.log)
KINDS = [
    UnitKind.MINISTRY,
    UnitKind.MINISTRY_AGENCY,
    UnitKind.GOVERNMENT_AGENCY,
    UnitKind.CENTRAL_OTHER,
    UnitKind.PROVINCE,
]


def first_half() -> RoundScript:
    return RoundScript(
        seed=SEED,
        fill_from=aware(dt.date(2024, 6, 11), 8),
        deadline=aware(dt.date(2024, 6, 17), 23, 59),
        reminders=(aware(dt.date(2024, 6, 14), 8), aware(dt.date(2024, 6, 16), 8), aware(dt.date(2024, 6, 18), 8)),
        fates=(("not_started", 0.06), ("draft", 0.16), ("submitted", 1.0)),
        late_share=0.15,
        review=True,
        scripted={"BTP": "returned", "P01": "returned_fixed"},
    )


def year_end() -> RoundScript:
    return RoundScript(
        seed=SEED + 1,
        fill_from=aware(dt.date(2024, 12, 2), 8),
        deadline=aware(dt.date(2024, 12, 18), 23, 59),
        reminders=(aware(dt.date(2024, 12, 15), 8), aware(dt.date(2024, 12, 17), 8), aware(dt.date(2024, 12, 19), 8)),
        fates=(("not_started", 0.08), ("draft", 0.3), ("submitted", 1.0)),
        late_share=0.2,
        review=False,
        # Hà Giang and Tuyên Quang send theirs, so both carry open tasks into the 2026 Tuyên Quang.
        scripted={"BTP": "draft", "P01": "draft", "P02": "submitted", "P08": "submitted"},
    )


def year_end_2026() -> RoundScript:
    """Open today: opened 16/11/2026, due 18/12/2026; nothing after the end of November happens."""
    return RoundScript(
        seed=SEED + 2,
        fill_from=aware(dt.date(2026, 11, 18), 8),
        deadline=aware(dt.date(2026, 12, 18), 23, 59),
        reminders=(),
        fates=(("not_started", 0.3), ("draft", 0.65), ("submitted", 1.0)),
        late_share=0.0,
        review=False,
        # Drafts that start from tasks carried across the merger (Hà Giang + Tuyên Quang; MIC).
        scripted={"BTP": "draft", "P01": "draft", "P08-2025": "draft", "BKHCN": "draft"},
        follow_up=False,
    )


def _definition(name: str):
    text = (Path(settings.BAOCAO06_DATA_DIR) / "definitions" / name).read_text(encoding="utf-8")
    return store_definition(text)[0]


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


def build_demo(out=print, unit_keys: list[str] | None = None) -> Round:
    """Load units, catalogues and the definitions, and replay the rounds (and the levels round). Idempotent.

    `unit_keys` limits the rounds to those units (the demo's own test uses a few, without communes).
    """
    existing = demo_round()
    if existing:
        return existing
    out("Nạp danh sách đơn vị…")
    load_units()
    if unit_keys is None:
        load_communes()
    out("Nạp danh mục và mẫu báo cáo 4709…")
    load_catalogues()
    definition = _definition(DEFINITION_FILE)
    logins = _logins()
    secretariat = logins["thuky"]
    people_of = _people(logins)
    script_1, script_2, script_3 = first_half(), year_end(), year_end_2026()
    with transaction.atomic():
        first = _open(
            definition,
            secretariat,
            unit_keys,
            at=aware(dt.date(2024, 6, 10), 9),
            title="Sơ kết 6 tháng đầu năm 2024 triển khai Đề án 06",
            period_kind=PeriodKind.FIRST_HALF,
            data_from=dt.date(2023, 12, 15),
            data_to=dt.date(2024, 6, 14),
            deadline=script_1.deadline,
            dispatch_number=DISPATCH,
            dispatch_date=dt.date(2024, 6, 10),
        )
        out(f"Kỳ 1: {first.title} — {first.reports.count()} đơn vị; điền, gửi, nhắc hạn, thẩm định…")
        counts = replay_round(first, script_1, secretariat, people_of, out)
        out(f"  {counts}")
        with clock.frozen_at(aware(dt.date(2024, 7, 5), 16)):
            snapshot = compile_round(first, actor=secretariat)
        out(f"  tổng hợp chính thức lần {snapshot.number}: {snapshot.data['completeness']['included']} báo cáo")
        sections = _national_draft(first, snapshot, secretariat, logins["lanhdao.thuky"])
        out(f"  báo cáo tổng hợp soạn từ gợi ý ({sections} mục), lãnh đạo Thư ký đã duyệt")
    with transaction.atomic():
        # The year-end version of the definition (same tables, the year's wording); the data window is
        # Decree 09's year: 15/12/2023 – 14/12/2024.
        second = _open(
            _definition(YEAR_END_2024_FILE),
            secretariat,
            unit_keys,
            at=aware(dt.date(2024, 11, 25), 9),
            title="Tổng kết năm 2024 triển khai Đề án 06 (kỳ minh họa)",
            period_kind=PeriodKind.YEAR,
            data_from=dt.date(2023, 12, 15),
            data_to=dt.date(2024, 12, 14),
            deadline=script_2.deadline,
            previous=first,
        )
        out(f"Kỳ 2: {second.title} — nhiệm vụ chưa hoàn thành được chuyển tiếp từ kỳ 1; điền, gửi, nhắc hạn…")
        counts = replay_round(second, script_2, secretariat, people_of, out)
        out(f"  {counts}")
        with clock.frozen_at(aware(dt.date(2024, 12, 20), 10)):
            snapshot = compile_round(second, provisional=True, actor=secretariat)
        out(f"  tổng hợp tạm tính lần {snapshot.number}: {snapshot.data['completeness']['included']} báo cáo")
    with transaction.atomic():
        # After the 2025 merger: the units valid on 14/12/2026; what the definition, the catalogues and
        # the carried tasks name of 2024 units reaches their successors (rounds/succession.py).
        third = _open(
            _definition(YEAR_END_2026_FILE),
            secretariat,
            unit_keys,
            at=aware(dt.date(2026, 11, 16), 9),
            title="Tổng kết năm 2026 triển khai Đề án 06 (kỳ minh họa)",
            period_kind=PeriodKind.YEAR,
            year=2026,
            data_from=dt.date(2025, 12, 15),
            data_to=dt.date(2026, 12, 14),
            deadline=script_3.deadline,
            dispatch_number="(minh họa)/CV-BCĐ",
            dispatch_date=dt.date(2026, 11, 16),
            previous=second,
        )
        remaps = len(third.unit_mapping.get("remaps") or [])
        out(f"Kỳ 3: {third.title} — {third.reports.count()} đơn vị; {remaps} đơn vị cũ chuyển cho đơn vị kế thừa…")
        counts = replay_round(third, script_3, secretariat, people_of, out)
        out(f"  {counts}")
        with clock.frozen_at(aware(dt.date(2026, 11, 30), 10)):
            snapshot = compile_round(third, provisional=True, actor=secretariat)
        out(f"  tổng hợp tạm tính lần {snapshot.number}: {snapshot.data['completeness']['included']} báo cáo")
    if unit_keys is None:
        out("Kỳ 4: báo cáo qua các cấp — Hà Nội và Tuyên Quang nhận báo cáo của xã, sở rồi tổng hợp…")
        source = (Path(settings.BAOCAO06_DATA_DIR) / "definitions" / DEFINITION_FILE).read_text(encoding="utf-8")
        build_levels_demo(source, secretariat, people_of, DEMO_PASSWORD, out)
    return first


def _national_draft(round_, snapshot, secretariat, leader) -> int:
    """The national draft of the 4709 round on its official snapshot: every section's suggestion taken
    (through the drafting actions), sent, and approved by the Secretariat's leader, so the round's
    national files print it. Returns the number of sections written."""
    with clock.frozen_at(aware(dt.date(2024, 7, 8), 9)):
        draft = do_start_draft(round_, snapshot, actor=secretariat)
        written = 0
        for key in round_.get_layout().section_index:
            try:
                do_take_suggestion(draft, key, base_revision=0, actor=secretariat)
            except DraftRefused:
                continue  # nothing to suggest: no figure and no unit wrote in it
            written += 1
    with clock.frozen_at(aware(dt.date(2024, 7, 8), 16)):
        do_submit_draft(draft, actor=secretariat)
    with clock.frozen_at(aware(dt.date(2024, 7, 9), 10)):
        do_approve_draft(draft, actor=leader)
    return written


def demo_rounds(first: Round) -> list[Round]:
    """The demo's rounds in order (each the previous round of the next)."""
    rounds = [first]
    while (following := Round.objects.filter(previous=rounds[-1]).order_by("pk").first()) is not None:
        rounds.append(following)
    return rounds


def _open(definition, secretariat, unit_keys, *, at, **fields) -> Round:
    day = fields["data_to"]
    units = units_to_assign(day, kinds=KINDS, keys=["EVN", "VNPOST"])
    if unit_keys is not None:
        units = units.filter(key__in=unit_keys)
    with clock.frozen_at(at):
        fields.setdefault("year", 2024)
        return do_open_round(
            definition,
            units=units,
            actor=secretariat,
            contact_name="Thiếu tá Nguyễn Minh Đức",
            contact_phone="0984221359",
            contact_email="trungtamdlcdean06@gmail.com",
            **fields,
        )


def _logins() -> dict[str, User]:
    logins = {lg.username: _user(lg.username, lg.full_name, lg.global_role, DEMO_PASSWORD) for lg in LOGINS}
    for login in LOGINS:
        user = logins[login.username]
        if not user.email:
            user.email = f"{login.username}@{DEMO_EMAIL_DOMAIN}"
            user.save(update_fields=["email"])
        if login.unit_key:
            Membership.objects.get_or_create(user=user, unit=Unit.objects.get(key=login.unit_key), role=login.unit_role)
        for name in login.permissions:
            app_label, codename = name.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    for user in logins.values():
        if mfa.requires_mfa(user):
            TotpDevice.objects.get_or_create(
                user=user, defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()}
            )
            User.objects.filter(pk=user.pk).update(mfa_enabled=True)
    return logins


def _people(logins):
    """(reporter, approver) of a unit: the demo logins where they exist, generated staff elsewhere."""
    named = {}
    for login in LOGINS:
        if login.unit_key:
            named[(login.unit_key, login.unit_role)] = logins[login.username]
    cache: dict[int, tuple[User, User]] = {}

    def people_of(unit):
        if unit.pk not in cache:
            reporter = named.get((unit.key, UnitRole.REPORTER))
            approver = named.get((unit.key, UnitRole.APPROVER))
            if reporter is None:
                reporter = _user(f"{unit.key.lower()}.chuyenvien", f"Chuyên viên {unit.name}")
                Membership.objects.get_or_create(user=reporter, unit=unit, role=UnitRole.REPORTER)
            if approver is None:
                approver = _user(f"{unit.key.lower()}.lanhdao", f"Lãnh đạo {unit.name}")
                Membership.objects.get_or_create(user=approver, unit=unit, role=UnitRole.APPROVER)
            cache[unit.pk] = (reporter, approver)
        return cache[unit.pk]

    return people_of
