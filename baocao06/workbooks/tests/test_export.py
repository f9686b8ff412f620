"""What the exported workbook looks like, and that nothing in it can run as a formula."""

import io
import zipfile

from django.urls import reverse

from baocao06.reports.actions import do_save_part
from baocao06.test import BaseTestCase
from baocao06.workbooks.export import export_report
from baocao06.workbooks.tests.helpers import column_of, download, load, row_of, slots

SERVICE = "DA06-07"
DANGEROUS = ['=HYPERLINK("http://x.invalid","bấm")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\x00=cmd|' /C calc'!A0"]


class ExportTests(BaseTestCase):
    def test_the_workbook_has_a_sheet_per_appendix_and_the_unit_draft(self):
        do_save_part(
            self.report,
            "PL03",
            {"rows": [{"key": SERVICE, "values": {"total": "1.000", "online": "703"}}]},
            base_revision=0,
            actor=self.reporter,
        )
        self.login(self.reporter)
        response = self.client.get(reverse("workbooks:download", args=[self.report.pk]))
        self.assertEqual(response["Content-Disposition"], f'attachment; filename="baocao06-BTP-ky{self.round.pk}.xlsx"')
        book = load(response.content)
        self.assertEqual(
            book.sheetnames,
            [
                "Hướng dẫn",
                "Đề cương",
                "PL01",
                "PL02",
                "PL03",
                "PL04",
                "CP27",
                "PL05",
                "PL06",
                "PL07",
                "_lists",
                "_meta",
            ],
        )
        self.assertEqual((book["_meta"].sheet_state, book["_lists"].sheet_state), ("veryHidden", "veryHidden"))
        ws = book["PL03"]
        self.assertTrue(ws.column_dimensions["A"].hidden)
        self.assertTrue(ws.protection.sheet)
        self.assertIn("I5:J5", {str(r) for r in ws.merged_cells.ranges})  # "Chi phí tiết kiệm" over two columns
        row = row_of(ws, SERVICE)
        cell = lambda column: ws.cell(row, column_of(self.report, "PL03", column))  # noqa: E731
        self.assertEqual(
            (cell("service").value, cell("total").value, cell("rate").value), ("Đăng ký khai sinh", 1000, 70.3)
        )
        self.assertTrue(cell("service").protection.locked)
        self.assertTrue(cell("rate").protection.locked)
        self.assertFalse(cell("total").protection.locked)
        self.assertNotIn("DA06-03", [c.value for c in ws["A"]])  # residence registration is not the ministry's
        instructions = " ".join(str(c.value) for c in book["Hướng dẫn"]["A"] if c.value)
        self.assertIn("HƯỚNG DẪN NHẬP BÁO CÁO BẰNG TỆP EXCEL", instructions)
        self.assertIn("Bộ Tư pháp", instructions)

    def test_choice_columns_have_dropdowns_and_free_groups_have_empty_rows(self):
        book = load(export_report(self.report))
        ws = book["PL01"]
        self.assertEqual(len(slots(ws, "A")), 10)
        self.assertEqual(len(slots(ws, "C")), 0)  # provinces' group: not the ministry's
        result_col = column_of(self.report, "PL01", "result")
        [validation] = [
            v for v in ws.data_validations.dataValidation if any(r.min_col == result_col for r in v.sqref.ranges)
        ]
        self.assertEqual(validation.type, "list")
        lists = book["_lists"]
        letter = validation.formula1.split("!$")[1].split("$")[0]
        labels = [c.value for c in lists[letter] if c.value]
        self.assertEqual(labels, ["Hoàn thành", "Chưa hoàn thành", "Thực hiện thường xuyên", "Đang triển khai"])

    def test_text_that_looks_like_a_formula_is_written_as_text(self):
        values = {"cut_shared": DANGEROUS[0], "solution": DANGEROUS[1], "localities": DANGEROUS[2]}
        do_save_part(
            self.report, "PL03", {"rows": [{"key": SERVICE, "values": values}]}, base_revision=0, actor=self.reporter
        )
        fields = {"body": DANGEROUS[3]}
        do_save_part(self.report, "I.1", {"fields": fields}, base_revision=0, actor=self.reporter)
        rows = [{"key": "nx1", "group": "A", "values": {"content": DANGEROUS[4], "document": DANGEROUS[5]}}]
        do_save_part(self.report, "PL01", {"rows": rows}, base_revision=0, actor=self.reporter)
        data = export_report(self.report)
        archive = zipfile.ZipFile(io.BytesIO(data))
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                self.assertNotIn(b"<f>", archive.read(name), name)
                self.assertNotIn(b"<f ", archive.read(name), name)
        book = load(data)
        pl03, row = book["PL03"], row_of(book["PL03"], SERVICE)
        narrative = book["Đề cương"]
        pl01 = book["PL01"]
        written = [
            pl03.cell(row, column_of(self.report, "PL03", "cut_shared")),
            pl03.cell(row, column_of(self.report, "PL03", "solution")),
            pl03.cell(row, column_of(self.report, "PL03", "localities")),
            narrative.cell(row_of(narrative, "I.1/body"), 3),
            pl01.cell(row_of(pl01, "A/nx1"), column_of(self.report, "PL01", "content")),
            pl01.cell(row_of(pl01, "A/nx1"), column_of(self.report, "PL01", "document")),
        ]
        expected = [*DANGEROUS[:5], DANGEROUS[5].replace("\x00", "")]
        self.assertEqual([c.value for c in written], expected)
        self.assertEqual({c.data_type for c in written}, {"s"})
        self.assertTrue(all(c.quotePrefix for c in written))

    def test_another_units_workbook_is_not_found(self):
        self.login(self.outsider)
        self.assertEqual(self.client.get(reverse("workbooks:download", args=[self.report.pk])).status_code, 404)

    def test_only_the_units_reporters_upload(self):
        for user, status in ((self.outsider, 404), (self.viewer, 403)):
            self.login(user)
            response = self.client.post(reverse("workbooks:upload", args=[self.report.pk]), {"action": "check"})
            self.assertEqual(response.status_code, status)

    def test_a_submitted_report_refuses_uploads(self):
        self.fill_completely(self.report, self.reporter)
        from baocao06.reports.actions import do_submit_report

        do_submit_report(self.report, actor=self.approver)
        self.login(self.reporter)
        data = download(self.client, self.report)
        from baocao06.workbooks.tests.helpers import upload

        response = upload(self.client, self.report, data)
        self.assertEqual(response.status_code, 409)
        self.assertIn("không còn sửa được", response.content.decode())
