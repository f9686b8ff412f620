"""The national DOCX with a draft, converted by LibreOffice: the body before the first appendix is at
most 40 pages, and the appendix numbers are unique and the same as in the workbook and the JSON.

The national dict is made national-sized in its narrative: 63 provinces and 22 ministries each write
about 1 KB in every section that asks for text (some saying the same things in other words, most
their own), and the draft is every section's suggestion taken as is: the longest body the suggestions
make (a person shortens it)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import tempfile
from pathlib import Path

import openpyxl
from django.test import SimpleTestCase

from baocao06.compilation import drafting
from baocao06.compilation.outputs.appendices import appendices
from baocao06.compilation.outputs.docx import write_docx
from baocao06.compilation.outputs.tabular import write_json
from baocao06.compilation.outputs.unit_sheets import UnitSource
from baocao06.compilation.outputs.xlsx import write_workbook

from .national_fixture import layout_4709, national_data
from .pdf_pages import pages_and_bookmarks, to_pdf

THEMES = [
    "Hạ tầng kỹ thuật chưa đồng bộ, đường truyền kết nối với Cơ sở dữ liệu quốc gia về dân cư còn chậm, "
    "nhiều thời điểm bị gián đoạn, ảnh hưởng đến việc giải quyết thủ tục hành chính cho người dân.",
    "Kinh phí bố trí cho triển khai Đề án 06 còn hạn chế, chưa đáp ứng yêu cầu đầu tư trang thiết bị, "
    "nâng cấp hệ thống thông tin và đào tạo nguồn nhân lực tại cấp xã.",
    "Đề nghị Bộ Công an tiếp tục hướng dẫn, hỗ trợ kết nối, chia sẻ dữ liệu dân cư với hệ thống giải "
    "quyết thủ tục hành chính của địa phương, sớm hoàn thành tích hợp các dịch vụ công thiết yếu.",
]
VOCABULARY = (
    "triển khai thực hiện kết quả đánh giá dữ liệu dân cư định danh điện tử tài khoản dịch vụ công trực tuyến "
    "hồ sơ thủ tục hành chính cấp xã cấp tỉnh người dân doanh nghiệp tuyên truyền tập huấn cán bộ hạ tầng "
    "mạng kết nối chia sẻ làm sạch chuẩn hóa tiện ích an ninh trật tự kinh tế xã hội chuyển đổi số"
)


def national_sized(data: dict, layout) -> dict:
    """The fixture with 85 central bodies and provinces writing in every section that asks for text."""
    data = copy.deepcopy(data)
    rng = random.Random(6)
    words = VOCABULARY.split()
    units = [(f"P{n:02d}", f"Tỉnh thử nghiệm {n:02d}", "province", "provinces") for n in range(1, 64)]
    units += [(f"B{n:02d}", f"Bộ thử nghiệm {n:02d}", "ministry", "ministries") for n in range(1, 23)]
    data["units"] = [{"key": k, "name": n, "kind": kind, "group": g, "status": "accepted"} for k, n, kind, g in units]
    for section in data["narrative"]:
        spec = layout.section_index.get(section["key"])
        if not (spec and spec.has_input):
            continue
        section["paragraphs"] = []
        for key, name, _, _ in units:
            if rng.random() < 0.5:
                continue  # not every unit writes in every section
            if rng.random() < 0.35:
                text = rng.choice(THEMES) + " " + " ".join(rng.choice(words) for _ in range(20))
            else:
                text = " ".join(rng.choice(words) for _ in range(170)).capitalize() + "."
            section["paragraphs"].append({"key": key, "name": name, "field": "body", "text": text})
    return data


class DraftedReportPagesTests(SimpleTestCase):
    def test_body_at_most_40_pages_and_appendix_numbers_unique_and_the_same_everywhere(self):
        layout = layout_4709()
        data = national_sized(national_data(), layout)
        texts = {}
        for section in data["narrative"]:
            suggestion = drafting.suggest(data, layout, section["key"])
            if not suggestion.empty:
                texts[section["key"]] = suggestion.text
        self.assertGreater(len(texts), 20)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "bao-cao.docx"
            write_docx(
                data, layout, source, issued_on=dt.date(2024, 6, 20), draft={"sections": texts, "unit_annex": True}
            )
            _pages, marks = pages_and_bookmarks(to_pdf(source))
            workbook_path = Path(tmp) / "phu-luc.xlsx"
            write_workbook(data, layout, UnitSource([], layout), workbook_path)
            workbook = openpyxl.load_workbook(workbook_path, read_only=True)
            sheet_titles = {}
            for sheet in workbook.worksheets:
                first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
                sheet_titles[sheet.title] = str(first[0] or "") if first else ""
            workbook.close()
            json_path = Path(tmp) / "national.json"
            write_json(data, json_path, layout)
            exported = json.loads(json_path.read_text(encoding="utf-8"))
        appendix_pages = [page for title, page in marks if title.startswith("PHỤ LỤC")]
        self.assertTrue(appendix_pages, marks)
        body = appendix_pages[0] - 1
        print(f"drafted body: {body} pages before the first appendix")
        self.assertLessEqual(body, 40, f"{body} pages before the first appendix")
        self.assertGreaterEqual(body, 3)
        # Appendix numbers: unique in the DOCX, and each the same in the workbook and the JSON.
        headings = [title for title, _ in marks if title.startswith("PHỤ LỤC ")]
        expected = [a.heading for a in appendices(data, layout, {})]
        self.assertEqual(headings, expected)
        self.assertEqual(len(headings), len(set(headings)), headings)
        in_json = [a["heading"] for a in exported["appendices"]]
        self.assertEqual(in_json, expected)
        for appendix in exported["appendices"]:
            title = sheet_titles[appendix["key"]]
            self.assertTrue(title == appendix["heading"] or title.startswith(appendix["heading"] + " "), title)


class AppendixNumberRuleTests(SimpleTestCase):
    def test_a_definition_with_two_printed_appendices_of_one_number_is_refused(self):
        from baocao06.definitions.spec import SpecError, load_spec

        from .national_fixture import DEFINITION

        text = DEFINITION.read_text(encoding="utf-8").replace('number: "04"', 'number: "03"', 1)
        with self.assertRaises(SpecError) as caught:
            load_spec(text)
        self.assertIn("số phụ lục bị lặp", str(caught.exception))
