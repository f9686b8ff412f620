"""The must-show page test on the demo's national round: `compile_round` writes report.pdf, whose body
before the first appendix is at most 40 pages with the approved national draft (every section's
suggestion taken as is), and the appendix numbers are unique and the same in the PDF, the workbook and
the JSON. The demo is built on every unit of 2024 (not the communes and levels round)."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
from django.core.management import call_command
from django.test import TestCase

from baocao06.compilation.drafting_actions import approved_body
from baocao06.compilation.outputs.appendices import appendices
from baocao06.demo.loading import build_demo
from baocao06.units.loading import load_units
from baocao06.units.models import Unit

from .pdf_pages import pages_and_bookmarks


class DemoNationalReportPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_units()
        cls.round = build_demo(out=lambda *a: None, unit_keys=list(Unit.objects.values_list("key", flat=True)))
        cls.snapshot = cls.round.snapshots.get(provisional=False)

    def test_compile_round_writes_a_pdf_whose_drafted_body_is_at_most_40_pages(self):
        body = approved_body(self.snapshot)
        self.assertIsNotNone(body, "the demo's 4709 round has an approved draft on its official snapshot")
        self.assertGreaterEqual(self.round.reports.count(), 85)  # every ministry and province of 2024
        self.assertGreater(self.snapshot.data["completeness"]["included"], 40)
        with tempfile.TemporaryDirectory() as tmp:
            out = io.StringIO()
            call_command(
                "compile_round", str(self.round.pk), "--snapshot", str(self.snapshot.number), "--out", tmp, stdout=out
            )
            pdf = Path(tmp) / "report.pdf"
            self.assertIn(str(pdf), out.getvalue())
            pages, marks = pages_and_bookmarks(pdf)
            exported = json.loads((Path(tmp) / "national.json").read_text(encoding="utf-8"))
            workbook = openpyxl.load_workbook(Path(tmp) / "appendices.xlsx", read_only=True)
            sheet_titles = {}
            for sheet in workbook.worksheets:
                first = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
                sheet_titles[sheet.title] = str(first[0] or "") if first else ""
            workbook.close()
        appendix_pages = [page for title, page in marks if title.startswith("PHỤ LỤC")]
        self.assertTrue(appendix_pages, marks)
        before = appendix_pages[0] - 1
        print(f"demo national report: {before} pages before the first appendix, {pages} in all")
        self.assertLessEqual(before, 40, f"{before} pages before the first appendix")
        self.assertGreaterEqual(before, 3)
        # The body is the draft: a heading of the approved text is bookmarked before the appendices.
        layout = self.round.get_layout()
        drafted = [layout.section_index[key].title for key in body["sections"]]
        body_marks = {title for title, page in marks if page < appendix_pages[0]}
        self.assertTrue(any(title in mark for title in drafted for mark in body_marks), body_marks)
        headings = [title for title, _ in marks if title.startswith("PHỤ LỤC ")]
        expected = [a.heading for a in appendices(self.snapshot.data, layout, {})]
        self.assertEqual(headings, expected)
        self.assertEqual(len(headings), len(set(headings)), headings)
        self.assertEqual([a["heading"] for a in exported["appendices"]], expected)
        for appendix in exported["appendices"]:
            title = sheet_titles[appendix["key"]]
            self.assertTrue(title == appendix["heading"] or title.startswith(appendix["heading"] + " "), title)

    def test_a_snapshot_the_round_does_not_have_is_refused(self):
        from django.core.management.base import CommandError

        with tempfile.TemporaryDirectory() as tmp, self.assertRaisesMessage(CommandError, "lần 99"):
            call_command("compile_round", str(self.round.pk), "--snapshot", "99", "--out", tmp, stdout=io.StringIO())
