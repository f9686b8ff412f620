"""Comparison across rounds on today's units: a 2024 round's service figures summed onto the units of a
2026 round through their successors. Expected sums come from the submitted versions' JSON and the
successors from data/units/*.csv, read here."""

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from io import StringIO

import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts.roles import UnitRole
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report
from baocao06.rounds.actions import do_open_round
from baocao06.rounds.models import PeriodKind
from baocao06.rounds.tests.test_merger import DAY_2026, csv_successor, csv_units
from baocao06.test import DEFINITION_4709, BaseTestCase, make_user, open_test_round
from baocao06.units.models import Unit

OLD = ["P02", "P08", "BKHDT", "BTC", "P01"]
NEW = ["P08-2025", "BTC", "P01"]


def send(round_, keys, seed):
    for n, key in enumerate(keys):
        unit = Unit.objects.get(key=key)
        approver = make_user(f"{key.lower()}.{round_.pk}.ld", unit=unit, role=UnitRole.APPROVER)
        report = Report.objects.get(round=round_, unit=unit)
        BaseTestCase.fill_completely(report, approver, seed=seed + n)
        do_submit_report(report, actor=approver)


class CompareRoundsTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.a = open_test_round(cls.definition, Unit.objects.filter(key__in=OLD), title="6 tháng đầu năm 2024")
        send(cls.a, OLD, seed=10)
        cls.b = do_open_round(
            cls.definition,
            units=Unit.objects.filter(key__in=NEW),
            actor=None,
            title="Tổng kết năm 2026",
            period_kind=PeriodKind.YEAR,
            year=2026,
            data_from=dt.date(2025, 12, 15),
            data_to=DAY_2026,
            deadline=timezone.now() + dt.timedelta(days=7),
            previous=cls.a,
        )
        send(cls.b, NEW, seed=40)

    @staticmethod
    def sums_by_unit(round_, units: dict) -> dict[str, dict[str, dict[str, Decimal]]]:
        """{unit of DAY_2026: {service row key: {column: sum}}} from the versions' JSON, mapped with the CSV."""
        block = yaml.safe_load(DEFINITION_4709.read_text(encoding="utf-8"))["compilation"]["services"]
        sums: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(Decimal)))
        for report in Report.objects.filter(round=round_, current_version__isnull=False).select_related(
            "unit", "current_version"
        ):
            target = csv_successor(units, report.unit.key, DAY_2026)
            for table in block["tables"]:
                for row in (report.current_version.content["tables"].get(table) or {}).get("rows") or []:
                    for name in ("total", "online"):
                        value = (row.get("values") or {}).get(block[name])
                        if value not in (None, ""):
                            sums[target][f"{table}/{row['key']}"][name] += Decimal(str(value))
                            sums[target]["*"][name] += Decimal(str(value))
        return sums

    def test_compare_rounds_sums_predecessors_exactly(self):
        out = StringIO()
        call_command("compare_rounds", str(self.a.pk), str(self.b.pk), "--json", stdout=out)
        result = json.loads(out.getvalue())
        units = csv_units()
        expected_a, expected_b = self.sums_by_unit(self.a, units), self.sums_by_unit(self.b, units)
        self.assertEqual([u["key"] for u in result["units"]], [u.key for u in Unit.objects.filter(key__in=NEW)])
        self.assertEqual(
            {(m["from"], m["to"]) for m in result["mapping"]},
            {(k, csv_successor(units, k, DAY_2026)) for k in OLD if csv_successor(units, k, DAY_2026) != k},
        )
        self.assertIn(
            {"from": "P02", "from_name": "Hà Giang", "to": "P08-2025", "to_name": "Tuyên Quang"}, result["mapping"]
        )
        self.assertIn(("BKHDT", "BTC"), {(m["from"], m["to"]) for m in result["mapping"]})
        checked = 0
        for unit in result["units"]:
            self.assertEqual(
                sorted(unit["from"]), sorted(k for k in OLD if csv_successor(units, k, DAY_2026) == unit["key"])
            )
            for name in ("total", "online"):
                a, b = expected_a[unit["key"]]["*"][name], expected_b[unit["key"]]["*"][name]
                self.assertGreater(a, 0)
                self.assertEqual(Decimal(str(unit["total"]["a"][name])), a, (unit["key"], name))
                self.assertEqual(Decimal(str(unit["total"]["b"][name])), b, (unit["key"], name))
                self.assertEqual(Decimal(str(unit["total"]["change"][name])), b - a)
            for service in unit["services"]:
                if service["service"].startswith("~"):
                    continue  # rows a unit added itself merge by folded label
                key = f"{service['table']}/{service['service']}"
                for name in ("total", "online"):
                    self.assertEqual(
                        Decimal(str(service["a"][name] or 0)), expected_a[unit["key"]][key][name], (unit["key"], key)
                    )
                    checked += 1
        self.assertGreater(checked, 50)

    def test_the_dashboard_and_unit_history_show_the_mapped_figures(self):
        self.login(self.viewer)
        result = json.loads(self._json())
        tq = next(u for u in result["units"] if u["key"] == "P08-2025")
        page = self.client.get(reverse("compilation:dashboard"), {"ky": self.b.pk}).content.decode()
        self.assertIn("So với kỳ trước", page)
        self.assertIn("Hà Giang (P02) → Tuyên Quang (P08-2025)", page)
        history = self.client.get(reverse("compilation:unit_history", args=["P08-2025"])).content.decode()
        self.assertIn("Tổng kết năm 2026", history)
        self.assertIn("6 tháng đầu năm 2024", history)
        self.assertIn("Hà Giang", history)
        from baocao06.core.templatetags.vn import vnnum

        self.assertIn(vnnum(tq["total"]["a"]["total"]), history)

    def test_after_a_compile_the_dashboard_shows_the_comparison_stored_with_the_snapshot(self):
        """QUALITY.md: first view after a compile ≤ 1 s. At national scale comparing two rounds reads
        every sent version's service figures, so it is done once by the compile job, not per view."""
        from unittest import mock

        from baocao06.compilation import across
        from baocao06.compilation.actions import do_request_compile, run_compile
        from baocao06.compilation.models import CompileJob

        do_request_compile(self.b, provisional=True, actor=self.secretariat)  # sent, not yet accepted
        job = CompileJob.objects.filter(round=self.b).latest("pk")
        self.assertEqual(run_compile(job.pk)["status"], "done")
        job.refresh_from_db()
        self.login(self.viewer)
        with mock.patch.object(across, "compare", side_effect=AssertionError("compared during a page view")):
            page = self.client.get(reverse("compilation:dashboard"), {"ky": self.b.pk}).content.decode()
        self.assertIn("Hà Giang (P02) → Tuyên Quang (P08-2025)", page)
        self.assertIn(f"tại lần tổng hợp thứ {job.snapshot.number}", page)

    def _json(self) -> str:
        out = StringIO()
        call_command("compare_rounds", str(self.a.pk), str(self.b.pk), "--json", stdout=out)
        return out.getvalue()
