"""Uploading a workbook on the report page in a real browser: check, then import."""

import tempfile
from pathlib import Path

import pytest
from django.urls import reverse

from baocao06.test import BrowserTestCase
from baocao06.workbooks.export import export_report
from baocao06.workbooks.tests.helpers import load, put, save

pytestmark = pytest.mark.browser


class UploadInBrowserTests(BrowserTestCase):
    def test_check_shows_problems_by_cell_then_a_good_file_is_imported(self):
        book = load(export_report(self.report))
        put(book, self.report, "PL03", "DA06-07", {"total": 100, "online": 120})
        folder = Path(tempfile.mkdtemp())
        bad, good = folder / "sai.xlsx", folder / "dung.xlsx"
        bad.write_bytes(save(book))
        put(book, self.report, "PL03", "DA06-07", {"online": 80})
        good.write_bytes(save(book))

        page = self.page
        self.login(self.reporter)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        page.set_input_files("#excel-file", str(bad))
        page.click("#excel-form button[value=check]")
        page.locator("#excel-result .alert-error").wait_for()
        self.assertIn("Số hồ sơ trực tuyến lớn hơn tổng số hồ sơ.", page.locator("#excel-result").inner_text())
        self.assertIn("PL03!E", page.locator("#excel-result code").first.inner_text())
        self.assertFalse(self.report.parts.exists())

        page.set_input_files("#excel-file", str(good))
        page.click("#excel-form button[value=import]")
        page.locator(".msg-success").wait_for()
        self.assertIn("Đã nhập tệp dung.xlsx", page.locator(".msg-success").inner_text())
        row = page.locator('#part-PL03 tr[data-row="DA06-07"]')
        self.assertEqual(row.locator("[data-col=online]").input_value(), "80")
        self.assertEqual(row.locator("output[data-col=rate]").inner_text(), "80")
