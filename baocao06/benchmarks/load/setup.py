"""The load test's own data: a round of N units, their people, sessions, tokens and filled drafts.

Everything a person or a system would hold before a deadline day: each unit's reporter has a signed-in
browser session (the cookies a browser keeps after signing in) and its approver one with the second
factor given; each unit has an approver's API token; each draft is filled (through `do_save_parts`,
audited as a setup import) so that it can be submitted. Sessions are written to the session store
directly: the load test measures saving and submitting, not Argon2 at sign-in.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone

DAY = dt.date(2025, 12, 14)  # units valid then (34 provinces, 3,321 communes)
SEED = 606


@dataclass
class Person:
    """What one unit's people hold: cookies for the browser, a token for the API, the draft's parts."""

    unit_key: str
    report_id: int
    reporter_cookies: dict[str, str]
    approver_cookies: dict[str, str]
    token: str
    parts: dict[str, dict] = field(default_factory=dict)  # key → data as filled (sections and tables)
    revisions: dict[str, int] = field(default_factory=dict)
    editable: list[str] = field(default_factory=list)  # the section and the table the load test edits


def _session(user, *, mfa_given: bool) -> dict[str, str]:
    from baocao06.accounts import mfa

    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store["last_seen"] = int(time.time())
    if mfa_given:
        store[mfa.SESSION_KEY] = True
    store.create()
    # The CSRF cookie a page would have set; report.js sends it back in X-CSRFToken.
    return {"sessionid": store.session_key, "csrftoken": secrets.token_hex(16)}


def _units(count: int):
    from baocao06.units.models import Unit

    # Provinces and central bodies first, then communes: the order a real round lists them.
    units = list(Unit.objects.valid_on(DAY).order_by("kind_order", "sort_key")[:count])
    if len(units) < count:
        raise ValueError(f"Chỉ có {len(units)} đơn vị; cần {count} (chạy load_units và load_communes).")
    return units


def ensure_reference_data(count: int, out) -> None:
    """Units, catalogues: loaded when missing (idempotent)."""
    from baocao06.catalogues.loading import load_catalogues
    from baocao06.units.loading import load_communes, load_units
    from baocao06.units.models import Unit

    if Unit.objects.valid_on(DAY).count() < count:
        out("  nạp danh sách đơn vị…")
        load_units()
    if Unit.objects.valid_on(DAY).count() < count:
        out("  nạp danh sách xã, phường…")
        load_communes()
    load_catalogues()


def build(count: int, out, *, fill: bool = True) -> tuple[object, list[Person]]:
    """A new round of `count` units with its people; returns the round and one Person per unit."""
    from baocao06.accounts.models import Membership, UnitRole, User
    from baocao06.api.actions import do_create_token
    from baocao06.api.models import ApiRole
    from baocao06.benchmarks.national import bench_definition
    from baocao06.rounds.actions import do_open_round
    from baocao06.rounds.models import PeriodKind

    ensure_reference_data(count, out)
    units = _units(count)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    round_ = do_open_round(
        bench_definition(),
        units=units,
        actor=None,
        title=f"Kỳ đo tải {stamp}",
        period_kind=PeriodKind.YEAR,
        year=2025,
        data_from=dt.date(2024, 12, 15),
        data_to=DAY,
        deadline=timezone.now() + dt.timedelta(days=7),
    )
    reports = {r.unit_id: r for r in round_.reports.select_related("unit")}
    people: list[Person] = []
    tag = secrets.token_hex(3)
    expires = timezone.now() + dt.timedelta(days=2)
    for index, unit in enumerate(units):
        reporter = User(username=f"tai-{tag}-{index}-cv", full_name=f"Chuyên viên {unit.name}"[:150])
        approver = User(username=f"tai-{tag}-{index}-ld", full_name=f"Lãnh đạo {unit.name}"[:150])
        for user in (reporter, approver):
            user.set_unusable_password()  # signed in by session only
        User.objects.bulk_create([reporter, approver])
        Membership.objects.bulk_create(
            [
                Membership(user=reporter, unit=unit, role=UnitRole.REPORTER),
                Membership(user=approver, unit=unit, role=UnitRole.APPROVER),
            ]
        )
        _, secret = do_create_token(name="Đo tải", unit=unit, role=ApiRole.APPROVER, expires_at=expires, actor=None)
        people.append(
            Person(
                unit_key=unit.key,
                report_id=reports[unit.pk].pk,
                reporter_cookies=_session(reporter, mfa_given=False),
                approver_cookies=_session(approver, mfa_given=True),
                token=secret,
            )
        )
    if fill:
        _fill(round_, people, out)
    return round_, people


def _fill(round_, people: list[Person], out) -> None:
    """Every draft filled as a unit would before the deadline day (one audited save per report)."""
    from baocao06.demo.generator import Filler
    from baocao06.reports.actions import do_save_parts
    from baocao06.reports.models import Report

    reports = {r.pk: r for r in Report.objects.filter(round=round_).select_related("round", "unit")}
    started = time.perf_counter()
    for index, person in enumerate(people, 1):
        report = reports[person.report_id]
        view = report.round.get_layout().view_for(report.unit)
        parts = Filler(view, SEED, report.unit.name).report(1.0)
        saved = do_save_parts(report, parts, {}, actor=None, source="setup", note="đo tải: bản nháp ban đầu")
        person.parts = {key: result.part.data for key, result in saved.items()}
        person.revisions = {key: result.part.revision for key, result in saved.items()}
        person.editable = _editable(view, person.parts)
        if index % 50 == 0 or index == len(people):
            out(f"  điền bản nháp {index}/{len(people)} ({time.perf_counter() - started:.0f} s)")


def refresh_revisions(people: list[Person]) -> None:
    """Each person's parts' revisions as stored now. A save the client gave up on (an overloaded
    stage) may still have been served: without this the surge would start from stale revisions and
    count the refusals (409, 412) that follow as its own errors."""
    from baocao06.reports.models import ReportPart

    stored = ReportPart.objects.filter(report_id__in=[p.report_id for p in people]).values_list(
        "report_id", "key", "revision"
    )
    revisions: dict[int, dict[str, int]] = {}
    for report_id, key, revision in stored:
        revisions.setdefault(report_id, {})[key] = revision
    for person in people:
        person.revisions.update(revisions.get(person.report_id, {}))


def _editable(view, parts: dict[str, dict]) -> list[str]:
    """A narrative section and a table with a "total" column (PL03-like) of this unit's report."""
    section = next(k for k, d in parts.items() if d.get("fields"))
    table = next(
        (k for k, d in parts.items() if any("total" in (r.get("values") or {}) for r in d.get("rows") or [])),
        None,
    )
    return [section, table] if table else [section]
