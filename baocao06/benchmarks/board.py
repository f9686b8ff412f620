"""The follow-up board and its export at national scale (~3,400 units), against a trivial view.

The first run opens a benchmark round assigned to every unit valid at the end of 2025 (central bodies,
34 provinces, 3,321 communes) and spreads states over it with bulk updates — synthetic data for timing
only, not through the actions. The query count is compared with the demo's round (~100 units).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ._timing import fmt, measure

NAME = "board"
DESCRIPTION = "bảng theo dõi 3.400 đơn vị (trang đầu, lọc, xuất CSV) so với một view tối giản"
TITLE = "Kỳ đo hiệu năng bảng theo dõi (toàn quốc)"


def _bench_round(secretariat):
    from baocao06.accounts.models import Membership, UnitRole, User
    from baocao06.reports.models import Report
    from baocao06.review.models import ExplanationRequest
    from baocao06.rounds.actions import do_open_round
    from baocao06.rounds.models import PeriodKind, Round
    from baocao06.units.models import Unit

    existing = Round.objects.light().filter(title=TITLE).first()
    if existing:
        return existing
    definition = Round.objects.light().order_by("pk").first().definition
    day = dt.date(2025, 12, 14)
    units = list(Unit.objects.valid_on(day))
    round_ = do_open_round(
        definition,
        units=units,
        actor=secretariat,
        title=TITLE,
        period_kind=PeriodKind.YEAR,
        year=2025,
        data_from=dt.date(2024, 12, 15),
        data_to=day,
        deadline=timezone.now() - dt.timedelta(days=3),
    )
    rng = random.Random(3400)
    people = User.objects.bulk_create(
        [User(username=f"bench.{u.key.lower()}", full_name=f"Lãnh đạo {u.name}") for u in units],
        ignore_conflicts=True,
    )
    people = {u.username: u for u in User.objects.filter(username__startswith="bench.")}
    Membership.objects.bulk_create(
        [Membership(user=people[f"bench.{u.key.lower()}"], unit=u, role=UnitRole.APPROVER) for u in units],
        ignore_conflicts=True,
    )
    now = timezone.now()
    reports = list(round_.reports.all())
    for report in reports:
        status = rng.choices(["not_started", "draft", "submitted", "returned", "accepted"], [15, 25, 30, 10, 20])[0]
        report.status = status
        if status != "not_started":
            report.last_activity_at = now - dt.timedelta(hours=rng.randint(1, 300))
            report.last_activity_by = secretariat
        if status in {"submitted", "returned", "accepted"}:
            report.first_submitted_at = report.submitted_at = now - dt.timedelta(days=rng.randint(0, 8))
            report.late = report.first_submitted_at > round_.deadline
    fields = ["status", "last_activity_at", "last_activity_by", "first_submitted_at", "submitted_at", "late"]
    Report.objects.bulk_update(reports, fields, batch_size=500)
    ExplanationRequest.objects.bulk_create(
        [
            ExplanationRequest(report=r, message="Đề nghị giải trình.", requested_by=secretariat)
            for r in reports
            if r.status == "not_started"
        ]
    )
    return round_


def run(out, options):
    from baocao06.accounts import mfa
    from baocao06.accounts.models import User
    from baocao06.rounds.models import Round

    secretariat = User.objects.filter(global_role="secretariat").first()
    demo = Round.objects.light().order_by("pk").first()
    if secretariat is None or demo is None:
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    round_ = _bench_round(secretariat)
    client = Client(SERVER_NAME="localhost")
    client.force_login(secretariat)
    session = client.session
    session[mfa.SESSION_KEY] = True  # the benchmark measures the board, not the sign-in
    session.save()

    def get(url, params=None):
        response = client.get(url, params or {})
        assert response.status_code == 200, response.status_code
        return response

    board = reverse("rounds:board", args=[round_.pk])
    counts = {}
    for name, target in (("demo", demo), ("national", round_)):
        url = reverse("rounds:board", args=[target.pk])
        get(url)
        with CaptureQueriesContext(connection) as queries:
            get(url)
        counts[name] = (target.reports.count(), len(queries))
    repeat = max(options["repeat"] * 4, 20)
    page = measure(lambda: get(board), repeat=repeat)
    late = measure(lambda: get(board, {"state": "late", "kind": "commune"}), repeat=repeat)
    export = measure(lambda: get(reverse("rounds:board_export", args=[round_.pk, "csv"])), repeat=max(5, repeat // 4))
    trivial = measure(lambda: client.get(reverse("healthz")), repeat=repeat)
    out.write(f"  units in the round: {counts['national'][0]:,}")
    out.write(f"  board, first page      {fmt(page)}  p95 {page['p95'] * 1000:.1f} ms")
    out.write(f"  board, late communes   {fmt(late)}  p95 {late['p95'] * 1000:.1f} ms")
    out.write(f"  export CSV, all units  {fmt(export)}")
    out.write(f"  trivial view           {fmt(trivial)}")
    out.write(f"  ratio board / trivial (median)  {page['median'] / trivial['median']:.1f}×")
    out.write(
        f"  queries per board page: {counts['demo'][1]} for {counts['demo'][0]} units, "
        f"{counts['national'][1]} for {counts['national'][0]:,} units"
    )
