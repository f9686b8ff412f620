"""The national workbook's unit sheets, prepared when a version is submitted and copied by the files."""

from __future__ import annotations

import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from unittest import mock

import openpyxl
from django.test import TransactionTestCase

from baocao06.compilation.engine import national_tables
from baocao06.compilation.models import UnitSheet
from baocao06.compilation.outputs import unit_sheets
from baocao06.compilation.outputs.xlsx import write_workbook
from baocao06.compilation.unit_tables import iter_unit_tables
from baocao06.reports.actions import do_submit_report
from baocao06.test import build_world, fill_completely


def sheet_xml(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist() if name.startswith("xl/worksheets/")}


class PreparedUnitSheetsTest(TransactionTestCase):
    def setUp(self):
        build_world(self)
        self.layout = self.round.get_layout()
        self.versions = []
        pairs = ((self.report, self.approver, 3), (self.province_report, self.province_approver, 4))
        for report, person, seed in pairs:
            fill_completely(report, person, seed=seed)
            self.versions.append(do_submit_report(report, actor=person))
        self.ids = [v.pk for v in self.versions]
        self.data = national_tables(self.round, self.ids)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.dir = Path(directory.name)

    def source(self):
        return unit_sheets.UnitSource(self.ids, self.layout, self.round.layout_hash)

    def test_submitting_a_version_prepares_its_sheet(self):
        # The test settings run tasks at once (ImmediateBackend) once the submission commits.
        stored = UnitSheet.objects.filter(version_id__in=self.ids)
        self.assertEqual(sorted(stored.values_list("version_id", flat=True)), sorted(self.ids))
        self.assertEqual(len({s.layout for s in stored}), 1)
        self.assertTrue(all(s.rows > unit_sheets.HEAD_ROWS and s.max_col > 1 for s in stored))

    def test_the_workbook_copies_the_prepared_rows_and_is_the_same_as_written_from_the_tables(self):
        plain, prepared = self.dir / "plain.xlsx", self.dir / "prepared.xlsx"
        write_workbook(self.data, self.layout, list(iter_unit_tables(self.ids, self.layout)), plain)
        with mock.patch.object(unit_sheets.UnitSource, "tables_of", side_effect=AssertionError("read again")):
            write_workbook(self.data, self.layout, self.source(), prepared)
        # Inflated, every sheet's XML is the same byte for byte (the prepared rows are another deflate stream).
        self.assertEqual(sheet_xml(plain), sheet_xml(prepared))
        book = openpyxl.load_workbook(prepared)
        self.assertEqual(book.sheetnames[-2:], ["BTP", "P01"])
        self.assertIn("Đăng ký khai sinh", [r[1] for r in book["P01"].values])

    def test_without_prepared_rows_the_files_write_them_once_and_keep_them(self):
        UnitSheet.objects.all().delete()
        first, second = self.dir / "first.xlsx", self.dir / "second.xlsx"
        with (
            mock.patch.object(unit_sheets, "SPLIT_FROM", 2),
            mock.patch.object(unit_sheets.os, "fork", wraps=os.fork) as fork,
        ):
            write_workbook(self.data, self.layout, self.source(), first)
        self.assertEqual(fork.call_count, 1)  # half of the missing rows written by a second process
        self.assertEqual(UnitSheet.objects.filter(version_id__in=self.ids).count(), 2)
        with mock.patch.object(unit_sheets.UnitSource, "tables_of", side_effect=AssertionError("read again")):
            write_workbook(self.data, self.layout, self.source(), second)
        self.assertEqual(sheet_xml(first), sheet_xml(second))

    def test_rows_prepared_for_another_layout_or_format_are_not_used(self):
        plain = self.dir / "plain.xlsx"
        write_workbook(self.data, self.layout, list(iter_unit_tables(self.ids, self.layout)), plain)
        empty = zlib.compressobj(3, zlib.DEFLATED, -15).flush(zlib.Z_SYNC_FLUSH)
        UnitSheet.objects.update(data=empty, rows=unit_sheets.HEAD_ROWS, max_col=0)  # sheets without tables
        with mock.patch.object(unit_sheets, "FORMAT", "unit-sheet-test"):
            other = self.dir / "other.xlsx"
            write_workbook(self.data, self.layout, self.source(), other)
        self.assertEqual(sheet_xml(plain), sheet_xml(other))
        source = unit_sheets.UnitSource(self.ids, self.layout, "0" * 64)
        another = self.dir / "another.xlsx"
        write_workbook(self.data, self.layout, source, another)
        self.assertEqual(sheet_xml(plain), sheet_xml(another))
        # With the round's own key the (tampered) prepared rows are what the file copies.
        tampered = self.dir / "tampered.xlsx"
        write_workbook(self.data, self.layout, self.source(), tampered)
        self.assertNotEqual(sheet_xml(plain), sheet_xml(tampered))

    def test_preparing_again_makes_nothing_new(self):
        self.assertEqual(unit_sheets.prepare_unit_sheets(self.ids), 0)
        UnitSheet.objects.filter(version_id=self.ids[0]).delete()
        self.assertEqual(unit_sheets.prepare_unit_sheets(self.ids), 1)
        self.assertEqual(UnitSheet.objects.filter(version_id__in=self.ids).count(), 2)
