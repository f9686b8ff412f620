"""Review in a real browser: return with a cell remark, fix at the cell, resubmit, diff, accept."""

import pytest
from django.urls import reverse

from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import ReportStatus
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser
ROW = "DA06-07"  # Đăng ký khai sinh (Ministry of Justice)


class ReviewInBrowserTests(BrowserTestCase):
    def switch_to(self, user):
        self.context.clear_cookies()
        self.login(user)

    def test_return_with_a_cell_remark_fix_resubmit_see_the_diff_and_accept(self):
        fill_completely(self.report, self.reporter)
        first = do_submit_report(self.report, actor=self.approver)
        old_online = next(r for r in first.content["tables"]["PL03"]["rows"] if r["key"] == ROW)["values"]["online"]
        page = self.page
        review_url = self.live_server_url + reverse("review:review", args=[self.report.pk])

        # The Secretariat picks the cell, writes the remark and returns the report.
        self.switch_to(self.secretariat)
        page.goto(review_url)
        page.click(f'#s-PL03 tr[data-row="{ROW}"] td[data-cell="online"] a.cell-link')
        place = "PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»"
        # The form for the picked place arrives without a page load (htmx): wait for it, then read it.
        page.locator("#comment-form [data-place]", has_text=place).wait_for()
        self.assertIn(place, page.inner_text("#comment-form [data-place]"))
        page.fill("#comment-body", "Số hồ sơ trực tuyến chưa khớp Cổng Dịch vụ công quốc gia.")
        page.click("#comment-form button")
        page.locator(".msg-success").wait_for()
        page.click("#return-box summary")  # "Trả lại…" opens the message box
        page.click("#return-form button")
        page.locator(".msg-success").wait_for()
        self.assertIn("kèm 1 nhận xét", page.inner_text(".msg-success"))

        # The reporter sees the remark at the cell and fixes the figure there.
        self.switch_to(self.reporter)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        row = page.locator(f'#part-PL03 tr[data-row="{ROW}"]')
        pin = row.locator('td[data-cell="online"] .pin')
        self.assertIn("chưa khớp Cổng Dịch vụ công quốc gia", pin.inner_text())
        row.locator("input[data-col=online]").fill("1.234")
        page.locator("#part-PL03 [data-state].ok").wait_for()

        # The approver resubmits.
        self.switch_to(self.approver)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        page.click("#submit-form button[type=submit]")
        page.locator(".msg-success").wait_for()
        self.assertIn("Đã gửi báo cáo lần 2", page.inner_text(".msg-success"))

        # The Secretariat sees exactly that change, and accepts.
        self.switch_to(self.secretariat)
        page.goto(review_url)
        change = page.locator(f'#diff tr[data-row="{ROW}"][data-col="online"]')
        self.assertEqual(change.locator("del").inner_text(), f"{old_online:,}".replace(",", "."))
        self.assertEqual(change.locator("ins").inner_text(), "1.234")
        page.click("#accept-form button")
        page.locator(".msg-success").wait_for()
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.current_version.number), (ReportStatus.ACCEPTED, 2))
