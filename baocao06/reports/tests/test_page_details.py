"""Details of the report page that decide whether people find their way: the table of contents, links
from a refused submission to the cell, the words on buttons, the error pages."""

import re

from django.urls import reverse

from baocao06.test import BaseTestCase

ROW = "DA06-07"


class ReportPageTests(BaseTestCase):
    def page(self, user=None, report=None):
        self.login(user or self.approver)
        return self.client.get(reverse("reports:detail", args=[(report or self.report).pk])).content.decode()

    def test_the_table_of_contents_leads_to_excel_and_to_sending(self):
        toc = re.search(r'<nav class="toc".*?</nav>', self.page(), re.S).group(0)
        self.assertIn('href="#excel"', toc)
        self.assertIn('href="#submit"', toc)
        self.assertIn("Kiểm tra và gửi báo cáo", toc)

    def test_each_problem_of_a_refused_submission_links_to_its_cell(self):
        self.fill_completely(self.report, self.reporter)
        part = self.report.parts.get(key="PL03")
        rows = part.data["rows"]
        for row in rows:
            if row["key"] == ROW:
                row["values"].update(total="100", online="120")
        self.autosave_as(self.reporter, "PL03", {"rows": rows}, part.revision)
        self.login(self.approver)
        response = self.client.post(reverse("reports:submit", args=[self.report.pk]), {"idempotency_key": "k1"})
        self.assertEqual(response.status_code, 422)
        target = f"cell-PL03-{ROW}-online"
        self.assertContains(
            response, f'href="{reverse("reports:detail", args=[self.report.pk])}#{target}"', status_code=422
        )
        self.assertIn(f'id="{target}"', self.page())

    def autosave_as(self, user, key, data, revision):
        self.login(user)
        response = self.autosave(self.report, key, data, base_revision=revision)
        self.assertEqual(response.status_code, 200, response.content)

    def test_a_group_without_a_number_is_named_by_its_title_on_its_add_button(self):
        body = self.page()
        buttons = re.findall(r"data-add-row=\"[^\"]+\">([^<]+)</button>", body)
        self.assertIn("+ Thêm dòng vào “Dịch vụ công khác theo Quyết định 422/QĐ-TTg”", buttons)
        self.assertIn("+ Thêm dòng vào nhóm B", buttons)  # PL01's groups have numbers
        self.assertFalse([b for b in buttons if "nhóm other" in b or "nhóm main" in b], buttons)

    def test_sending_asks_for_confirmation_first(self):
        form = re.search(r'<form[^>]*id="submit-form"[^>]*>', self.page(), re.S).group(0)
        self.assertIn('data-confirm="Gửi báo cáo của Bộ Tư pháp', form)


class ErrorPageTests(BaseTestCase):
    def test_the_403_page_keeps_the_header_and_says_why(self):
        self.login(self.reporter)
        response = self.client.get(reverse("rounds:board", args=[self.round.pk]))
        self.assertEqual(response.status_code, 403)
        body = response.content.decode()
        self.assertIn('<header class="topbar">', body)
        self.assertIn(f'href="{reverse("reports:list")}"', body)  # the person's own way back
        self.assertIn("Đăng xuất", body)
        self.assertIn("Chức năng dành cho lãnh đạo và Thư ký Tổ công tác.", body)

    def test_the_404_page_keeps_the_header(self):
        self.login(self.reporter)
        response = self.client.get(reverse("reports:detail", args=[self.other_report.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertIn('<header class="topbar">', response.content.decode())
