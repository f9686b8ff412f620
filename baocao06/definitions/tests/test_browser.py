"""The Secretariat writes the next dispatch's definition in a real browser (Chromium via Playwright)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from baocao06.definitions.models import Definition, DefinitionDraft
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportPart
from baocao06.rounds.models import Round
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser

NEW_TITLE = "Khái quát tình hình kinh tế - xã hội và chuyển đổi số tại địa bàn."
NEW_LABEL = "Hồ sơ nộp trực tiếp"
RULE_MESSAGE = "Số hồ sơ nộp trực tiếp không được lớn hơn tổng số hồ sơ."


def sheet_values(content: bytes, name: str) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [[cell.value for cell in row] for row in book[name].iter_rows()]


class DefinitionEditorBrowserTests(BrowserTestCase):
    def old_round_as_the_province_sees_it(self) -> dict:
        """What the 4709 round shows Hà Nội: its report page, its submitted version, its workbook."""
        page = self.page
        report_url = self.live_server_url + reverse("reports:detail", args=[self.province_report.pk])
        page.goto(report_url)
        seen = {"page": page.inner_text("#report")}
        page.goto(self.live_server_url + reverse("reports:version", args=[self.province_report.pk, 1]))
        seen["version"] = page.inner_text("main")
        workbook_url = self.live_server_url + reverse("workbooks:download", args=[self.province_report.pk])
        content = page.request.get(workbook_url).body()
        seen["workbook"] = {name: sheet_values(content, name) for name in ("PL03", "PL01")}
        return seen

    def test_the_secretariat_writes_a_new_version_previews_publishes_and_opens_a_round(self):
        fill_completely(self.province_report, self.province_reporter)
        do_submit_report(self.province_report, actor=self.province_approver)
        page = self.page
        page.on("dialog", lambda dialog: dialog.accept())
        self.login(self.province_reporter)
        before = self.old_round_as_the_province_sees_it()
        self.context.clear_cookies()

        # A new version from 4709.
        self.login(self.secretariat)
        page.goto(self.live_server_url + reverse("definitions:list"))
        page.fill(f"#v-{self.definition.pk}", "2024-h1-sua")
        page.click(f"form:has(#v-{self.definition.pk}) button")
        page.locator("#draft-state").wait_for()
        self.assertEqual(page.inner_text("#draft-state"), "Hợp lệ")

        # Rename section I.1.
        page.click(".def-tree a:has-text('Khái quát tình hình kinh tế, chính trị')")
        page.fill("#e-title", NEW_TITLE)
        page.click("#element-form button.btn-primary")
        self.assertIn("Mẫu hợp lệ", page.inner_text(".messages"))
        self.assertEqual(page.input_value("#e-title"), NEW_TITLE)

        # Add a column to PL03, then a rule on it (first with a typo: the problem shows at its field).
        page.click(".def-tree a:has-text('PL03')")
        page.click("text=+ Thêm cột")
        self.assertEqual(page.input_value("#e-key"), "cot_moi")
        page.fill("#e-key", "paper")
        page.fill("#e-label", NEW_LABEL)
        page.select_option("#e-type", "integer")
        page.click("#element-form button.btn-primary")
        page.click("#editor .crumbs a:has-text('PL03')")
        page.click("text=+ Thêm quy tắc")
        page.fill("#e-key", "paper_le_total")
        page.fill("#e-message", RULE_MESSAGE)
        page.fill("#e-check", "paper <= tong")
        page.check("input[name='a:columns'][value='paper']")
        page.click("#element-form button.btn-primary")
        self.assertEqual(page.inner_text("[data-problem=check]"), "cột không tồn tại: tong")
        self.assertTrue(page.is_disabled("#publish"))
        page.fill("#e-check", "paper <= total")
        page.click("#element-form button.btn-primary")
        self.assertIn("Mẫu hợp lệ", page.inner_text(".messages"))
        self.assertEqual(page.locator("[data-problem]").count(), 0)

        # Preview as a province: the renamed section, the new column, the rule checked as one types.
        page.click("text=Xem trước như một đơn vị")
        page.select_option("#don_vi", "P01")
        page.click(".preview-choose button")
        self.assertEqual(page.inner_text("#s-I\\.1 h3"), f"1. {NEW_TITLE}")
        self.assertIn(NEW_LABEL, page.inner_text("#part-PL03 thead"))
        row = page.locator('#part-PL03 tr[data-row="DA06-07"]')
        row.locator("[data-col=total]").fill("10")
        row.locator("[data-col=online]").fill("4")
        row.locator("[data-col=paper]").fill("12")
        row.locator("td[data-cell=paper].has-error").wait_for()
        self.assertIn(RULE_MESSAGE, row.locator("td[data-cell=paper]").inner_text())
        self.assertIn("xem trước, không lưu", page.inner_text("#part-PL03 [data-state]"))
        with page.expect_download() as download:
            page.click("#preview-workbook")
        workbook = sheet_values(open(download.value.path(), "rb").read(), "PL03")  # noqa: SIM115
        self.assertIn(NEW_LABEL, [value for line in workbook[:8] for value in line])
        self.assertEqual(ReportPart.objects.exclude(report=self.province_report).count(), 0)

        # …and as a ministry: the services it owns, with the new column.
        page.select_option("#don_vi", "BTP")
        page.click(".preview-choose button")
        self.assertIn(NEW_LABEL, page.inner_text("#part-PL03 thead"))
        self.assertEqual(page.locator('#part-PL03 tr[data-row="DA06-07"]').count(), 1)
        self.assertEqual(page.locator('#part-PL03 tr[data-row="DA06-01"]').count(), 0)

        # Compare with 4709, then publish.
        page.click(".crumbs a:has-text('bản nháp')")
        page.click("text=So sánh với phiên bản 2024-h1")
        changes = page.inner_text("main")
        self.assertIn(f"Phụ lục PL03: cột «{NEW_LABEL}» (paper)", changes)
        self.assertIn(NEW_TITLE, changes)
        page.go_back()
        page.click("#publish")
        self.assertIn("Đã công bố phiên bản de-an-06-so-ket 2024-h1-sua", page.inner_text(".messages"))
        definition = Definition.objects.get(version="2024-h1-sua")
        self.assertTrue(DefinitionDraft.objects.get(published_as=definition))

        # Open a round with it.
        page.goto(self.live_server_url + reverse("rounds:open"))
        page.select_option("#id_definition", str(definition.pk))
        page.fill("#id_title", "Kỳ thử mẫu 2024-h1-sua")
        page.select_option("#id_period_kind", "h1")
        page.fill("#id_year", "2024")
        page.fill("#id_deadline", "30/06/2024")
        page.fill("#id_reminder_offsets", "")
        page.fill("#id_unit_keys", "P01, BTP")
        # Check the units first (issue 11): nothing is opened, the form keeps what was typed.
        page.click("form.form-grid button[name=check]")
        page.locator("#mapping-title").wait_for()
        self.assertIn("Kỳ sẽ giao cho 2 đơn vị", page.inner_text(".unit-mapping"))
        self.assertFalse(Round.objects.filter(title="Kỳ thử mẫu 2024-h1-sua").exists())
        self.assertEqual(page.input_value("#id_unit_keys"), "P01, BTP")
        page.click("form.form-grid button.btn-primary")
        page.locator(".msg-success").wait_for()
        new_round = Round.objects.get(title="Kỳ thử mẫu 2024-h1-sua")
        self.assertEqual(new_round.definition, definition)
        self.context.clear_cookies()

        # The round's units see the change; the 4709 round shows exactly what it showed before.
        self.login(self.province_reporter)
        new_report = Report.objects.get(round=new_round, unit=self.province)
        page.goto(self.live_server_url + reverse("reports:detail", args=[new_report.pk]))
        self.assertEqual(page.inner_text("#s-I\\.1 h3"), f"1. {NEW_TITLE}")
        self.assertIn(NEW_LABEL, page.inner_text("#part-PL03 thead"))
        after = self.old_round_as_the_province_sees_it()
        self.assertEqual(after, before)
        self.assertNotIn(NEW_LABEL, after["page"])

    def test_the_editor_fits_the_screen_at_three_widths(self):
        self.login(self.secretariat)
        self.page.goto(self.live_server_url + reverse("definitions:list"))
        self.page.click(f"form:has(#v-{self.definition.pk}) button")
        self.page.locator("#draft-state").wait_for()
        url = self.page.url.split("#")[0]
        for width in (1366, 1093, 390):
            self.page.set_viewport_size({"width": width, "height": 900})
            for path in ("", "appendices/2", "appendices/2/columns/3", "audiences/all"):
                self.page.goto(f"{url}?p={path}")
                overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                self.assertLessEqual(overflow, 0, f"{width} px, {path or 'general'}")
                self.assertTrue(self.page.locator("#element-form").is_visible())
