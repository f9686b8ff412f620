"""Reports through the levels in a real browser: a commune sends, its province returns it with a remark
at a cell, accepts the corrected version, consolidates it and sends its own report to the Secretariat."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from baocao06.reports.models import Report, ReportStatus
from baocao06.test import BrowserTestCase, fill_completely

from .levels import build_levels

pytestmark = pytest.mark.browser


class LevelsInBrowserTests(BrowserTestCase):
    def setUp(self):
        build_levels(self, communes=2)
        self.context = self.browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        self.dialogs: list[str] = []
        self.answer_dialogs = True
        self.context.on("dialog", self._answer_dialog)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)

    def switch_to(self, user):
        self.context.clear_cookies()
        self.login(user)

    def url(self, name, *args):
        return self.live_server_url + reverse(name, args=args)

    def test_a_commune_report_goes_up_through_its_province_to_the_secretariat(self):
        page = self.page
        report = self.commune_report
        fill_completely(report, self.commune_reporter, skip=("DV",))

        # The commune's reporter types the services' figures.
        self.switch_to(self.commune_reporter)
        page.goto(self.url("reports:detail", report.pk))
        for row, total, online in (("s1", "1.200", "800"), ("s2", "500", "100")):
            line = page.locator(f'#part-DV tr[data-row="{row}"]')
            line.locator("input[data-col=total]").fill(total)
            line.locator("input[data-col=online]").fill(online)
        page.locator("#part-DV [data-state].ok").wait_for()

        # Its approver sends it to the province.
        self.switch_to(self.commune_approver)
        page.goto(self.url("reports:detail", report.pk))
        page.click("#submit-form button[type=submit]")
        page.locator(".msg-success").wait_for()

        # Hà Nội's reviewer finds it on the province's board and returns it with a remark at a cell.
        self.switch_to(self.hn_reviewer)
        page.goto(self.url("rounds:board", self.level_round.pk))
        self.assertIn(self.commune.name, page.inner_text("#board-rows"))
        page.goto(self.url("review:review", report.pk))
        page.wait_for_load_state("networkidle")
        page.click('#s-DV tr[data-row="s1"] td[data-cell="online"] a.cell-link')
        # htmx swaps the remark form in place (or, before its script runs, the link loads the page).
        page.locator("#comment-form [data-place]", has_text="cột «Trực tuyến»").wait_for()
        page.fill("#comment-body", "Số hồ sơ trực tuyến chưa khớp Cổng Dịch vụ công của tỉnh.")
        page.click("#comment-form button")
        page.locator(".msg-success").wait_for()
        page.click("#return-box summary")
        page.click("#return-form button")
        page.locator(".msg-success").wait_for()
        self.assertEqual(Report.objects.get(pk=report.pk).status, ReportStatus.RETURNED)

        # The commune sees the remark at the cell, corrects it, and its approver sends again.
        self.switch_to(self.commune_reporter)
        page.goto(self.url("reports:detail", report.pk))
        line = page.locator('#part-DV tr[data-row="s1"]')
        self.assertIn("chưa khớp Cổng Dịch vụ công", line.locator('td[data-cell="online"] .pin').inner_text())
        line.locator("input[data-col=online]").fill("950")
        page.locator("#part-DV [data-state].ok").wait_for()
        self.switch_to(self.commune_approver)
        page.goto(self.url("reports:detail", report.pk))
        page.click("#submit-form button[type=submit]")
        page.locator(".msg-success").wait_for()

        # The reviewer accepts the corrected version.
        self.switch_to(self.hn_reviewer)
        page.goto(self.url("review:review", report.pk))
        page.click("#accept-form button")
        page.locator(".msg-success").wait_for()
        report.refresh_from_db()
        self.assertEqual((report.status, report.current_version.number), (ReportStatus.ACCEPTED, 2))

        # The province's report shows the consolidated figure with its drill-down, and takes it.
        self.switch_to(self.hn_reporter)
        page.goto(self.url("reports:detail", self.province_report.pk))
        # At the figure itself: "tổng hợp từ 1 xã: 950" leads to that figure's drill-down.
        at_cell = page.locator("#cell-DV-s1-online .cell-consolidated a")
        self.assertEqual(at_cell.inner_text(), "tổng hợp từ 1 xã: 950")
        at_cell.click()
        page.wait_for_url("**/cap-duoi/#f-DV-s1-online")
        self.assertIn("tổng hợp từ 1 xã", page.inner_text("#consolidation-label"))
        figure = page.locator("#f-DV-s1-online")
        self.assertIn("950", figure.inner_text())
        figure.locator("details.drill summary").click()
        self.assertIn(self.commune.name, figure.locator("details.drill table").inner_text())
        page.click("#take button")
        page.locator(".msg-success").wait_for()
        rows = {r["key"]: r["values"] for r in self.province_report.parts.get(key="DV").data["rows"]}
        self.assertEqual((rows["s1"]["total"], rows["s1"]["online"]), (1200, 950))

        # The province's approver sends its report to the Secretariat.
        fill_completely(self.province_report, self.hn_reporter, skip=("DV",))
        self.switch_to(self.hn_approver)
        page.goto(self.url("reports:detail", self.province_report.pk))
        page.click("#submit-form button[type=submit]")
        page.locator(".msg-success").wait_for()
        self.province_report.refresh_from_db()
        self.assertEqual(self.province_report.status, ReportStatus.SUBMITTED)
        online = next(
            r for r in self.province_report.current_version.content["tables"]["DV"]["rows"] if r["key"] == "s1"
        )
        self.assertEqual(online["values"]["online"], 950)
        self.assertLess(self.province_report.current_version.submitted_at, timezone.now())
