"""Counted once (issue 13, point 4): a figure reported both by a ministry (nationwide) and by provinces
enters the national total at the level the definition states, and a province's consolidated figure is
never added to its communes' own figures. Checked against sums made from the stored versions' JSON."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from decimal import Decimal
from pathlib import Path

from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from baocao06.accounts.models import GlobalRole, UnitRole
from baocao06.compilation.consolidation_actions import do_take_consolidation
from baocao06.compilation.engine import compile_round, select_versions
from baocao06.compilation.levels import COUNTED_AT, COUNTED_BY
from baocao06.definitions.loading import store_definition
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_accept_report
from baocao06.rounds.levels import do_cascade_round
from baocao06.rounds.models import Round
from baocao06.rounds.tests.levels import DEFINITION, add_lower_units, open_national
from baocao06.test import fill_completely, login_client, make_user
from baocao06.units.loading import load_units
from baocao06.units.models import Unit


def definition_text() -> str:
    """The level fixture, with ministries answering the services and each column counted by one level:
    applications at the ministry (its nationwide figure), online applications at the provinces."""
    text = DEFINITION.read_text(encoding="utf-8")
    text = text.replace("key: cap-thu", "key: cap-thu-bo")
    text = text.replace(
        "audience: [provinces, communes], fields: [], tables: [DV]",
        "audience: [provinces, communes, ministries], fields: [], tables: [DV]",
    )
    text = text.replace(
        "    audience: [provinces, communes]\n    columns:",
        "    audience: [provinces, communes, ministries]\n    columns:",
    )
    marker = "consolidate: sum, counted_at: lower}"
    assert text.count(marker) == 2
    text = text.replace(marker, "consolidate: sum, counted_at: lower, counted_by: ministries}", 1)
    text = text.replace(marker, "consolidate: sum, counted_at: lower, counted_by: provinces}", 1)
    text += "compilation:\n  services:\n    tables: [DV]\n    total: total\n    online: online\n    savings: total\n"
    return text


COLUMNS = ("total", "online")


def content_figures(report) -> dict[tuple[str, str], Decimal]:
    """(row, column) → figure, from the report's current version JSON."""
    out = {}
    for row in report.current_version.content["tables"].get("DV", {}).get("rows", []):
        for column in COLUMNS:
            if row["values"].get(column) is not None:
                out[(row["key"], column)] = Decimal(row["values"][column])
    return out


def add(into: dict, figures: dict) -> None:
    for place, value in figures.items():
        into[place] = into.get(place, Decimal(0)) + value


class CountedOnceTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_units()
        cls.definition, _ = store_definition(definition_text())
        cls.province = Unit.objects.get(key="P01")
        cls.other_province = Unit.objects.get(key="P79")
        cls.ministry = Unit.objects.get(key="BCA")
        cls.communes = add_lower_units(cls.province, 3, prefix="XT")
        cls.secretariat = make_user("thuky", global_role=GlobalRole.SECRETARIAT)
        cls.viewer = make_user("lanhdao", global_role=GlobalRole.VIEWER)
        cls.hn_reporter = make_user("hn.cv", unit=cls.province, role=UnitRole.REPORTER)
        cls.hn_approver = make_user("hn.ld", unit=cls.province, role=UnitRole.APPROVER)
        cls.hn_reviewer = make_user("hn.td", unit=cls.province, role=UnitRole.REVIEWER)
        cls.commune_reporter = make_user("xa.cv", unit=cls.communes[0], role=UnitRole.REPORTER)
        cls.commune_approver = make_user("xa.ld", unit=cls.communes[0], role=UnitRole.APPROVER)
        cls.bca_reporter = make_user("bca.cv", unit=cls.ministry, role=UnitRole.REPORTER)
        cls.bca_approver = make_user("bca.ld", unit=cls.ministry, role=UnitRole.APPROVER)
        cls.round = open_national(
            cls.definition, [cls.province, cls.other_province, cls.ministry], actor=cls.secretariat
        )
        do_cascade_round(cls.round, deadline=cls.round.deadline - dt.timedelta(days=5), actor=cls.secretariat)
        cls.level_round = Round.objects.get(parent=cls.round, owner=cls.province)
        for i, report in enumerate(Report.objects.filter(round=cls.level_round).order_by("unit__key")):
            fill_completely(report, cls.commune_reporter, seed=i + 3)
            do_submit_report(report, actor=cls.commune_approver)
            do_accept_report(report, actor=cls.hn_reviewer)
        hanoi = Report.objects.get(round=cls.round, unit=cls.province)
        fill_completely(hanoi, cls.hn_reporter, seed=11, skip=("DV",))
        do_take_consolidation(hanoi, actor=cls.hn_reporter)
        for report, reporter, approver, seed in (
            (hanoi, None, cls.hn_approver, None),
            (Report.objects.get(round=cls.round, unit=cls.other_province), cls.hn_reporter, cls.hn_approver, 12),
            (Report.objects.get(round=cls.round, unit=cls.ministry), cls.bca_reporter, cls.bca_approver, 13),
        ):
            if reporter is not None:
                fill_completely(report, reporter, seed=seed)
            do_submit_report(report, actor=approver)
            do_accept_report(report, actor=cls.secretariat)
        cls.snapshot = compile_round(cls.round, actor=cls.secretariat)

    def expected(self) -> dict[tuple[str, str], Decimal]:
        """Independent sums: applications from the ministry's version, online from the provinces'."""
        by_level = {"ministries": {}, "provinces": {}}
        for report in Report.objects.filter(round=self.round, status=ReportStatus.ACCEPTED).select_related(
            "current_version", "unit"
        ):
            add(by_level["ministries" if report.unit_id == self.ministry.pk else "provinces"], content_figures(report))
        out = {k: v for k, v in by_level["ministries"].items() if k[1] == "total"}
        out |= {k: v for k, v in by_level["provinces"].items() if k[1] == "online"}
        return out, by_level

    def test_each_column_is_counted_at_the_level_the_definition_states(self):
        expected, by_level = self.expected()
        service = self.snapshot.data["services"][0]
        got = {
            (row["key"], column): Decimal(row["values"][column])
            for row in service["rows"]
            for column in COLUMNS
            if row["values"].get(column) is not None
        }
        self.assertEqual(got, expected)
        # The three levels really differ: had everyone been added, the totals would be larger.
        for place, value in by_level["provinces"].items():
            if place[1] == "total":
                self.assertNotEqual(got[place], value + by_level["ministries"][place])
        # What was left out is printed beside the figure.
        for row in service["rows"]:
            self.assertEqual(Decimal(row["not_counted"]["total"]), by_level["provinces"][(row["key"], "total")])
            self.assertEqual(Decimal(row["not_counted"]["online"]), by_level["ministries"][(row["key"], "online")])
        total = service["total"]["values"]
        for column in COLUMNS:
            self.assertEqual(Decimal(total[column]), sum(v for (r, c), v in expected.items() if c == column))

    def test_the_provinces_consolidated_figure_is_not_added_to_its_communes(self):
        """Hà Nội's online figure is the sum over its accepted communes; the national online figure is
        Hà Nội's plus TP.HCM's, not that plus the communes' again."""
        _expected, _by_level = self.expected()
        communes = {}
        for report in Report.objects.filter(round=self.level_round, status=ReportStatus.ACCEPTED).select_related(
            "current_version"
        ):
            add(communes, content_figures(report))
        hanoi = content_figures(Report.objects.get(round=self.round, unit=self.province))
        other = content_figures(Report.objects.get(round=self.round, unit=self.other_province))
        self.assertEqual(hanoi, communes)
        self.assertEqual(len(select_versions(self.round)), 3)
        service = self.snapshot.data["services"][0]
        for row in service["rows"]:
            place = (row["key"], "online")
            self.assertEqual(Decimal(row["values"]["online"]), communes[place] + other[place])

    def test_the_compiled_tables_say_which_level(self):
        columns = {c["key"]: c for c in self.snapshot.data["services"][0]["columns"]}
        self.assertEqual(columns["total"]["counted_at"], f"{COUNTED_BY['ministries']}; {COUNTED_AT['lower']}")
        self.assertEqual(columns["online"]["counted_at"], f"{COUNTED_BY['provinces']}; {COUNTED_AT['lower']}")
        self.assertNotIn("counted_at", columns["rate"])
        login_client(self.client, self.secretariat)
        page = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        self.assertContains(page, f"Cột «Tổng số hồ sơ»: {COUNTED_BY['ministries']}")
        self.assertContains(page, "Không cộng vào toàn quốc: «Trực tuyến»")
        # The province's figure in the rankings links to its drill-down to its communes.
        drill = reverse("compilation:level_figures", args=[self.level_round.pk])
        self.assertContains(page, f'<a href="{drill}" title="Số liệu từng xã, sở">{self.province.name}</a>')
        self.assertNotContains(page, f'title="Số liệu từng xã, sở">{self.other_province.name}</a>')

    def test_the_docx_and_xlsx_appendices_say_which_level(self):
        from baocao06.compilation.outputs.appendices import service_appendix

        appendix = service_appendix(self.snapshot.data["services"][0], self.round.get_layout())
        labels = [c.label for c in appendix.table.columns]
        self.assertIn(f"Tổng số hồ sơ — {COUNTED_BY['ministries']}; {COUNTED_AT['lower']}", labels)
        from baocao06.compilation.outputs.xlsx import write_workbook

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "national.xlsx"
            write_workbook(self.snapshot.data, self.round.get_layout(), [], path)
            book = load_workbook(path)
        texts = {cell.value for sheet in book.worksheets for row in sheet.iter_rows() for cell in row}
        self.assertIn(f"Trực tuyến — {COUNTED_BY['provinces']}; {COUNTED_AT['lower']}", texts)
        self.assertTrue(json.dumps(self.snapshot.data, ensure_ascii=False).count(COUNTED_BY["ministries"]))

    def test_the_json_and_docx_say_how_many_communes_each_figure_rests_on(self):
        """Independent count: Hà Nội's accepted communes whose version has the figure."""
        from baocao06.compilation.outputs.appendices import appendices

        accepted = Report.objects.filter(round=self.level_round, status=ReportStatus.ACCEPTED).select_related(
            "current_version"
        )
        expected = {}
        for report in accepted:
            for place in content_figures(report):
                expected[place] = expected.get(place, 0) + 1
        self.assertEqual(set(expected.values()), {3})
        got = {(c["row_key"], c["column_key"]): c["units"] for c in self.snapshot.data["levels"]["lower_counts"]}
        self.assertEqual(got, expected)
        found = appendices(self.snapshot.data, self.round.get_layout(), {})
        service = next(a for a in found if a.key == "DV")
        caption, spec = service.more[0]
        self.assertIn("xã, sở", caption)
        self.assertEqual(len(spec.rows), len(expected))
        self.assertEqual({r.cells[2] for r in spec.rows}, {"3"})
        self.assertIn("Đăng ký thường trú", {r.cells[0] for r in spec.rows})
