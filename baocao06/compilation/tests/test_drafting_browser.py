"""The Secretariat drafts the national report in a real browser: takes a suggested section, edits it,
inserts a live figure, has it approved by the leader, makes the files and downloads the DOCX and the PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from baocao06.compilation.actions import do_compile
from baocao06.compilation.drafting import figures
from baocao06.compilation.models import DraftStatus, NationalDraft, NationalDraftSection
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_accept_report
from baocao06.test import BrowserTestCase, fill_completely, make_user

pytestmark = pytest.mark.browser


class DraftingInBrowserTests(BrowserTestCase):
    def test_take_a_suggestion_edit_insert_a_figure_approve_and_download_the_docx(self):
        import docx

        fill_completely(self.report, self.approver, seed=21)
        do_submit_report(self.report, actor=self.approver)
        do_accept_report(self.report, actor=self.secretariat)
        snapshot = do_compile(self.round, actor=self.secretariat)
        leader = make_user("thuky.ld", global_role="secretariat")
        leader.user_permissions.add(Permission.objects.get(codename="approve_nationaldraft"))
        section = next(s for s in snapshot.data["narrative"] if s.get("paragraphs"))

        page = self.page
        self.login(self.secretariat)
        page.goto(self.live_server_url + reverse("compilation:national", args=[self.round.pk]))
        page.click("#drafting-link")
        page.click("button:has-text('Bắt đầu soạn trên tổng hợp lần 1')")
        page.locator(f"nav.drafting-outline a[href='?muc={section['key']}']").click()
        page.wait_for_url(lambda url: f"muc={section['key']}" in url)
        self.assertIn("GỢI Ý — chưa dùng", page.locator("#suggestion").inner_text())
        self.assertTrue(page.locator("article.unit-paragraph[data-unit=BTP]").is_visible())

        # The page fits a laptop and a phone without scrolling sideways (one column below 1100 px).
        for width in (1093, 390):
            narrow = self.page_at(width)
            narrow.reload()
            self.assertLessEqual(self.document_width(narrow), width, width)
        page = self.page_at(1400, 1000)
        page.reload()
        page.click("#take-suggestion")
        page.locator("#from-suggestion").wait_for()
        box = page.locator("#draft-text")
        suggested = box.input_value()
        self.assertIn("Bộ Tư pháp", suggested)

        # Edit: the autosave stores it with the next revision.
        box.click()
        page.keyboard.press("Control+End")
        page.keyboard.type("\nThư ký Tổ công tác đánh giá: kết quả tích cực. Tổng số đơn vị: ")
        page.select_option("#figure-key", "don_vi.tong_hop")
        page.click("#insert-figure")
        page.locator("#draft-save-status:has-text('Đã lưu')").wait_for()
        draft = NationalDraft.objects.get(round=self.round)
        stored = NationalDraftSection.objects.get(draft=draft, key=section["key"])
        self.assertTrue(stored.text.startswith(suggested))
        self.assertTrue(stored.text.endswith("Tổng số đơn vị: {{so_lieu:don_vi.tong_hop}}"))
        self.assertFalse(stored.from_suggestion)  # edited by a person: no longer the bare suggestion

        # Files wait for the approval.
        page.click("button:has-text('Trình lãnh đạo duyệt')")
        page.locator("#draft-status:has-text('Chờ lãnh đạo duyệt')").wait_for()
        self.assertEqual(page.locator("button:has-text('Duyệt báo cáo')").count(), 0)  # not the leader

        leader_context = self.browser.new_context(locale="vi-VN", viewport={"width": 1400, "height": 1000})
        try:
            leader_page = leader_context.new_page()
            self.login(leader, page=leader_page)
            leader_page.goto(self.live_server_url + reverse("compilation:drafting", args=[self.round.pk]))
            leader_page.click("button:has-text('Duyệt báo cáo')")
            leader_page.locator("#draft-status:has-text('Đã duyệt')").wait_for()
        finally:
            leader_context.close()
        draft.refresh_from_db()
        self.assertEqual(draft.status, DraftStatus.APPROVED)

        page.goto(self.live_server_url + reverse("compilation:national", args=[self.round.pk]))
        page.click("button:has-text('Tạo tệp báo cáo')")
        page.locator("#generation a[data-kind=docx]").wait_for(timeout=120_000)
        with page.expect_download() as info:
            page.click("#generation a[data-kind=docx]")
        document = docx.Document(info.value.path())
        texts = [p.text for p in document.paragraphs]
        included = figures(snapshot.data)["don_vi.tong_hop"].printed
        self.assertIn(f"Thư ký Tổ công tác đánh giá: kết quả tích cực. Tổng số đơn vị: {included}", texts)
        self.assertIn("BÁO CÁO", texts)
        annex = texts.index("TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ")
        first_unit = next(i for i, t in enumerate(texts) if t.startswith("Bộ Tư pháp: "))
        self.assertGreater(first_unit, annex)  # the units' own paragraphs are in the annex only
        # The same report as PDF/A (LibreOffice on the worker), with the approved text in it.
        with page.expect_download() as info:
            page.click("#generation a[data-kind=pdf]")
        pdf = Path(info.value.path()).read_bytes()
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertIn(b"pdfaid:part", pdf)
