"""The national report DOCX: Decree 30/2020 layout, the outline in order, appendices, reproducibility."""

from __future__ import annotations

import datetime as dt
import io

from django.test import SimpleTestCase
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from baocao06.compilation.outputs.appendices import CELL_ENTRIES
from baocao06.compilation.outputs.docx import write_docx

from .national_fixture import layout_4709, national_data

ISSUED = dt.date(2024, 6, 20)


def render(data: dict, **kwargs) -> bytes:
    stream = io.BytesIO()
    write_docx(data, layout_4709(), stream, issued_on=ISSUED, **kwargs)
    return stream.getvalue()


def render_undated(data: dict, **kwargs) -> bytes:
    stream = io.BytesIO()
    write_docx(data, layout_4709(), stream, **kwargs)
    return stream.getvalue()


def text_of(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def body_blocks(doc):
    """("p", paragraph element) and ("tbl", table element) in document order."""
    return [(el.tag.rsplit("}", 1)[1], el) for el in doc.element.body.iterchildren()]


class NationalDocxTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.data = national_data()
        cls.raw = render(cls.data)
        cls.doc = Document(io.BytesIO(cls.raw))

    def test_the_first_page_is_a4_with_decree_30_margins_and_times_new_roman_14(self):
        section = self.doc.sections[0]
        self.assertEqual(section.orientation, WD_ORIENT.PORTRAIT)
        self.assertEqual((round(section.page_width.mm), round(section.page_height.mm)), (210, 297))
        margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
        self.assertEqual([round(m.mm) for m in margins], [20, 20, 30, 15])
        normal = self.doc.styles["Normal"]
        self.assertEqual(normal.font.name, "Times New Roman")
        self.assertEqual(normal.font.size, Pt(14))
        self.assertEqual(normal.paragraph_format.alignment, WD_ALIGN_PARAGRAPH.JUSTIFY)
        self.assertEqual(round(normal.paragraph_format.first_line_indent.cm, 2), 1.0)

    def test_the_header_is_a_borderless_two_column_table_with_issuer_and_motto(self):
        table = self.doc.tables[0]
        self.assertEqual(len(table.columns), 2)
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        self.assertIsNotNone(borders)
        self.assertEqual({b.get(qn("w:val")) for b in borders}, {"nil"})
        left, right = (cell.text for cell in table.rows[0].cells)
        self.assertIn("TỔ CÔNG TÁC TRIỂN KHAI ĐỀ ÁN 06", left)
        self.assertIn("Số: …/BC-TCTTKĐA", left)
        self.assertIn("BỘ CÔNG AN", left)
        self.assertNotIn("V/v", text_of(self.doc))  # a báo cáo, not a letter
        self.assertIn("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", right)
        self.assertIn("Độc lập - Tự do - Hạnh phúc", right)
        self.assertIn("Hà Nội, ngày 20 tháng 6 năm 2024", right)
        issuer = next(r for p in table.rows[0].cells[0].paragraphs for r in p.runs if r.text.startswith("TỔ CÔNG"))
        self.assertTrue(issuer.bold)
        date = next(r for p in table.rows[0].cells[1].paragraphs for r in p.runs if r.text.startswith("Hà Nội"))
        self.assertTrue(date.italic)
        rules = table._tbl.findall(f".//{qn('w:pBdr')}")
        self.assertEqual(len(rules), 2)  # under the issuer and under the motto

    def test_it_is_addressed_to_the_prime_minister_and_names_the_round_and_units(self):
        texts = [p.text for p in self.doc.paragraphs]
        self.assertIn("Kính gửi: Thủ tướng Chính phủ.", texts)
        self.assertNotIn("Ban Chỉ đạo", text_of(self.doc))  # it did not exist in 2024
        intro = next(t for t in texts if t.startswith("Thực hiện"))
        self.assertIn("Công văn số 4709/CV-TCTTKĐA ngày 10/06/2024", intro)
        self.assertIn("10/13 đơn vị", intro)
        self.assertIn("3 xã, phường, đặc khu", intro)
        self.assertNotIn("TẠM TÍNH", text_of(self.doc))

    def test_it_is_a_decree_30_bao_cao_with_title_and_subject_line(self):
        texts = [p.text for p in self.doc.paragraphs]
        title = texts.index("BÁO CÁO")
        self.assertEqual(texts[title + 1], "Kết quả triển khai Đề án 06 trong 6 tháng đầu năm 2024")
        self.assertLess(title, texts.index("Kính gửi: Thủ tướng Chính phủ."))
        kind = self.doc.paragraphs[title]
        self.assertTrue(kind.runs[0].bold)
        self.assertEqual(kind.alignment or kind.style.paragraph_format.alignment, WD_ALIGN_PARAGRAPH.CENTER)

    def test_issuer_number_date_addressees_recipients_and_signer_come_from_the_settings(self):
        document = {
            "issuer_parent": "CHÍNH PHỦ",
            "issuer": "BAN CHỈ ĐẠO THỬ NGHIỆM",
            "issuer_full": "Ban Chỉ đạo thử nghiệm",
            "symbol": "BC-BCĐTN",
            "number": "123",
            "place": "Đà Nẵng",
            "issued_on": "2025-01-15",
            "subject": "Sơ kết năm 2024 thử nghiệm",
            "addressees": ["Thủ tướng Chính phủ", "Văn phòng Chính phủ"],
            "recipients": ["Như trên;", "Lưu: VT."],
            "signer_lines": ["KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"],
            "signer": "Nguyễn Văn A",
        }
        doc = Document(io.BytesIO(render_undated(self.data, document=document)))
        text = text_of(doc)
        left, right = (cell.text for cell in doc.tables[0].rows[0].cells)
        self.assertIn("CHÍNH PHỦ", left)
        self.assertIn("BAN CHỈ ĐẠO THỬ NGHIỆM", left)
        self.assertIn("Số: 123/BC-BCĐTN", left)
        self.assertIn("Đà Nẵng, ngày 15 tháng 01 năm 2025", right)
        texts = [p.text for p in doc.paragraphs]
        self.assertEqual(texts[texts.index("BÁO CÁO") + 1], "Sơ kết năm 2024 thử nghiệm")
        self.assertIn("- Văn phòng Chính phủ.", texts)
        self.assertIn("Ban Chỉ đạo thử nghiệm báo cáo", text)
        self.assertIn("- Lưu: VT.", text)
        self.assertIn("KT. TRƯỞNG BAN", text)
        self.assertIn("Nguyễn Văn A", text)
        self.assertNotIn("TỔ TRƯỞNG", text)
        self.assertIn("(Kèm theo Báo cáo số 123/BC-BCĐTN", text)

    def test_outline_headings_are_word_headings_in_the_order_of_the_narrative(self):
        headings = [p.text for p in self.doc.paragraphs if p.style.name.startswith("Heading")]
        expected = []
        for section in self.data["narrative"]:
            number = section["number"]
            expected.append(
                f"{number}. {section['title']}"
                if number and not number.startswith("(")
                else f"{number} {section['title']}"
            )
        self.assertEqual(headings, expected)
        levels = {p.text: p.style.name for p in self.doc.paragraphs if p.style.name.startswith("Heading")}
        self.assertEqual(levels["I. KHÁI QUÁT TÌNH HÌNH"], "Heading 1")
        self.assertEqual(self.doc.styles["Heading 2"].font.name, "Times New Roman")
        self.assertTrue(self.doc.styles["Heading 2"].font.bold)

    def test_unit_paragraphs_are_attributed_and_communes_are_counted(self):
        paragraphs = self.doc.paragraphs
        btp = next(p for p in paragraphs if p.text.startswith("Bộ Tư pháp: Bộ Tư pháp báo cáo mục I.1"))
        self.assertTrue(btp.runs[0].bold)
        self.assertEqual(btp.runs[0].text, "Bộ Tư pháp")
        texts = [p.text for p in paragraphs]
        self.assertNotIn("Phường Ba Đình: Phường Ba Đình báo cáo mục I.1: đã triển khai đầy đủ.", texts)
        self.assertIn("2 đơn vị cấp xã đã báo cáo mục này; nội dung đầy đủ trong tệp phụ lục/JSON.", texts)
        # The commune line sits under its section: after I.1's heading, before I.2's.
        i1 = texts.index("1. Khái quát tình hình kinh tế, chính trị, xã hội tại địa bàn.")
        line = texts.index("2 đơn vị cấp xã đã báo cáo mục này; nội dung đầy đủ trong tệp phụ lục/JSON.")
        i2 = next(i for i, t in enumerate(texts) if t.startswith("2. Các Bộ, ngành, địa phương bám sát"))
        self.assertLess(i1, line)
        self.assertLess(line, i2)

    def test_section_i2_carries_the_task_counts(self):
        texts = [p.text for p in self.doc.paragraphs]
        start = next(i for i, t in enumerate(texts) if t.startswith("2. Các Bộ, ngành, địa phương bám sát"))
        following = texts[start + 1 : start + 10]
        self.assertIn("Tổng hợp từ Phụ lục 01: tổng số 24 nhiệm vụ, trong đó:", following)
        self.assertIn("- Tồn 2023 chuyển sang: 6;", following)
        self.assertIn("- Hoàn thành: 12;", following)
        self.assertIn("- Đang triển khai: 5.", following)

    def test_services_summary_gives_national_totals_and_rate(self):
        text = text_of(self.doc)
        # 1.250.000 + 2.345.678 + 987.654 = 4.583.332; online 3.061.012 → 66,79 %.
        self.assertIn(
            "Theo Phụ lục 03: tổng số 4.583.332 hồ sơ, trong đó 3.061.012 hồ sơ trực tuyến, tỷ lệ 66,79 %", text
        )
        self.assertIn("Tỷ lệ hồ sơ trực tuyến cao nhất: Hà Nội (80,10 %), Hồ Chí Minh (70,00 %)", text)

    def test_charts_are_embedded_as_pictures(self):
        self.assertEqual(len(self.doc.inline_shapes), 5)
        captions = [p.text for p in self.doc.paragraphs if p.text.startswith("Biểu đồ ")]
        self.assertEqual(len(captions), 5)

    def test_each_appendix_is_one_table_in_its_own_landscape_section(self):
        blocks = body_blocks(self.doc)
        tables = [i for i, (tag, _) in enumerate(blocks) if tag == "tbl"]
        # Header table, signature table, then the seven appendices.
        self.assertEqual(len(tables), 9)
        headings = [p.text for p in self.doc.paragraphs if p.text.startswith("PHỤ LỤC ")]
        self.assertEqual(
            headings,
            ["PHỤ LỤC 01", "PHỤ LỤC 02", "PHỤ LỤC 03", "PHỤ LỤC 04", "PHỤ LỤC 05", "PHỤ LỤC 06", "PHỤ LỤC 07"],
        )
        sections = self.doc.sections
        self.assertEqual(len(sections), 8)
        self.assertEqual(sections[0].orientation, WD_ORIENT.PORTRAIT)
        for section in sections[1:]:
            self.assertEqual(section.orientation, WD_ORIENT.LANDSCAPE)
            self.assertEqual(round(section.page_width.mm), 297)
        closing = next(
            i for i, (tag, el) in enumerate(blocks) if tag == "tbl" and "Nơi nhận:" in "".join(el.itertext())
        )
        self.assertLess(closing, tables[2])

    def test_appendix_tables_repeat_their_header_rows(self):
        for table in self.doc.tables[2:]:
            first = table.rows[0]._tr
            self.assertIsNotNone(first.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}"))

    def test_numbers_are_in_vietnamese_format_and_right_aligned(self):
        pl03 = self.doc.tables[4]
        self.assertIn("ĐÁNH GIÁ 25 DỊCH VỤ", "\n".join(p.text for p in self.doc.paragraphs if p.text.isupper()))
        row = next(r for r in pl03.rows if "Đăng ký thường trú" in r.cells[1].text)
        cells = [c.text for c in row.cells]
        self.assertIn("2.345.678", cells)
        self.assertIn("1.649.012", cells)
        self.assertIn("70,30", cells)  # rates always with 2 decimals
        cell = row.cells[cells.index("2.345.678")]
        self.assertEqual(cell.paragraphs[0].alignment, WD_ALIGN_PARAGRAPH.RIGHT)
        total = pl03.rows[-1]
        self.assertEqual(total.cells[1].text, "TỔNG SỐ TIỀN TIẾT KIỆM")
        self.assertIn("4.583.332", [c.text for c in total.cells])
        # The savings header group of the layout spans its two columns.
        self.assertIn("Chi phí tiết kiệm", [c.text for c in pl03.rows[0].cells])

    def test_service_tables_show_the_change_and_the_computed_saving_beside_the_typed_one(self):
        pl03 = self.doc.tables[4]
        header = [c.text for c in pl03.rows[0].cells] + [c.text for c in pl03.rows[1].cells]
        self.assertIn("Tiết kiệm tính theo TT 02/2017 (đồng)", header)
        self.assertEqual(sum("12/2023" in h or "tháng 12 năm 2023" in h for h in header[: len(header) // 2]), 1)
        service = next(t for t in self.data["services"] if t["table"] == "PL03")
        source = next(r for r in service["rows"] if r["label"] == "Đăng ký thường trú")
        row = next(r for r in pl03.rows if "Đăng ký thường trú" in r.cells[1].text)
        cells = [c.text for c in row.cells]
        self.assertEqual(cells[-1], f"{source['computed_savings']['saving']:,}".replace(",", "."))
        self.assertIn(f"{source['change']:.2f}".replace(".", ","), cells)

    def test_free_rows_pl06_groups_and_pl07_sources_are_printed(self):
        text = text_of(self.doc)
        self.assertIn("Đăng ký kết hôn", text)
        self.assertIn("Dịch vụ do các đơn vị bổ sung", text)
        self.assertIn("Cấp phiếu lý lịch tư pháp trên VNeID", text)
        self.assertIn("Hà Nội: Tiết kiệm thời gian đi lại", text)
        self.assertIn("Dữ liệu: 5", text)
        self.assertIn("Quảng Ninh: Thiếu kinh phí", text)

    def test_recipients_and_signature_sit_side_by_side(self):
        table = self.doc.tables[1]
        left, right = table.rows[0].cells
        first = left.paragraphs[0].runs[0]
        self.assertEqual(first.text, "Nơi nhận:")
        self.assertTrue(first.bold and first.italic)
        self.assertEqual(first.font.size, Pt(12))
        self.assertEqual(left.paragraphs[-1].text, "- Lưu: VT, TCT(C06).")
        self.assertEqual(left.paragraphs[-1].runs[0].font.size, Pt(11))
        self.assertIn("TM. TỔ CÔNG TÁC", right.text)
        self.assertIn("TỔ TRƯỞNG", right.text)

    def test_pages_are_numbered_at_the_top_from_page_two(self):
        section = self.doc.sections[0]
        self.assertTrue(section.different_first_page_header_footer)
        header = section.header._element
        instructions = "".join(t.text for t in header.iter(qn("w:instrText")))
        self.assertEqual(instructions.strip(), "PAGE")
        self.assertEqual(
            section.header.paragraphs[0].alignment or section.header.paragraphs[0].style.paragraph_format.alignment,
            WD_ALIGN_PARAGRAPH.CENTER,
        )
        first = section.first_page_header._element
        self.assertEqual(list(first.iter(qn("w:instrText"))), [])

    def test_the_same_dict_gives_the_same_document(self):
        again = render(national_data())
        self.assertEqual(text_of(Document(io.BytesIO(again))), text_of(self.doc))
        self.assertEqual(again, self.raw)

    def test_appendix_tables_spliced_at_writing_give_the_bytes_of_tables_moved_into_the_body(self):
        """`add_table` (a marker, the table's XML written as text and put in when the file is written)
        must give exactly the file that moving each parsed table into the body gave (lxml's move is
        quadratic)."""
        import zipfile
        from unittest import mock

        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        from baocao06.compilation.outputs import docx as national_docx

        def move(writer, pieces):  # the table parsed and moved into the body, as before splicing
            writer.add(parse_xml("".join(pieces).replace("<w:tbl>", f"<w:tbl {nsdecls('w')}>", 1)))

        with mock.patch.object(national_docx._Writer, "add_table", move):
            moved = render(national_data())
        self.assertEqual(moved, self.raw)
        with zipfile.ZipFile(io.BytesIO(self.raw)) as archive:
            xml = archive.read("word/document.xml").decode()
        self.assertNotIn("baocao06-table", xml)
        self.assertGreaterEqual(xml.count("<w:tbl>"), 7)


class ProvisionalAndLimitsTests(SimpleTestCase):
    def test_a_provisional_compilation_says_so_on_every_page(self):
        doc = Document(io.BytesIO(render(national_data(provisional=True))))
        self.assertIn("TẠM TÍNH", doc.paragraphs[0].text if doc.paragraphs[0].text else text_of(doc))
        self.assertTrue(any(p.text.startswith("TẠM TÍNH") for p in doc.paragraphs))
        section = doc.sections[0]
        self.assertIn("TẠM TÍNH", "".join(p.text for p in section.header.paragraphs))
        self.assertIn("TẠM TÍNH", "".join(p.text for p in section.first_page_header.paragraphs))

    def test_a_pl07_cell_lists_every_source_unit_down_to_the_provinces(self):
        data = national_data()
        long = "Thuận tiện " * 60  # 660 characters
        cell = [{"key": f"B{i:02d}", "name": f"Bộ {i}", "text": long} for i in range(CELL_ENTRIES + 16)]
        cell.append({"key": "P01", "name": "Hà Nội", "text": "Giảm thời gian chờ"})
        data["pl07"][1]["cells"]["government"] = cell
        doc = Document(io.BytesIO(render(data, with_charts=False)))
        text = text_of(doc)
        self.assertNotIn("(còn ", text)
        self.assertIn(f"Bộ {CELL_ENTRIES + 15}: Thuận tiện", text)
        self.assertIn("Hà Nội: Giảm thời gian chờ", text)
        self.assertIn("(rút gọn, còn", text)  # with many sources each text is cut shorter

    def test_control_characters_in_unit_text_do_not_break_the_file(self):
        data = national_data()
        data["narrative"][1]["paragraphs"][0]["text"] = "Dòng\x1f có ký tự\x00 lạ\ud800"
        doc = Document(io.BytesIO(render(data, with_charts=False)))
        self.assertIn("Bộ Công an: Dòng có ký tự lạ", [p.text for p in doc.paragraphs])

    def test_progress_is_reported_up_to_one_hundred(self):
        seen = []
        render(national_data(), progress=lambda percent, step: seen.append((percent, step)), with_charts=False)
        percents = [p for p, _ in seen]
        self.assertEqual(percents, sorted(percents))
        self.assertEqual(seen[-1], (100, "Hoàn thành"))
        self.assertTrue(all(isinstance(step, str) and step for _, step in seen))
