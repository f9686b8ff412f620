"""The report page and the board on a desktop (1366 px), a laptop at 125 % (1093 px) and a phone
(390 px): the page never scrolls sideways (tables scroll in their own box), the table of contents
leads to Excel and to sending, and every choice shows its whole label."""

import pytest
from django.urls import reverse

from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser
SIZES = ((1366, 768), (1093, 615), (390, 844))
# The top of an element is on the screen.
IN_VIEW = "id => { const y = document.getElementById(id).getBoundingClientRect().y; return y >= 0 && y < innerHeight }"

# The widest label of each drop-down against the room it has (text measured in the select's own font).
CHOICES_FIT = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll("#part-PL01 td select, #part-PL02 td select")).map(select => {
    canvas.font = getComputedStyle(select).font;
    const widest = Math.max(...Array.from(select.options).map(o => canvas.measureText(o.text).width));
    return {name: select.name, widest: Math.ceil(widest), room: select.clientWidth - 24};
  });
}"""


class ReportLayoutTests(BrowserTestCase):
    def test_the_report_page_fits_every_screen_and_its_tables_scroll_in_their_box(self):
        fill_completely(self.province_report, self.province_reporter)
        self.login(self.province_reporter)
        url = self.live_server_url + reverse("reports:detail", args=[self.province_report.pk])
        for size in SIZES:
            with self.subTest(width=size[0]):
                page = self.page_at(*size)
                page.goto(url)
                self.assertLessEqual(self.document_width(page), size[0])
                pl03 = page.locator("#part-PL03 .grid-wrap")
                box = pl03.bounding_box()
                self.assertLessEqual(box["x"] + box["width"], size[0])
                if size[0] == 390:
                    self.assertGreater(pl03.evaluate("el => el.scrollWidth - el.clientWidth"), 200)
                fits = page.evaluate(CHOICES_FIT)
                self.assertTrue(fits)
                self.assertEqual([f for f in fits if f["widest"] > f["room"]], [])

    def test_the_table_of_contents_leads_to_excel_and_to_sending(self):
        fill_completely(self.report, self.reporter)
        self.login(self.approver)
        page = self.page_at(1366, 768)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        page.click(".toc a[href='#submit']")
        page.wait_for_function(IN_VIEW, arg="submit")
        self.assertTrue(page.locator("#submit-form button[type=submit]").is_visible())
        page.click(".toc a[href='#excel']")
        page.wait_for_function(IN_VIEW, arg="excel")

    def test_a_submit_error_link_lands_on_its_cell(self):
        fill_completely(self.report, self.reporter)
        part = self.report.parts.get(key="PL03")
        rows = part.data["rows"]
        for row in rows:
            if row["key"] == "DA06-07":
                row["values"].update(total="100", online="120")
        from baocao06.reports.actions import do_save_part

        do_save_part(self.report, "PL03", {"rows": rows}, base_revision=part.revision, actor=self.reporter)
        self.login(self.approver)
        page = self.page_at(1093, 615)
        page.goto(self.live_server_url + reverse("reports:detail", args=[self.report.pk]))
        page.click("text=Kiểm tra báo cáo")
        link = page.locator("#check-result a[data-problem]", has_text="Trực tuyến")
        link.click()
        cell = page.locator("#cell-PL03-DA06-07-online")
        page.wait_for_function(IN_VIEW, arg="cell-PL03-DA06-07-online")
        self.assertTrue(cell.evaluate("td => td.matches(':target')"))


class BoardLayoutTests(BrowserTestCase):
    def test_the_board_fits_every_screen_and_a_viewer_reaches_the_units_reports(self):
        self.secretariat.full_name = "Nguyễn Thị Minh Phương"  # a real name is longer than a test's
        self.secretariat.save(update_fields=["full_name"])
        self.login(self.secretariat)
        url = self.live_server_url + reverse("rounds:board", args=[self.round.pk])
        for size in SIZES:
            with self.subTest(width=size[0]):
                page = self.page_at(*size)
                page.goto(url)
                self.assertLessEqual(self.document_width(page), size[0])
                # No menu label breaks inside itself (at 1093 px "Kỳ báo cáo" used to take two lines).
                heights = page.eval_on_selector_all(
                    ".topnav a, .who a",
                    # the lines a label's text takes (a flex item is one box however many lines it has)
                    "links => links.map(a => { const r = document.createRange(); r.selectNodeContents(a);"
                    " return [a.textContent.trim(), new Set(Array.from(r.getClientRects()).map(x => x.top)).size]; })",
                )
                self.assertEqual([label for label, lines in heights if lines != 1], [])
        self.context.clear_cookies()
        self.login(self.viewer)
        page = self.page_at(390, 844)
        page.goto(self.live_server_url + reverse("compilation:dashboard"))
        page.click("text=Báo cáo của từng đơn vị")
        page.click("table.board a:has-text('Bộ Tư pháp')")
        page.wait_for_url(f"**{reverse('reports:detail', args=[self.report.pk])}")
        self.assertIn("Bộ Tư pháp", page.inner_text("h1"))
        self.assertLessEqual(self.document_width(page), 390)
