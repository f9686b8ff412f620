"""The dashboard in a real browser: choosing a round (no inline script: the CSP forbids it), at the
widths of a desktop, a laptop at 125 % and a phone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from baocao06.test import BrowserTestCase, open_test_round

pytestmark = pytest.mark.browser
WIDTHS = (1366, 1093, 390)


class DashboardInBrowserTests(BrowserTestCase):
    def test_choosing_another_round_shows_that_round(self):
        # A real-length title (a province's round: "<national title> — cấp tỉnh: <province>"): on a phone
        # the picker must stay inside the page, not widen it.
        title = "Tổng kết năm 2026 triển khai Đề án 06 — cấp tỉnh: Thành phố Hồ Chí Minh"
        later = open_test_round(self.definition, [self.ministry], actor=self.secretariat, title=title)
        self.login(self.viewer)
        url = self.live_server_url + reverse("compilation:dashboard")
        for width in WIDTHS:
            with self.subTest(width=width):
                page = self.page_at(width)
                page.goto(url)
                self.assertEqual(page.locator("select[name=ky]").input_value(), str(later.pk))
                self.assertIn("1 đơn vị được giao", page.inner_text("p.sub"))
                self.assertFalse(page.locator("form:has(select[name=ky]) button").is_visible())  # the script submits
                page.select_option("select[name=ky]", str(self.round.pk))
                page.wait_for_url(f"**/?ky={self.round.pk}")
                self.assertIn("3 đơn vị được giao", page.inner_text("p.sub"))
                self.assertEqual(page.locator("select[name=ky]").input_value(), str(self.round.pk))
                self.assertLessEqual(self.document_width(page), width)
