"""Filling and submitting a report in a real browser (Chromium driven by Playwright)."""

import pytest
from django.urls import reverse

from baocao06.reports.models import ReportStatus
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser


class FillInBrowserTests(BrowserTestCase):
    def test_fill_a_table_see_the_rate_reload_and_submit(self):
        fill_completely(self.report, self.reporter, skip={"PL03"})
        page = self.page
        self.login(self.reporter)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        rows = page.locator("#part-PL03 tr[data-row]")
        keys = rows.evaluate_all("rows => rows.map(r => r.dataset.row)")
        self.assertIn("DA06-07", keys)
        for index, key in enumerate(keys):
            row = page.locator(f'#part-PL03 tr[data-row="{key}"]')
            row.locator("[data-col=total]").fill("1.000")
            row.locator("[data-col=online]").fill(str(703 + index))
        khai_sinh = page.locator('#part-PL03 tr[data-row="DA06-07"]')
        rate = khai_sinh.locator("output[data-col=rate]")
        page.wait_for_function("el => el.textContent.trim() !== ''", arg=rate.element_handle())
        page.locator("#part-PL03 [data-state].ok").wait_for()
        expected = f"{(703 + keys.index('DA06-07')) / 10:.1f}".replace(".", ",")
        self.assertEqual(rate.inner_text(), expected)

        page.reload()
        khai_sinh = page.locator('#part-PL03 tr[data-row="DA06-07"]')
        self.assertEqual(khai_sinh.locator("[data-col=total]").input_value(), "1.000")
        self.assertEqual(khai_sinh.locator("output[data-col=rate]").inner_text(), expected)

        self.context.clear_cookies()
        self.login(self.approver)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        page.click("text=Kiểm tra báo cáo")
        page.locator("#check-result .alert-ok").wait_for()
        page.click("#submit-form button[type=submit]")
        page.locator(".msg-success").wait_for()
        self.assertIn("Đã gửi báo cáo lần 1", page.locator(".msg-success").inner_text())
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.SUBMITTED)
        row = next(r for r in self.report.current_version.content["tables"]["PL03"]["rows"] if r["key"] == "DA06-07")
        self.assertEqual((row["values"]["total"], row["values"]["online"]), (1000, 703 + keys.index("DA06-07")))

    def test_a_killed_tab_loses_nothing_that_was_typed(self):
        self.login(self.reporter)
        url = self.live_server_url + reverse("reports:detail", args=[self.report.pk])
        self.page.goto(url)
        self.page.fill("#f-I\\.1-body", "Gõ xong rồi đóng thẻ ngay")
        self.page.close(run_before_unload=False)  # before the autosave pause is over

        page = self.context.new_page()
        page.goto(url)
        page.locator("#part-I\\.1 [data-state].ok").wait_for()
        self.assertEqual(page.locator("#f-I\\.1-body").input_value(), "Gõ xong rồi đóng thẻ ngay")
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Gõ xong rồi đóng thẻ ngay")

    def stale_tabs(self):
        """Two tabs of the same person on I.1: the first saves, the second's edit is refused and kept."""
        self.login(self.reporter)
        url = self.live_server_url + reverse("reports:detail", args=[self.report.pk])
        first, second = self.page, self.context.new_page()
        first.goto(url)
        second.goto(url)
        first.fill("#f-I\\.1-body", "Bản của thẻ thứ nhất.")
        first.locator("#part-I\\.1 [data-state].ok").wait_for()
        second.fill("#f-I\\.1-body", "Bản của thẻ thứ nhất. Câu thẻ thứ hai thêm vào.")
        second.locator("#s-I\\.1 .conflict").wait_for()
        self.assertIn("vẫn được giữ lại", second.locator("#s-I\\.1 .conflict").inner_text())
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Bản của thẻ thứ nhất.")
        self.assertEqual(
            self.report.conflicts.get().data["fields"]["body"], "Bản của thẻ thứ nhất. Câu thẻ thứ hai thêm vào."
        )
        return second

    def test_a_stale_tab_compares_both_versions_side_by_side_and_merges_them(self):
        page = self.stale_tabs()
        page.evaluate("window.__sameDocument = true")
        page.click("#s-I\\.1 .conflict [data-compare]")
        page.locator("#s-I\\.1 .conflict .side.mine ins").wait_for()
        self.assertTrue(page.evaluate("window.__sameDocument === true"))  # opened in place
        self.assertEqual(page.inner_text("#s-I\\.1 .conflict .side.mine ins").strip(), "Câu thẻ thứ hai thêm vào.")
        self.assertEqual(page.locator("#s-I\\.1 .conflict .side.theirs del").count(), 0)
        page.fill("#s-I\\.1 .conflict textarea.merge-text", "Bản hợp nhất của hai thẻ.")
        page.click("#s-I\\.1 .conflict button[value=merge]")
        page.locator(".msg-success").wait_for()
        self.assertEqual(page.input_value("#f-I\\.1-body"), "Bản hợp nhất của hai thẻ.")
        self.assertEqual(page.locator(".conflict").count(), 0)  # settled: no alert any more
        self.assertEqual(page.locator("#conflicts").count(), 0)
        page.wait_for_timeout(1500)  # what the tab had kept must not come back as a new conflict
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "Bản hợp nhất của hai thẻ.")
        self.assertEqual(list(self.report.conflicts.values_list("resolved", flat=True)), [True])
        page.click("#refused summary")  # the refused copy stays reachable
        page.click("#refused a")
        page.locator(".side.mine").wait_for()
        self.assertIn("Câu thẻ thứ hai thêm vào.", page.inner_text(".side.mine"))

    def test_a_stale_tab_can_keep_its_own_version(self):
        page = self.stale_tabs()
        page.click("text=Giữ bản của tôi (ghi đè)")
        page.locator("#part-I\\.1 [data-state].ok").wait_for()
        self.assertEqual(
            self.report.parts.get(key="I.1").data["fields"]["body"], "Bản của thẻ thứ nhất. Câu thẻ thứ hai thêm vào."
        )
        self.assertTrue(self.report.conflicts.get().resolved)
        page.reload()
        self.assertEqual(page.locator(".conflict").count(), 0)

    def test_sending_asks_first_and_nothing_is_sent_on_no(self):
        fill_completely(self.report, self.reporter)
        self.login(self.approver)
        self.page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        self.answer_dialogs = False
        self.page.click("#submit-form button[type=submit]")
        self.page.wait_for_timeout(1500)
        self.assertIn("Gửi báo cáo của Bộ Tư pháp cho Thư ký Tổ công tác?", self.dialogs[-1])
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, self.report.versions.count()), (ReportStatus.DRAFT, 0))
        self.answer_dialogs = True
        self.page.click("#submit-form button[type=submit]")
        self.page.locator(".msg-success").wait_for()
        self.report.refresh_from_db()
        self.assertEqual((self.report.status, len(self.dialogs)), (ReportStatus.SUBMITTED, 2))

    def test_a_save_whose_answer_was_lost_is_sent_again_without_a_conflict(self):
        self.login(self.reporter)
        url = self.live_server_url + reverse("reports:detail", args=[self.report.pk])
        lost = []

        def lose_the_first_answer(route):
            if lost:
                route.continue_()
                return
            route.fetch()  # the server stores the part; the browser never hears back
            lost.append(True)
            route.abort("connectionreset")

        self.page.route("**/phan/I.1/**", lose_the_first_answer)
        self.page.goto(url)
        self.page.fill("#f-I\\.1-body", "Gửi một lần, trả lời bị mất")
        self.page.locator("#part-I\\.1 [data-state].ok").wait_for(timeout=30_000)
        self.assertEqual(lost, [True])
        self.assertEqual(self.page.locator("#part-I\\.1 .conflict:visible").count(), 0)
        part = self.report.parts.get(key="I.1")
        self.assertEqual((part.revision, part.data["fields"]["body"]), (1, "Gửi một lần, trả lời bị mất"))
        self.assertFalse(self.report.conflicts.exists())
