"""The bad-file corpus: each file is refused within fixed time and memory, says why, and stores nothing.

The big files are generated here rather than committed. The time and memory bounds are safety limits
(a zip bomb must not take the server down), far above what a refusal costs; they are not benchmarks.
"""

import io
import time
import tracemalloc
import zipfile

from baocao06.audit.models import AuditEvent
from baocao06.reports.models import PartConflict, Report
from baocao06.test import BaseTestCase, open_test_round
from baocao06.workbooks import safety
from baocao06.workbooks.actions import do_import_workbook
from baocao06.workbooks.export import export_report
from baocao06.workbooks.tests.helpers import load, put, save, upload

PEAK_BYTES = 64 * 1024 * 1024
SECONDS = 10


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    """A copy of an .xlsx with some entries replaced or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, (replace or {}).get(info.filename, source.read(info.filename)))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def bomb() -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
        target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as stream,
    ):
        block = b"0" * (1024 * 1024)
        for _ in range(200):  # 200 MB of zeros, about 200 KB compressed
            stream.write(block)
    return out.getvalue()


def bomb_with_forged_sizes() -> bytes:
    """A bomb whose headers claim a small entry: reading must stop at the limit anyway."""
    payload = b"<worksheet>" + b" " * (30 * 1024 * 1024) + b"</worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/workbook.xml", b"<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", payload)
    data = bytearray(out.getvalue())
    real = len(payload).to_bytes(4, "little")
    forged = (1000).to_bytes(4, "little")
    return bytes(data.replace(real, forged))


def million_rows() -> bytes:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_000_001))
    sheet = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    sheet += rows + b"</sheetData></worksheet>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        target.writestr("xl/workbook.xml", b"<workbook/>")
        target.writestr("xl/worksheets/sheet1.xml", sheet)
    return out.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>"""

MACRO_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.ms-excel.sheet.macroEnabled.main+xml"/>'
    b"</Types>"
)


class BadFileTests(BaseTestCase):
    def setUp(self):
        self.good = export_report(self.report)

    def assertRefused(self, data: bytes, expected: str, filename: str = "bao-cao.xlsx"):
        parts, events = self.report.parts.count(), AuditEvent.objects.count()
        tracemalloc.start()
        start = time.perf_counter()
        try:
            plan = do_import_workbook(Report.objects.get(pk=self.report.pk), data, filename, actor=self.reporter)
            elapsed = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        self.assertTrue(plan.refused, plan.lines())
        self.assertFalse(plan.saved)
        text = " ".join(plan.lines())
        self.assertIn(expected, text)
        self.assertLess(elapsed, SECONDS)
        self.assertLess(peak - len(data), PEAK_BYTES)
        self.assertEqual((self.report.parts.count(), AuditEvent.objects.count()), (parts, events))
        self.assertFalse(PartConflict.objects.exists())
        return plan

    def test_a_zip_bomb(self):
        self.assertRefused(bomb(), "zip bomb")

    def test_a_zip_bomb_whose_headers_lie_about_its_size(self):
        self.assertRefused(bomb_with_forged_sizes(), "Tệp .xlsx bị hỏng")

    def test_a_macro_workbook_renamed_to_xlsx(self):
        data = rezip(self.good, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 512})
        self.assertRefused(data, "macro")
        typed = rezip(self.good, replace={"[Content_Types].xml": MACRO_TYPES})
        self.assertRefused(typed, ".xlsm đổi tên")

    def test_the_billion_laughs(self):
        self.assertRefused(rezip(self.good, replace={"xl/sharedStrings.xml": BILLION_LAUGHS}), "billion laughs")

    def test_external_links(self):
        link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        self.assertRefused(rezip(self.good, add={"xl/externalLinks/externalLink1.xml": link}), "external links")

    def test_a_path_that_climbs_out_of_the_archive(self):
        self.assertRefused(rezip(self.good, add={"../../etc/cron.d/evil": b"* * * * * root true"}), "tên không hợp lệ")

    def test_a_sheet_of_a_million_rows(self):
        plan = self.assertRefused(million_rows(), "không xử lý")
        self.assertTrue("quá nhiều dòng" in plan.refusal or "zip bomb" in plan.refusal, plan.refusal)

    def test_a_cell_far_outside_the_template(self):
        sheet = (
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            b'<row r="5000"><c r="XFD5000"><v>1</v></c></row></sheetData></worksheet>'
        )
        self.assertRefused(rezip(self.good, replace={"xl/worksheets/sheet3.xml": sheet}), "ngoài phạm vi")

    def test_files_that_are_not_xlsx(self):
        self.assertRefused(self.good, "Chỉ nhận tệp Excel .xlsx", filename="bao-cao.xls")
        self.assertRefused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4000, "tệp Excel cũ (.xls)")
        self.assertRefused(b"id,total\n1,2\n", "không phải là tệp Excel .xlsx")
        self.assertRefused(self.good[: len(self.good) // 2], "bị hỏng")
        self.assertRefused(b"PK\x03\x04" + b"\0" * (safety.MAX_FILE_BYTES + 1), "Tệp quá lớn")

    def test_wrong_types_are_listed_by_cell(self):
        book = load(self.good)
        put(book, self.report, "PL03", "DA06-07", {"total": "một nghìn", "online": -5})
        plan = self.assertRefused(save(book), "PL03!D")
        self.assertEqual(len(plan.errors), 2)
        self.assertIn("“một nghìn” không phải là số", plan.errors[0].message)
        self.assertEqual(plan.errors[1].message, "Không được nhỏ hơn 0.")

    def test_a_formula_is_never_evaluated(self):
        book = load(self.good)
        put(book, self.report, "PL03", "DA06-07", {"total": "=1000*2"})
        plan = self.assertRefused(save(book), "hệ thống không tính công thức")
        self.assertIn("=1000*2", plan.errors[0].message)

    def test_missing_sheets(self):
        book = load(self.good)
        book.remove(book["PL03"])
        book.remove(book["PL07"])
        self.assertRefused(save(book), "Tệp thiếu trang PL03, PL07")

    def test_a_workbook_that_was_not_exported_by_the_system(self):
        book = load(self.good)
        book.remove(book["_meta"])
        self.assertRefused(save(book), "không phải mẫu Excel tải từ hệ thống")

    def test_a_moved_column(self):
        book = load(self.good)
        ws = book["PL03"]
        ws["D5"], ws["E5"] = ws["E5"].value, ws["D5"].value
        self.assertRefused(save(book), "PL03!D5: tiêu đề cột")

    def test_a_workbook_of_another_unit(self):
        other = export_report(self.other_report)
        self.assertRefused(other, "báo cáo của đơn vị “Hồ Chí Minh”, không phải của “Bộ Tư pháp”")

    def test_a_workbook_of_another_round(self):
        later = open_test_round(self.definition, [self.ministry], actor=self.secretariat, title="Kỳ sau")
        data = export_report(Report.objects.get(round=later, unit=self.ministry))
        self.assertRefused(data, "thuộc kỳ báo cáo “Kỳ sau”")

    def test_openpyxl_reads_worksheets_with_defusedxml_behind_the_check(self):
        import openpyxl
        from openpyxl.xml import functions

        self.assertTrue(openpyxl.DEFUSEDXML)
        self.assertTrue(functions.iterparse.__module__.startswith("defusedxml"))

    def test_the_upload_page_refuses_with_a_clear_message(self):
        self.login(self.reporter)
        response = upload(self.client, self.report, bomb())
        self.assertEqual(response.status_code, 422)
        self.assertIn("zip bomb", response.content.decode())
        self.assertFalse(self.report.parts.exists())
