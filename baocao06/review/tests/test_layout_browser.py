"""The review page on a desktop (1366 px), a laptop at 125 % (1093 px) and a phone (390 px): nothing
clipped, the conclusion and the remark form at hand wherever the reader is, a cell picked in place."""

import pytest
from django.urls import reverse

from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import ReportStatus
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser
SIZES = ((1366, 768), (1093, 615), (390, 844))
ROW = "DA06-07"
CELL = f'#s-PL03 tr[data-row="{ROW}"] td[data-cell="online"] a.cell-link'


class ReviewLayoutTests(BrowserTestCase):
    def setUp(self):
        super().setUp()
        fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        self.login(self.secretariat)
        self.url = self.live_server_url + reverse("review:review", args=[self.report.pk])

    def assert_in_viewport(self, page, selector, size):
        box = page.locator(selector).bounding_box()
        self.assertIsNotNone(box, selector)
        width, height = size
        self.assertGreaterEqual(box["y"], 0, selector)
        self.assertLessEqual(box["y"] + box["height"], height, selector)
        self.assertGreaterEqual(box["x"], 0, selector)
        self.assertLessEqual(box["x"] + box["width"], width, selector)

    def test_nothing_is_clipped_and_the_conclusion_stays_in_view(self):
        for size in SIZES:
            with self.subTest(width=size[0]):
                page = self.page_at(*size)
                page.goto(self.url)
                self.assertLessEqual(self.document_width(page), size[0])
                main = page.locator(".review-main").bounding_box()
                self.assertLessEqual(main["x"] + main["width"], size[0])  # the text is not cut at the right
                for wrap in page.locator(".review-main .grid-wrap").all():  # tables scroll in their own box
                    box = wrap.bounding_box()
                    self.assertLessEqual(box["x"] + box["width"], size[0])
                self.assert_in_viewport(page, "#accept-form button", size)
                if size[0] < 900:  # the phone's bar covers little of the report until it is opened
                    self.assertLess(page.locator("#review-dock").bounding_box()["height"], size[1] * 0.15)
                for where in ("document.documentElement.scrollHeight / 2", "document.documentElement.scrollHeight"):
                    page.evaluate(f"window.scrollTo(0, {where})")
                    self.assert_in_viewport(page, "#accept-form button", size)

    def test_a_cell_click_picks_the_place_without_reloading_and_the_form_is_at_hand(self):
        for size in SIZES:
            with self.subTest(width=size[0]):
                page = self.page_at(*size)
                page.goto(self.url)
                page.evaluate("window.__sameDocument = true")
                # Where the reader was when clicking (Playwright may scroll a cell under the phone's bar first).
                page.evaluate("document.addEventListener('click', () => { window.__clickY = scrollY; }, true)")
                page.click(CELL)
                place = page.locator("#comment-form [data-place]", has_text="Trực tuyến")
                place.wait_for()
                self.assertIn("PL03 › dòng 7 «Đăng ký khai sinh» › cột «Trực tuyến»", place.inner_text())
                self.assertTrue(page.evaluate("window.__sameDocument === true"))
                self.assertNotIn("at=", page.url)
                self.assertAlmostEqual(page.evaluate("scrollY - window.__clickY"), 0, delta=5)  # the reader stays put
                self.assert_in_viewport(page, "#comment-body", size)
                self.assertTrue(page.evaluate("document.activeElement.id === 'comment-body'"))
                page.fill("#comment-body", f"Số trực tuyến chưa khớp ({size[0]} px).")
                page.click("#comment-form button")
                page.locator(".msg-success").wait_for()
        places = list(self.report.comments.values_list("place", flat=True))
        self.assertEqual(len(places), 3)
        self.assertTrue(all("cột «Trực tuyến»" in p for p in places))

    def test_accepting_asks_first(self):
        page = self.page_at(1366, 768)
        page.goto(self.url)
        self.answer_dialogs = False
        page.click("#accept-form button")
        page.wait_for_timeout(1000)
        self.assertIn("Tiếp nhận báo cáo của Bộ Tư pháp", self.dialogs[-1])
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.SUBMITTED)
        self.answer_dialogs = True
        page.click("#accept-form button")
        page.locator(".msg-success").wait_for()
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.ACCEPTED)
