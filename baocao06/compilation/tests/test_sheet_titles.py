"""The national workbook's title rows of the task sheets come from the definition's compilation block
(`sheet_titles`), not from code: 4709 prints the wording it always had; a definition that gives none
prints the appendix heading alone; a title for an appendix the definition lacks is refused."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from django.test import SimpleTestCase

from baocao06.catalogues.registry import items_from_files
from baocao06.compilation.outputs import numbering
from baocao06.compilation.outputs.unit_sheets import UnitSource
from baocao06.compilation.outputs.xlsx import write_workbook
from baocao06.definitions.layout import Layout, resolve
from baocao06.definitions.spec import SpecError, load_spec

from .national_fixture import DEFINITION, national_data


def _layout(text: str) -> Layout:
    return Layout(resolve(load_spec(text), items_from_files))


def _first_rows(layout: Layout) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "phu-luc.xlsx"
        write_workbook(national_data(), layout, UnitSource([], layout), path)
        workbook = openpyxl.load_workbook(path, read_only=True)
        rows = {}
        for sheet in workbook.worksheets:
            first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
            rows[sheet.title] = str(first[0] or "") if first else ""
        workbook.close()
    return rows


class SheetTitleTests(SimpleTestCase):
    def test_4709_prints_its_titles_and_a_definition_without_them_the_heading_alone(self):
        text = DEFINITION.read_text(encoding="utf-8")
        layout = _layout(text)
        given = layout.compilation["sheet_titles"]
        rows = _first_rows(layout)
        self.assertEqual(rows["PL01"], f"{numbering.heading('PL01', layout)} — THỐNG KÊ NHIỆM VỤ THEO ĐƠN VỊ")
        self.assertEqual(rows["PL02"], f"{numbering.heading('PL02', layout)} — NGHỊ QUYẾT 175/NQ-CP")
        self.assertEqual(set(given), {"PL01", "PL02"})
        start = text.index("  sheet_titles:")
        without = text[:start] + text[text.index("\n", start) + 1 :]
        plain = _layout(without)
        self.assertEqual(plain.compilation["sheet_titles"], {})
        rows = _first_rows(plain)
        self.assertEqual(rows["PL01"], numbering.heading("PL01", plain))
        self.assertEqual(rows["PL02"], numbering.heading("PL02", plain))

    def test_a_title_for_an_appendix_the_definition_lacks_is_refused(self):
        text = DEFINITION.read_text(encoding="utf-8").replace('PL02: "NGHỊ QUYẾT', 'PL99: "NGHỊ QUYẾT', 1)
        with self.assertRaises(SpecError) as caught:
            load_spec(text)
        self.assertIn("compilation.sheet_titles", str(caught.exception))
