"""DOCX → PDF/A-2b with LibreOffice: metadata carried over, a hung converter killed, `compile_round`
writing report.pdf."""

from __future__ import annotations

import io
import re
import tempfile
import time
from pathlib import Path

import docx
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings
from pyhanko.pdf_utils.reader import PdfFileReader

from baocao06.documents.pdf import PdfConversionError, docx_to_pdf
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase


def pdf_info(path: Path) -> tuple[dict, str]:
    """The PDF's Info dictionary (as str) and its XMP metadata packet, read with pyHanko."""
    with path.open("rb") as handle:
        reader = PdfFileReader(io.BytesIO(handle.read()))
        info = {str(k): str(v) for k, v in reader.trailer_view["/Info"].items()}
        xmp = reader.root["/Metadata"].get_object().data.decode("utf-8")
    return info, xmp


class ConversionTests(SimpleTestCase):
    def test_a_docx_becomes_a_pdf_a_2b_with_its_title_and_keywords(self):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "a.docx"
            document = docx.Document()
            document.add_paragraph("Báo cáo kết quả triển khai Đề án 06 — Bộ Tư pháp")
            document.core_properties.title = "Báo cáo thử"
            document.core_properties.keywords = "baocao06-version-abc123"
            document.save(source)
            pdf = docx_to_pdf(source, Path(tmp) / "out" / "a.pdf")
            self.assertTrue(pdf.read_bytes().startswith(b"%PDF"))
            info, xmp = pdf_info(pdf)
        self.assertEqual(info["/Title"], "Báo cáo thử")
        self.assertIn("baocao06-version-abc123", info["/Keywords"])
        # PDF/A-2b is declared in the XMP packet (pdfaid:part 2, conformance B).
        self.assertRegex(xmp, r"pdfaid:part(>|=\")2")
        self.assertRegex(xmp, r"pdfaid:conformance(>|=\")B")
        self.assertIn("baocao06-version-abc123", xmp)

    def test_a_converter_that_hangs_is_killed_at_the_timeout(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = Path(tmp) / "soffice"
            fake.write_text("#!/bin/sh\nsleep 30\n")
            fake.chmod(0o755)
            source = Path(tmp) / "a.docx"
            docx.Document().save(source)
            with override_settings(BAOCAO06_SOFFICE=str(fake)):
                started = time.monotonic()
                with self.assertRaisesRegex(PdfConversionError, "trong 1 giây"):
                    docx_to_pdf(source, Path(tmp) / "a.pdf", timeout=1)
            self.assertLess(time.monotonic() - started, 10)
            self.assertFalse((Path(tmp) / "a.pdf").exists())

    def test_a_converter_that_fails_leaves_no_file_and_says_so_in_vietnamese(self):
        with tempfile.TemporaryDirectory() as tmp:
            fake = Path(tmp) / "soffice"
            fake.write_text("#!/bin/sh\necho broken >&2\nexit 3\n")
            fake.chmod(0o755)
            source = Path(tmp) / "a.docx"
            docx.Document().save(source)
            refused = self.assertRaisesRegex(PdfConversionError, r"không tạo được tệp PDF \(mã 3\). broken")
            with override_settings(BAOCAO06_SOFFICE=str(fake)), refused:
                docx_to_pdf(source, Path(tmp) / "a.pdf")
            self.assertFalse((Path(tmp) / "a.pdf").exists())


class CompileRoundCommandTests(BaseTestCase):
    def test_compile_round_writes_report_pdf_beside_the_docx(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        with tempfile.TemporaryDirectory() as tmp:
            out = io.StringIO()
            call_command("compile_round", self.round.pk, "--out", tmp, "--provisional", stdout=out)
            pdf = Path(tmp) / "report.pdf"
            self.assertIn(str(pdf), out.getvalue())
            self.assertTrue((Path(tmp) / "report.docx").exists())
            content = pdf.read_bytes()
            info, xmp = pdf_info(pdf)
        self.assertTrue(content.startswith(b"%PDF"))
        self.assertRegex(xmp, r"pdfaid:part(>|=\")2")
        pages = len(re.findall(rb"/Type\s*/Page[^s]", content))
        self.assertGreater(pages, 3)
        self.assertEqual(info["/Title"], self.round.title)
