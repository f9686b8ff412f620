"""The year-end definitions made from 4709 (data/definitions/year-end-notes.md): their own period words,
the same tables, and for 2026 only units that exist at the end of 2026 (checked against data/units)."""

import datetime as dt
from pathlib import Path

import yaml
from django.conf import settings
from django.test import SimpleTestCase

from baocao06.definitions.loading import check_text
from baocao06.rounds.tests.test_merger import csv_units, csv_valid

FOLDER = Path(settings.BAOCAO06_DATA_DIR) / "definitions"


def load(name):
    text = (FOLDER / name).read_text(encoding="utf-8")
    return text, yaml.safe_load(text), check_text(text)


def strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)
    elif isinstance(node, str):
        yield node


class YearEndDefinitionTests(SimpleTestCase):
    def test_both_are_4709_with_the_years_words(self):
        _, h1, _ = load("4709-2024-h1.yaml")
        for name, year, following in (("de-an-06-2024-nam.yaml", 2024, 2025), ("de-an-06-2026-nam.yaml", 2026, 2027)):
            text, document, spec = load(name)
            self.assertIn("NOT a real dispatch", text.splitlines()[0])
            self.assertEqual(spec.key, h1["key"])
            self.assertIn(f"TỔNG KẾT NĂM {year}", spec.title)
            self.assertEqual(
                [(t["key"], [c["key"] for c in t["columns"]]) for t in document["appendices"]],
                [(t["key"], [c["key"] for c in t["columns"]]) for t in h1["appendices"]],
            )
            self.assertIn(f"NHIỆM VỤ TRỌNG TÂM NĂM {following}", [s.title for s in spec.outline])
            words = [s for s in strings(document) if "6 tháng" in s.lower() or "06 tháng" in s.lower()]
            self.assertEqual(words, [], name)

    def test_the_2026_definition_names_only_units_of_2026(self):
        _, document, spec = load("de-an-06-2026-nam.yaml")
        units = csv_units()
        named = {key for audience in spec.audiences.values() for key in audience.units}
        self.assertIn("BKHCN", named)
        self.assertEqual([k for k in named if not csv_valid(units[k], dt.date(2026, 12, 14))], [])
        self.assertEqual(spec.audiences["btttt"].units, ["BKHCN"])
        self.assertNotIn("Bộ Thông tin và Truyền thông", " ".join(strings(document)))
