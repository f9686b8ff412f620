"""A second definition, different from 4709 (fixtures/second-definition.yaml: other table keys and
numbers, another outline, one service table, no cost table): compiled and written with no code
change, its appendices come out complete and numbered alike in the DOCX, the workbook and the JSON."""

from __future__ import annotations

import json
import tempfile
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
from docx import Document

from baocao06.compilation.actions import do_compile
from baocao06.compilation.generate import write_outputs
from baocao06.definitions.loading import store_definition
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report
from baocao06.review.actions import do_accept_report
from baocao06.test import BaseTestCase, fill_completely, open_test_round

DEFINITION = Path(__file__).parent / "fixtures" / "second-definition.yaml"
KEYS = ["NV", "TD", "DV", "DS", "MT", "DS2", "MT2"]


class SecondDefinitionTests(BaseTestCase):
    def test_appendices_complete_in_docx_xlsx_and_json(self):
        definition, _ = store_definition(DEFINITION.read_text(encoding="utf-8"))
        round_ = open_test_round(definition, [self.ministry, self.province], actor=self.secretariat, title="Kỳ thử")
        reports = {r.unit_id: r for r in Report.objects.filter(round=round_)}
        for unit, person, seed in ((self.ministry, self.approver, 31), (self.province, self.province_approver, 32)):
            fill_completely(reports[unit.pk], person, seed=seed)
            do_submit_report(reports[unit.pk], actor=person)
            do_accept_report(reports[unit.pk], actor=self.secretariat)
        snapshot = do_compile(round_, actor=self.secretariat)
        data = snapshot.data
        self.assertTrue(data["pl06"] and data["pl07"] and data["pl02"] and data["tasks"]["by_unit"])
        # The second list and matrix tables are compiled too, not only the first of each.
        self.assertEqual([e["table"] for e in data["more_lists"]], ["DS2"])
        self.assertEqual([e["table"] for e in data["more_matrices"]], ["MT2"])
        self.assertTrue(data["more_lists"][0]["groups"] and data["more_matrices"][0]["rows"])
        with tempfile.TemporaryDirectory() as tmp:
            paths = {kind: Path(p) for kind, p in write_outputs(snapshot, Path(tmp)).items()}
            exported = json.loads(paths["json"].read_text(encoding="utf-8"))
            doc = Document(str(paths["docx"]))
            book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
            sheets = {name: list(book[name].iter_rows(values_only=True)) for name in KEYS}
            book.close()

        expected = [f"PHỤ LỤC {n}" for n in ("1", "2", "3", "4", "5", "6", "7")]
        self.assertEqual([a["key"] for a in exported["appendices"]], KEYS)
        self.assertEqual([a["heading"] for a in exported["appendices"]], expected)
        headings = [p.text for p in doc.paragraphs if p.text.startswith("PHỤ LỤC ")]
        self.assertEqual(headings, expected)
        for key, heading in zip(KEYS, expected, strict=True):
            self.assertTrue(str(sheets[key][0][0]).startswith(heading), (key, sheets[key][0]))

        # Complete: the service table's national total is the sum of what the two units typed
        # (independently, from their submitted versions), in the DOCX and the workbook.
        total = Decimal(0)
        for report in reports.values():
            for row in report.versions.get().content["tables"]["DV"]["rows"]:
                value = row["values"].get("total")
                total += Decimal(str(value)) if value not in (None, "") else 0
        self.assertGreater(total, 0)
        printed = f"{int(total):,}".replace(",", ".")
        tables = doc.tables
        docx_text = "\n".join(c.text for t in tables for r in t.rows for c in r.cells)
        self.assertIn(printed, docx_text)
        self.assertTrue(any(int(total) in row for row in sheets["DV"]), "the workbook's DV total")
        # Every list and matrix entry reached the DOCX: each unit named in the list table.
        for group in data["pl06"] + data["more_lists"][0]["groups"]:
            for unit in group["units"]:
                self.assertIn(unit["name"], docx_text)
        for item in data["pl07"] + data["more_matrices"][0]["rows"]:
            for entries in (item.get("cells") or {}).values():
                for entry in entries:
                    self.assertIn(f"{entry['name']}: ", docx_text)
        # The tracker's tasks and the unfinished tasks are printed.
        for item in data["pl02"]:
            self.assertIn(item["title"][:40], docx_text)
        for task in data["tasks"]["open"]:
            self.assertIn(task["title"][:40], docx_text)

    def test_a_list_table_with_its_own_columns_comes_out_with_them(self):
        """DS2 has columns of its own (system, owner, connected_to, remark), not 4709's list columns:
        the DOCX appendix, the workbook sheet and the CSV print those, with what the units typed."""
        definition, _ = store_definition(DEFINITION.read_text(encoding="utf-8"))
        round_ = open_test_round(definition, [self.ministry, self.province], actor=self.secretariat, title="Kỳ thử")
        typed = []
        for report, person, seed in (
            (Report.objects.get(round=round_, unit=self.ministry), self.approver, 41),
            (Report.objects.get(round=round_, unit=self.province), self.province_approver, 42),
        ):
            fill_completely(report, person, seed=seed)
            version = do_submit_report(report, actor=person)
            do_accept_report(report, actor=self.secretariat)
            typed += [row["values"] for row in version.content["tables"]["DS2"]["rows"]]
        self.assertTrue(typed and all(v.get("system") and v.get("owner") for v in typed))
        snapshot = do_compile(round_, actor=self.secretariat)
        with tempfile.TemporaryDirectory() as tmp:
            paths = {kind: Path(p) for kind, p in write_outputs(snapshot, Path(tmp)).items()}
            doc = Document(str(paths["docx"]))
            book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
            sheet = [[c for c in row if c is not None] for row in book["DS2"].iter_rows(values_only=True)]
            book.close()
            with zipfile.ZipFile(paths["csv"]) as archive:
                header = archive.read("DS2.csv").decode("utf-8-sig").splitlines()[0].split(",")
        table = next(t for t in doc.tables if any("Hệ thống thông tin" in c.text for c in t.rows[0].cells))
        docx_header = " ".join(c.text for r in table.rows[:2] for c in r.cells)
        for label in ("Hệ thống thông tin", "Cơ quan quản lý", "Đã kết nối với", "Ghi chú", "Quản lý và kết nối"):
            self.assertIn(label, docx_header)
        self.assertNotIn("Tên dịch vụ công", docx_header)
        docx_text = "\n".join(c.text for r in table.rows for c in r.cells)
        for values in typed:
            self.assertIn(values["system"][:30], docx_text)
            self.assertIn(values["owner"][:30], docx_text)
        self.assertIn("Đã kết nối với", str(sheet))
        self.assertEqual(header[4:8], ["system", "owner", "connected_to", "remark"])

    def test_a_matrix_whose_choice_column_has_another_key_prints_its_labels(self):
        """MT2 counts its choices in a column named `barriers` (4709's matrix calls it `causes`): the
        workbook names the counts by the definition's labels, never by raw values."""
        definition, _ = store_definition(DEFINITION.read_text(encoding="utf-8"))
        round_ = open_test_round(definition, [self.ministry, self.province], actor=self.secretariat, title="Kỳ thử")
        chosen = set()
        for report, person, seed in (
            (Report.objects.get(round=round_, unit=self.ministry), self.approver, 51),
            (Report.objects.get(round=round_, unit=self.province), self.province_approver, 52),
        ):
            fill_completely(report, person, seed=seed)
            version = do_submit_report(report, actor=person)
            do_accept_report(report, actor=self.secretariat)
            for row in version.content["tables"]["MT2"]["rows"]:
                chosen.update(row["values"].get("barriers") or [])
        self.assertTrue(chosen)
        column = round_.get_layout().table_index["MT2"].column_index["barriers"]
        labels = {c["value"]: c["label"] for c in column["choices"]}
        snapshot = do_compile(round_, actor=self.secretariat)
        with tempfile.TemporaryDirectory() as tmp:
            paths = {kind: Path(p) for kind, p in write_outputs(snapshot, Path(tmp)).items()}
            book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
            cells = {str(c) for row in book["MT2"].iter_rows(values_only=True) for c in row if c is not None}
            book.close()
        for value in chosen:
            self.assertIn(f"Nguyên nhân: {labels[value]}", cells)
            self.assertNotIn(f"Nguyên nhân: {value}", cells)
