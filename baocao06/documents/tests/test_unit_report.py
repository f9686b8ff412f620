"""A unit's report as a Decree 30 document from a submitted version (DOCX and its PDF)."""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from pathlib import Path

import docx

from baocao06.documents.unit_report import custom_property, hash_from_keywords, write_unit_report
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase


def document_text(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    document = docx.Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    return paragraphs, tables


class UnitReportDocumentTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.parts = fill_and_submit(cls)

    def docx_bytes(self, version=None) -> bytes:
        out = io.BytesIO()
        write_unit_report(version or self.version, out)
        return out.getvalue()

    def test_the_ministry_issues_its_own_report_to_the_working_group(self):
        paragraphs, tables = document_text(self.docx_bytes())
        header = "\n".join(cell for row in tables[0] for cell in row)
        self.assertIn("BỘ TƯ PHÁP", header)
        self.assertIn("/BC-BTP", header)
        self.assertIn("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", header)
        self.assertRegex(header, r"Hà Nội, ngày \d\d tháng \d+ năm \d{4}")
        self.assertNotIn("V/v", "\n".join(paragraphs) + header)
        self.assertIn("BÁO CÁO", paragraphs)
        self.assertIn("Kính gửi: Tổ công tác triển khai Đề án 06.", paragraphs)
        self.assertTrue(any(p.startswith("Thực hiện Công văn số 4709/CV-TCTTKĐA") for p in paragraphs))
        closing = "\n".join(cell for row in tables[1] for cell in row)
        self.assertIn("Nơi nhận:", closing)
        self.assertIn("KT. BỘ TRƯỞNG", closing)
        self.assertIn(self.approver.full_name, closing)

    def test_every_section_text_of_the_version_is_printed(self):
        paragraphs, _tables = document_text(self.docx_bytes())
        body = "\n".join(paragraphs)
        sections = self.version.content["sections"]
        texts = [
            line.strip()
            for section in sections.values()
            for value in (section.get("fields") or {}).values()
            if isinstance(value, str)
            for line in value.splitlines()
            if line.strip()
        ]
        self.assertGreater(len(texts), 5)
        for text in texts:
            self.assertIn(text, body)

    def test_every_appendix_of_the_unit_is_a_table_with_its_rows(self):
        from baocao06.reports.actions import view_for

        view = view_for(self.report)
        paragraphs, tables = document_text(self.docx_bytes())
        printed = [t for t in view.tables if t.table.printed]
        headings = [p for p in paragraphs if p.startswith("PHỤ LỤC ")]
        self.assertEqual(headings, [t.table.label.upper() for t in printed])

        def typed(table_view) -> bool:
            rows = self.version.content["tables"].get(table_view.key, {}).get("rows", [])
            return any(v not in (None, "", []) for row in rows for v in (row.get("values") or {}).values())

        with_data = [t for t in printed if typed(t)]
        self.assertGreater(len(with_data), 3)
        self.assertEqual(len(tables) - 2, len(with_data))
        self.assertEqual(paragraphs.count("(Đơn vị không có số liệu ở phụ lục này.)"), len(printed) - len(with_data))
        for grid, table_view in zip(tables[2:], with_data, strict=True):
            self.assertEqual(grid[0][0], "STT")
            # Every typed row of the version appears (by its label), whatever the table.
            stored = self.version.content["tables"].get(table_view.key, {}).get("rows", [])
            label_key = table_view.table.label_column["key"]
            flat = {cell for row in grid for cell in row}
            for row in stored:
                label = (row.get("values") or {}).get(label_key)
                if isinstance(label, str) and label.strip():
                    self.assertIn(label.strip(), flat, f"{table_view.key}: {label}")

    def test_figures_keep_to_one_line_in_their_columns(self):
        from baocao06.documents.unit_report import DIGIT_MM, table_spec
        from baocao06.reports.actions import view_for
        from baocao06.reports.presenters import version_sections

        rendered = version_sections(view_for(self.report), self.version.content)
        width = int(252 * 1440 / 25.4)
        checked = 0
        for grid in rendered["tables"]:
            if not grid.table.printed:  # a worksheet, not in the document
                continue
            spec = table_spec(grid, width)
            total = sum(c.weight for c in spec.columns)
            self.assertLessEqual(total, 252.01)
            if total < 251:  # the text columns take what the figures leave
                self.assertFalse(any(c.align == "left" for c in spec.columns[1:]), grid.table.key)
            for index, column in enumerate(spec.columns[1:], start=1):
                if column.align != "right":
                    continue
                for row in spec.rows:
                    if row.kind != "group" and index < len(row.cells):
                        self.assertGreaterEqual(column.weight, len(row.cells[index]) * DIGIT_MM, row.cells[index])
                        checked += 1
        self.assertGreater(checked, 50)

    def test_repeated_table_headers_have_no_vertical_merges_for_libreoffice_to_cut_short(self):
        import zipfile

        with zipfile.ZipFile(io.BytesIO(self.docx_bytes())) as archive:
            body = archive.read("word/document.xml").decode("utf-8")
        self.assertIn("<w:tblHeader/>", body)
        self.assertIn('<w:gridSpan w:val="2"/>', body)  # grouped headers are still there (PL03's savings)
        self.assertNotIn("w:vMerge", body)

    def test_the_version_hash_is_in_the_keywords_and_a_custom_property(self):
        data = self.docx_bytes()
        self.assertEqual(custom_property(data), self.version.content_hash)
        keywords = docx.Document(io.BytesIO(data)).core_properties.keywords
        self.assertEqual(hash_from_keywords(keywords), self.version.content_hash)
        self.assertEqual(self.docx_bytes(), data)  # the same version, the same bytes

    def test_a_province_issues_through_its_peoples_committee(self):
        self.fill_completely(self.province_report, self.province_reporter, seed=2)
        version = do_submit_report(self.province_report, actor=self.province_approver)
        _paragraphs, tables = document_text(self.docx_bytes(version))
        header = "\n".join(cell for row in tables[0] for cell in row)
        self.assertIn("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HÀ NỘI", header)
        self.assertIn("/BC-UBND", header)
        closing = "\n".join(cell for row in tables[1] for cell in row)
        self.assertIn("TM. ỦY BAN NHÂN DÂN", closing)

    def test_the_pdf_carries_the_version_hash(self):
        from baocao06.documents.pdf import docx_to_pdf
        from baocao06.documents.tests.test_pdf import pdf_info

        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "r.docx"
            source.write_bytes(self.docx_bytes())
            pdf = docx_to_pdf(source, Path(tmp) / "r.pdf")
            info, xmp = pdf_info(pdf)
            keep = os.environ.get("BAOCAO06_KEEP_UNIT_PDF")
            if keep:  # for looking at the pages by hand (docs/operations.md)
                shutil.copyfile(pdf, keep)
                shutil.copyfile(source, Path(keep).with_suffix(".docx"))
        self.assertEqual(hash_from_keywords(info["/Keywords"]), self.version.content_hash)
        self.assertEqual(hash_from_keywords(xmp), self.version.content_hash)


def fill_and_submit(cls):
    parts = cls.fill_completely(cls.report, cls.reporter)
    cls.version = do_submit_report(cls.report, actor=cls.approver)
    cls.report.refresh_from_db()
    return parts
