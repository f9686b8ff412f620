"""The demo's level rounds: Hà Nội and Tuyên Quang gather communes' and departments' reports, in mixed
states, and their own reports take the consolidated figures (checked against the children's versions)."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.test import TestCase

from baocao06.accounts.models import GlobalRole
from baocao06.catalogues.loading import load_catalogues
from baocao06.demo.levels import COMMUNES_PER_PROVINCE, DEPARTMENTS, TITLE, build_levels_demo
from baocao06.demo.loading import DEFINITION_FILE, _logins, _people
from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import Round
from baocao06.test import make_user
from baocao06.units.loading import load_communes, load_units


class LevelsDemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_units()
        load_communes()
        load_catalogues()
        secretariat = make_user("thuky", global_role=GlobalRole.SECRETARIAT)
        source = (Path(settings.BAOCAO06_DATA_DIR) / "definitions" / DEFINITION_FILE).read_text(encoding="utf-8")
        start = time.perf_counter()
        cls.national = build_levels_demo(source, secretariat, _people(_logins()), "mat-khau-thu", out=lambda *a: None)
        cls.seconds = time.perf_counter() - start

    def test_two_provinces_run_level_rounds_in_mixed_states(self):
        self.assertEqual(Round.objects.get(pk=self.national.pk).title, TITLE)
        levels = list(Round.objects.filter(parent=self.national).order_by("owner__key"))
        self.assertEqual([r.owner.key for r in levels], ["P01", "P08-2025"])
        for level in levels:
            statuses = list(level.reports.values_list("status", flat=True))
            self.assertEqual(len(statuses), COMMUNES_PER_PROVINCE + len(DEPARTMENTS))
            self.assertIn(ReportStatus.ACCEPTED, statuses)
            self.assertGreater(len(set(statuses)), 1, statuses)
        print(f"levels demo: {self.seconds:.1f} s")

    def test_each_province_report_holds_the_sums_of_its_accepted_children(self):
        for level in Round.objects.filter(parent=self.national):
            expected: dict[tuple[str, str], Decimal] = {}
            for child in level.reports.filter(status=ReportStatus.ACCEPTED).select_related("current_version"):
                for row in child.current_version.content["tables"].get("PL03", {}).get("rows", []):
                    for column in ("total", "online"):
                        if row["values"].get(column) is not None:
                            place = (row["key"], column)
                            expected[place] = expected.get(place, Decimal(0)) + Decimal(row["values"][column])
            self.assertTrue(expected)
            report = Report.objects.get(round=self.national, unit=level.owner)
            rows = {r["key"]: r["values"] for r in report.parts.get(key="PL03").data["rows"]}
            got = {(row, column): Decimal(rows[row][column]) for row, column in expected}
            self.assertEqual(got, expected)

    def test_the_printed_level_logins_exist_and_act_where_they_should(self):
        from baocao06.accounts.models import User
        from baocao06.demo.levels import logins
        from baocao06.reports.access import can_review_round

        for username, _role in logins():
            self.assertTrue(User.objects.get(username=username).check_password("mat-khau-thu"), username)
        hanoi = Round.objects.get(parent=self.national, owner__key="P01")
        self.assertTrue(can_review_round(User.objects.get(username="hanoi.thamdinh"), hanoi))
        self.assertFalse(can_review_round(User.objects.get(username="tuyenquang.thamdinh"), hanoi))
