"""A province's figures consolidated from its accepted communes, checked against sums made here from
the children's stored versions; national totals that count each figure once."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from baocao06.audit.models import AuditEvent
from baocao06.compilation.consolidate import consolidate
from baocao06.compilation.consolidation_actions import (
    ConsolidationRefused,
    changes_since,
    do_adjust_figure,
    do_take_consolidation,
)
from baocao06.compilation.engine import select_versions
from baocao06.compilation.sums import group_sums
from baocao06.core.vietnamese import format_number
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_accept_report, do_reopen_report, do_return_report
from baocao06.rounds.tests.levels import build_levels
from baocao06.test import fill_completely, login_client

COLUMNS = ("total", "online")


def expected_sums(level_round) -> dict[tuple[str, str], Decimal]:
    """Sums made from the accepted children's version JSON, not from the value rows the code reads."""
    sums: dict[tuple[str, str], Decimal] = {}
    for report in Report.objects.filter(round=level_round, status=ReportStatus.ACCEPTED).select_related(
        "current_version"
    ):
        for row in report.current_version.content["tables"].get("DV", {}).get("rows", []):
            for column in COLUMNS:
                value = row["values"].get(column)
                if value is not None:
                    sums[(row["key"], column)] = sums.get((row["key"], column), Decimal(0)) + Decimal(value)
    return sums


def set_figure(report, actor, row: str, total: int, online: int) -> None:
    part = report.parts.get(key="DV")
    rows = [dict(r, values=dict(r["values"])) for r in part.data["rows"]]
    for r in rows:
        if r["key"] == row:
            r["values"].update(total=str(total), online=str(online))
    do_save_part(report, "DV", {"rows": rows}, base_revision=part.revision, actor=actor)


class ConsolidationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=4)
        cls.children = list(Report.objects.filter(round=cls.level_round).order_by("unit__key"))
        for i, report in enumerate(cls.children):
            fill_completely(report, cls.commune_reporter, seed=i + 1)
            do_submit_report(report, actor=cls.commune_approver)
        # Three communes and the department accepted; the last commune still waits for review.
        for report in cls.children:
            if report.unit_id != cls.communes[-1].pk:
                do_accept_report(report, actor=cls.hn_reviewer)

    def figures(self):
        return {(f.row, f.column): f.total for f in consolidate(self.level_round).figures.values() if f.table == "DV"}

    def test_consolidated_figures_are_the_sums_over_accepted_children(self):
        expected = expected_sums(self.level_round)
        self.assertEqual(len(expected), 4)
        self.assertEqual(self.figures(), expected)
        result = consolidate(self.level_round)
        self.assertEqual(len(result.children), 4)  # 3 communes + the department
        self.assertEqual(result.outstanding, 1)
        figure = result.figures[("DV", "s1", "total")]
        self.assertEqual(figure.children, 3)  # the department is not asked for services
        self.assertEqual(result.label(), "tổng hợp từ 4 đơn vị")

    def test_the_command_prints_the_figures_and_their_children(self):
        out = io.StringIO()
        call_command("consolidate", str(self.round.pk), "P01", "--json", stdout=out)
        data = json.loads(out.getvalue())
        self.assertEqual(data["unit"], "P01")
        self.assertEqual(data["level_round"], self.level_round.pk)
        expected = expected_sums(self.level_round)
        got = {(f["row"], f["column"]): Decimal(f["value"]) for f in data["figures"] if f["table"] == "DV"}
        self.assertEqual(got, expected)
        s1 = next(f for f in data["figures"] if (f["row"], f["column"]) == ("s1", "total"))
        self.assertEqual(sum(Decimal(v) for v in s1["by_child"].values()), expected[("s1", "total")])
        self.assertEqual(set(s1["by_child"]), {c.key for c in self.communes[:-1]})

    def test_taking_the_figures_fills_the_province_draft_and_remembers_the_basis(self):
        take = do_take_consolidation(self.province_report, actor=self.hn_reporter)
        expected = expected_sums(self.level_round)
        rows = {r["key"]: r["values"] for r in self.province_report.parts.get(key="DV").data["rows"]}
        for (row, column), value in expected.items():
            self.assertEqual(Decimal(rows[row][column]), value)
        self.assertEqual(len(take.basis), 4)
        self.assertTrue(AuditEvent.objects.filter(action="report.consolidation_taken").exists())

    def test_a_re_accepted_child_shows_what_changed_and_refreshes_on_request(self):
        take = do_take_consolidation(self.province_report, actor=self.hn_reporter)
        child = next(r for r in self.children if r.unit_id == self.communes[0].pk)
        do_reopen_report(child, actor=self.hn_reviewer, reason="Số hồ sơ chưa khớp")
        set_figure(child, self.commune_reporter, "s1", 900, 450)
        do_submit_report(child, actor=self.commune_approver)
        do_accept_report(child, actor=self.hn_reviewer)
        since = changes_since(take, consolidate(self.level_round))
        self.assertEqual(since.revised, [child.unit.name])
        self.assertIn("DV|s1|total", [place for place, _, _ in since.figures])
        do_take_consolidation(self.province_report, actor=self.hn_reporter)
        rows = {r["key"]: r["values"] for r in self.province_report.parts.get(key="DV").data["rows"]}
        self.assertEqual(Decimal(rows["s1"]["total"]), expected_sums(self.level_round)[("s1", "total")])

    def test_an_adjustment_needs_a_reason_and_survives_a_refresh(self):
        do_take_consolidation(self.province_report, actor=self.hn_reporter)
        with self.assertRaisesMessage(ConsolidationRefused, "lý do"):
            do_adjust_figure(
                self.province_report,
                table="DV",
                row="s1",
                column="total",
                value="12",
                reason="",
                actor=self.hn_reporter,
            )
        do_adjust_figure(
            self.province_report,
            table="DV",
            row="s1",
            column="total",
            value="123.456",
            reason="Cộng thêm hồ sơ của Trung tâm phục vụ hành chính công tỉnh",
            actor=self.hn_reporter,
        )
        do_take_consolidation(self.province_report, actor=self.hn_reporter)
        rows = {r["key"]: r["values"] for r in self.province_report.parts.get(key="DV").data["rows"]}
        self.assertEqual(rows["s1"]["total"], 123456)
        self.assertEqual(Decimal(rows["s1"]["online"]), expected_sums(self.level_round)[("s1", "online")])

    def test_national_totals_count_each_figure_once(self):
        """The province sends its consolidated figures; the national sum adds provinces' versions only,
        never the communes' versions behind them as well."""
        do_take_consolidation(self.province_report, actor=self.hn_reporter)
        fill_completely(self.province_report, self.hn_reporter, seed=7, skip=("DV",))
        do_submit_report(self.province_report, actor=self.hn_approver)
        do_accept_report(self.province_report, actor=self.secretariat)
        fill_completely(self.other_province_report, self.hn_reporter, seed=8)
        do_submit_report(self.other_province_report, actor=self.hn_approver)
        do_accept_report(self.other_province_report, actor=self.secretariat)
        ids = select_versions(self.round)
        self.assertEqual(len(ids), 2)
        national = {
            (row, column): total
            for part, _group, row, column, total, _n in group_sums(ids, ["DV"])
            if column in COLUMNS
        }
        other = {
            (r["key"], c): Decimal(r["values"][c])
            for r in Report.objects.get(pk=self.other_province_report.pk).current_version.content["tables"]["DV"][
                "rows"
            ]
            for c in COLUMNS
        }
        communes = expected_sums(self.level_round)
        for place, value in communes.items():
            self.assertEqual(national[place], value + other[place])


class NationalViewTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=3)
        cls.children = list(Report.objects.filter(round=cls.level_round).order_by("unit__key"))
        for i, report in enumerate(cls.children):
            fill_completely(report, cls.commune_reporter, seed=i + 31)
            if report.unit_id != cls.communes[-1].pk:
                do_submit_report(report, actor=cls.commune_approver)
        do_accept_report(Report.objects.get(round=cls.level_round, unit=cls.communes[0]), actor=cls.hn_reviewer)

    def test_the_secretariats_board_shows_each_provinces_lower_units(self):
        login_client(self.client, self.secretariat)
        response = self.client.get(reverse("rounds:board", args=[self.round.pk]))
        levels = {row["owner"]: row for row in response.context["levels"]}
        hanoi = levels[self.province.name]
        expected = Report.objects.filter(round=self.level_round)
        self.assertEqual(hanoi["total"], expected.count())
        self.assertEqual(hanoi["submitted"], expected.filter(first_submitted_at__isnull=False).count())
        self.assertEqual((hanoi["total"], hanoi["submitted"], hanoi["accepted"]), (4, 3, 1))
        self.assertEqual(levels[self.other_province.name]["submitted"], 0)
        self.assertContains(response, reverse("rounds:board", args=[self.level_round.pk]))

    def test_the_national_page_says_how_many_communes_each_figure_rests_on(self):
        login_client(self.client, self.secretariat)
        response = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        counts = {(c["row"], c["column"]): c["units"] for c in response.context["lower_counts"]}
        self.assertEqual(counts[("Đăng ký thường trú", "Tổng số hồ sơ")], 1)
        levels = response.context["counted_levels"]
        self.assertEqual([c["column"] for c in levels], ["Tổng số hồ sơ", "Trực tuyến"])
        self.assertContains(response, "tính ở cấp xã, sở (qua số tổng hợp của tỉnh)")

    def test_the_national_page_drills_down_from_a_province_to_its_communes(self):
        """Secretariat and viewers only: the province's communes' figures from the level round's
        accepted versions (checked against their JSON), each under the figure it makes up."""
        login_client(self.client, self.secretariat)
        national = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        url = reverse("compilation:level_figures", args=[self.level_round.pk])
        self.assertContains(national, f'href="{url}"')
        for person in (self.secretariat, self.viewer):
            login_client(self.client, person)
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
        expected = expected_sums(self.level_round)
        accepted = Report.objects.filter(round=self.level_round, status=ReportStatus.ACCEPTED).select_related(
            "current_version", "unit"
        )
        lines = {(t["table"].key, line["row"].key, line["column"]["key"]): line for t in response.context["tables"]
                 for line in t["lines"]}  # fmt: skip
        for (row, column), total in expected.items():
            line = lines[("DV", row, column)]
            self.assertEqual(line["figure"].total, total)
            drill = dict(line["drill"])
            for report in accepted:
                for r in report.current_version.content["tables"]["DV"]["rows"]:
                    if r["key"] == row:
                        self.assertEqual(drill[report.unit.name], Decimal(r["values"][column]))
            self.assertEqual(len(drill), accepted.count())
        self.assertContains(response, "tổng hợp từ 1 xã")
        for person in (self.hn_reviewer, self.hn_reporter, self.commune_reporter):
            login_client(self.client, person)
            with self.assertLogs("baocao06.access", "WARNING"):
                self.assertEqual(self.client.get(url).status_code, 403)
        login_client(self.client, self.secretariat)
        with self.assertLogs("baocao06.access", "WARNING"):
            national_as_level = reverse("compilation:level_figures", args=[self.round.pk])
            self.assertEqual(self.client.get(national_as_level).status_code, 404)


class ConsolidationPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=3)
        cls.children = list(Report.objects.filter(round=cls.level_round, unit__kind="commune").order_by("unit__key"))
        for i, report in enumerate(cls.children):
            fill_completely(report, cls.commune_reporter, seed=i + 21)
            do_submit_report(report, actor=cls.commune_approver)
            do_accept_report(report, actor=cls.hn_reviewer)

    def url(self, name="compilation:consolidation"):
        return reverse(name, args=[self.province_report.pk])

    def test_the_page_shows_each_figure_with_its_children(self):
        login_client(self.client, self.hn_reporter)
        response = self.client.get(self.url())
        self.assertContains(response, "tổng hợp từ 3 xã")
        expected = expected_sums(self.level_round)[("s1", "total")]
        self.assertContains(response, format_number(expected, None))
        for commune in self.communes:
            self.assertContains(response, commune.name)

    def test_the_province_report_points_to_its_consolidated_tables(self):
        login_client(self.client, self.hn_reporter)
        response = self.client.get(reverse("reports:detail", args=[self.province_report.pk]))
        self.assertContains(response, "Có số liệu tổng hợp từ các đơn vị cấp dưới", count=1)  # DV only, not NV
        self.assertContains(response, self.url())

    def test_each_consolidated_cell_of_the_province_report_links_to_its_drill_down(self):
        """At the figure itself: "tổng hợp từ N xã: X" (X the sum from the communes' JSON) linking to the
        figure's line on the consolidation page, where each commune's figure is listed."""
        login_client(self.client, self.hn_reporter)
        response = self.client.get(reverse("reports:detail", args=[self.province_report.pk]))
        page = self.client.get(self.url())
        expected = expected_sums(self.level_round)
        self.assertEqual(len(expected), 4)
        for (row, column), total in expected.items():
            anchor = f"f-DV-{row}-{column}"
            self.assertContains(
                response,
                f'<a href="{self.url()}#{anchor}" title="Xem từng đơn vị cấp dưới">'
                f"tổng hợp từ 3 xã: {format_number(total)}</a>",
                html=False,
            )
            self.assertContains(page, f'id="{anchor}"')
        self.assertEqual(response.content.decode().count('class="cell-consolidated"'), len(expected))
        self.assertNotIn("<script>", response.content.decode())

    def test_the_province_takes_the_figures_by_post_and_sees_nothing_changed(self):
        login_client(self.client, self.hn_reporter)
        response = self.client.post(self.url("compilation:consolidation_take"))
        self.assertRedirects(response, self.url())
        page = self.client.get(self.url())
        self.assertContains(page, "Không có thay đổi nào từ khi lấy số liệu")
        self.assertContains(page, "Cập nhật số liệu tổng hợp vào báo cáo")

    def test_the_childrens_paragraphs_are_filtered_by_unit_and_words(self):
        login_client(self.client, self.hn_reporter)
        first = Report.objects.select_related("current_version", "unit").get(pk=self.children[0].pk)
        text = first.current_version.content["sections"]["I.1"]["fields"]["body"]
        word = text.split()[3]
        response = self.client.get(self.url(), {"muc": "I.1", "don_vi": first.unit.key, "q": word})
        self.assertContains(response, text[:40])
        self.assertNotContains(response, f"{self.children[1].unit.name} · body")

    def test_another_province_and_the_communes_cannot_consolidate_hanoi(self):
        for user in (self.other_reviewer, self.other_commune_reporter, self.commune_reporter):
            login_client(self.client, user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user)
            self.assertEqual(self.client.post(self.url("compilation:consolidation_take")).status_code, 404, user)


class ReturnsAndAcceptancesInAnyOrder(HypothesisTestCase):
    """Random sequences of accept / return / reopen / resubmit over the children: after each step the
    consolidated figures equal the sums over the children accepted at that moment."""

    @classmethod
    def setUpTestData(cls):
        build_levels(cls, communes=3)
        cls.children = list(Report.objects.filter(round=cls.level_round, unit__kind="commune").order_by("unit__key"))
        for i, report in enumerate(cls.children):
            fill_completely(report, cls.commune_reporter, seed=i + 11)
            do_submit_report(report, actor=cls.commune_approver)

    @hsettings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        st.lists(
            st.tuples(
                st.integers(0, 2), st.sampled_from(["accept", "return", "reopen", "resubmit"]), st.integers(0, 999)
            ),
            min_size=1,
            max_size=10,
        )
    )
    def test_figures_follow_the_accepted_versions(self, steps):
        for index, action, number in steps:
            report = Report.objects.get(pk=self.children[index].pk)
            if action == "accept" and report.status == ReportStatus.SUBMITTED:
                do_accept_report(report, actor=self.hn_reviewer)
            elif action == "return" and report.status == ReportStatus.SUBMITTED:
                do_return_report(report, actor=self.hn_reviewer, message="Kiểm tra lại số liệu")
            elif action == "reopen" and report.status == ReportStatus.ACCEPTED:
                do_reopen_report(report, actor=self.hn_reviewer, reason="Sửa số liệu")
            elif action == "resubmit" and report.status == ReportStatus.RETURNED:
                set_figure(report, self.commune_reporter, "s2", number + 10, number)
                do_submit_report(report, actor=self.commune_approver)
            got = {
                (f.row, f.column): f.total for f in consolidate(self.level_round).figures.values() if f.table == "DV"
            }
            self.assertEqual(got, expected_sums(self.level_round))
