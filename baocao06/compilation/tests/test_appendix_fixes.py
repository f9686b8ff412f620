"""The appendix fixes of issue 12: the change column's label and presence, rates with 2 decimals, money
on one line, Resolution 175's coordinating units and documents, long rows that may break, PL06's
distinct services, free-row names with a capital."""

from __future__ import annotations

import copy
import io

from django.test import SimpleTestCase
from docx import Document
from docx.oxml.ns import qn

from baocao06.compilation.outputs.appendices import appendices, service_appendix
from baocao06.compilation.outputs.docx import write_docx
from baocao06.compilation.outputs.summaries import pl06_summary
from baocao06.compilation.outputs.wordxml import Column, Row, TableSpec, number_twips, table_element
from baocao06.test import BaseTestCase, fill_completely

from .national_fixture import layout_4709, national_data


def header_labels(appendix) -> list[str]:
    return [c.label for c in appendix.table.columns]


class AppendixFixesTests(SimpleTestCase):
    def setUp(self):
        self.data = national_data()
        self.layout = layout_4709()

    def service(self, key="PL03"):
        return copy.deepcopy(next(s for s in self.data["services"] if s["table"] == key))

    def test_the_change_column_says_what_it_is_measured_against(self):
        service = self.service()
        service["change_against"] = "previous"
        labels = header_labels(service_appendix(service, self.layout))
        self.assertIn("Tăng/giảm tỷ lệ so với kỳ trước (điểm %)", labels)
        self.assertFalse(any("12/2023" in label or "tháng 12 năm 2023" in label for label in labels))
        service["change_against"] = "baseline"
        self.assertIn("Tăng/giảm tỷ lệ so với 12/2023 (điểm %)", header_labels(service_appendix(service, self.layout)))

    def test_the_change_column_is_kept_when_no_baseline_was_entered(self):
        service = self.service()
        for row in service["rows"]:
            row["change"] = None
            row["baseline_rate"] = None
        service["columns"] = [c for c in service["columns"] if c["key"] != "change"]
        appendix = service_appendix(service, self.layout)
        keys = [c.key for c in appendix.table.columns]
        self.assertIn("change", keys)
        index = keys.index("change")
        self.assertTrue(all(row.cells[index] == "" for row in appendix.table.rows if row.kind == "data"))

    def test_rates_print_with_two_decimals(self):
        appendix = service_appendix(self.service(), self.layout)
        keys = [c.key for c in appendix.table.columns]
        rates = [row.cells[keys.index("rate")] for row in appendix.table.rows if row.kind in {"data", "total"}]
        self.assertIn("72,00", rates)  # 900.000 / 1.250.000
        self.assertTrue(all(r == "" or len(r.split(",")[1]) == 2 for r in rates), rates)

    def test_money_columns_are_wide_enough_and_do_not_wrap(self):
        spec = TableSpec(
            [Column("label", "Dịch vụ", "left", 4), Column("money", "Tiền (đồng)", "right", 0.6)],
            [Row(["Một dịch vụ", "993.476.931.000"]), Row(["Tổng", "1.993.476.931.000"], kind="total")],
        )
        element = table_element(spec, 9000)
        widths = [int(c.get(qn("w:w"))) for c in element.iter(qn("w:gridCol"))]
        self.assertGreaterEqual(widths[1], number_twips("1.993.476.931.000"))
        cells = element.findall(f".//{qn('w:tc')}")
        money = [c for c in cells if "993.476.931.000" in "".join(c.itertext())]
        self.assertTrue(money)
        self.assertTrue(all(c.find(f"{qn('w:tcPr')}/{qn('w:noWrap')}") is not None for c in money))

    def test_long_rows_may_break_across_pages_short_ones_not(self):
        spec = TableSpec([Column("text", "Nội dung")], [Row(["ngắn"]), Row(["dài " * 200])])
        rows = table_element(spec, 9000).findall(qn("w:tr"))[1:]
        self.assertIsNotNone(rows[0].find(f"{qn('w:trPr')}/{qn('w:cantSplit')}"))
        self.assertIsNone(rows[1].find(f"{qn('w:trPr')}/{qn('w:cantSplit')}"))

    def test_resolution_175_keeps_coordinating_units_and_documents(self):
        data = copy.deepcopy(self.data)
        data["pl02"][0]["fields"] = {
            "lead": "Bộ Công an",
            "coordinating": "Văn phòng Chính phủ",
            "documents": "Nghị quyết 175/NQ-CP",
        }
        found = next(a for a in appendices(data, self.layout, {}) if a.key == "PL02")
        labels = header_labels(found)
        self.assertIn("Đơn vị phối hợp", labels)
        self.assertIn("Văn bản chỉ đạo", labels)
        row = next(r for r in found.table.rows if r.kind == "data")
        self.assertIn("Văn phòng Chính phủ", row.cells)
        self.assertIn("Nghị quyết 175/NQ-CP", row.cells)
        stream = io.BytesIO()
        write_docx(data, self.layout, stream, with_charts=False)
        text = "\n".join(
            c.text for t in Document(io.BytesIO(stream.getvalue())).tables for r in t.rows for c in r.cells
        )
        self.assertIn("Văn bản chỉ đạo", text)

    def test_pl06_counts_distinct_services_not_reports(self):
        data = copy.deepcopy(self.data)
        rows = [{"service": "Đăng ký xe"}, {"service": "đăng ký  xe"}, {"service": "Cấp hộ chiếu"}]
        data["pl06"] = [
            {"group": "provinces", "units": [{"key": f"P{i}", "name": f"P{i}", "rows": rows} for i in range(5)]}
        ]
        text = pl06_summary(data, self.layout)[0]
        # Independent: 2 distinct names (case and spaces ignored), 15 reports from 5 units.
        self.assertTrue(
            text.startswith("Có 2 dịch vụ công thiết yếu chưa hoàn thành tích hợp (15 lượt báo cáo của 5 đơn vị"), text
        )


class OpenTasksTests(BaseTestCase):
    """PL01 lists the unfinished tasks with who, what and when, not only counts."""

    def test_every_unfinished_task_is_listed_with_unit_title_and_due(self):
        from baocao06.compilation.actions import do_compile
        from baocao06.reports.actions import do_submit_report
        from baocao06.review.actions import do_accept_report

        fill_completely(self.report, self.approver, seed=5)
        do_submit_report(self.report, actor=self.approver)
        do_accept_report(self.report, actor=self.secretariat)
        snapshot = do_compile(self.round, actor=self.secretariat)
        # Independent: the submitted version's PL01 rows whose result is not "completed".
        content = self.report.versions.get().content
        part = content["tables"]["PL01"]
        expected = sorted(
            r["values"]["content"] for r in part["rows"] if r["values"].get("result") not in (None, "", "completed")
        )
        listed = snapshot.data["tasks"]["open"]
        self.assertTrue(expected, "the filled report has unfinished tasks")
        self.assertEqual(sorted(t["title"] for t in listed), expected)
        self.assertTrue(all(t["name"] == "Bộ Tư pháp" for t in listed))
        layout = self.round.get_layout()
        pl01 = next(a for a in appendices(snapshot.data, layout, {}) if a.key == "PL01")
        caption, table = pl01.more[0]
        self.assertIn("rõ người, rõ việc, rõ thời gian", caption)
        labels = [c.label for c in table.columns]
        self.assertIn("Nội dung, nhiệm vụ", labels)
        self.assertIn("Thời gian hoàn thành", labels)
        self.assertEqual(len(table.rows), len(expected))
