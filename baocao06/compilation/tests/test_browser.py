"""The Secretariat compiles a round, makes its files and downloads them, in a real browser."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from baocao06.compilation.models import Snapshot
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_accept_report
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser


class NationalReportInBrowserTests(BrowserTestCase):
    def test_compile_generate_download_and_see_the_dashboard(self):
        import docx
        import openpyxl

        for report, person, seed in (
            (self.report, self.approver, 11),
            (self.province_report, self.province_approver, 12),
        ):
            fill_completely(report, person, seed=seed)
            do_submit_report(report, actor=person)
        do_accept_report(self.report, actor=self.secretariat)

        page = self.page
        self.login(self.secretariat)
        page.goto(self.live_server_url + reverse("compilation:national", args=[self.round.pk]))
        # The test backend runs the queued compilation inside the request (a worker does, in real life).
        page.click("button:has-text('Tổng hợp tạm tính')", timeout=90_000)
        page.locator("text=Đã tổng hợp tạm tính lần 1 từ 2 báo cáo").wait_for()
        snapshot = Snapshot.objects.get()
        self.assertTrue(snapshot.provisional)
        pl03 = next(t for t in snapshot.data["services"] if t["table"] == "PL03")
        total = f"{pl03['total']['values']['total']:,}".replace(",", ".")
        self.assertIn(total, page.locator("table.national tfoot").first.inner_text())
        self.assert_charts_are_drawn(page)

        page.click("button:has-text('Tạo tệp báo cáo')")
        page.locator("#generation a[data-kind=docx]").wait_for(timeout=120_000)
        with page.expect_download() as info:
            page.click("#generation a[data-kind=docx]")
        document = docx.Document(info.value.path())
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("TẠM TÍNH", text)
        self.assertIn("Kính gửi", text)
        with page.expect_download() as info:
            page.click("#generation a[data-kind=xlsx]")
        self.assertEqual(info.value.suggested_filename[-5:], ".xlsx")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / info.value.suggested_filename
            info.value.save_as(path)
            workbook = openpyxl.load_workbook(path, read_only=True)
            sheets = workbook.sheetnames
            workbook.close()
        self.assertIn("PL03", sheets)
        self.assertIn("BTP", sheets)  # a sheet per unit

        page.click("text=Bảng điều khiển")
        page.locator("h1:has-text('Bảng điều khiển')").wait_for()
        self.assertIn("Theo tổng hợp lần 1", page.content())
        self.assert_charts_are_drawn(page)
        self.assertIn("Bộ Tư pháp", page.locator("text=Xếp hạng bộ, ngành").locator("..").inner_text())

    def assert_charts_are_drawn(self, page):
        """Each chart loaded and is mostly light (a page policy refusing its styles paints it black)."""
        import io

        from PIL import Image

        charts = page.locator("figure.chart img")
        self.assertGreaterEqual(charts.count(), 3)
        for index in range(charts.count()):
            chart = charts.nth(index)
            chart.scroll_into_view_if_needed()
            self.assertGreater(chart.evaluate("img => img.complete && img.naturalWidth"), 0)
            image = Image.open(io.BytesIO(chart.screenshot())).convert("L")
            histogram = image.histogram()  # 256 counts of grey levels
            dark = sum(histogram[:60]) / (image.width * image.height)
            self.assertLess(dark, 0.3, chart.get_attribute("alt"))
