"""Each unit's tables streamed back from VersionValue, in the snapshot's unit order."""

from __future__ import annotations

import threading
from unittest import mock

from django.db import connection
from django.test import TransactionTestCase

from baocao06.compilation import unit_tables, values
from baocao06.compilation.models import VersionValue
from baocao06.compilation.unit_tables import iter_unit_tables
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase


def expected_tables(version, layout) -> dict:
    """The version's own tables as submitted, without catalogue fields and empty cells."""
    out = {}
    for key, table in version.content["tables"].items():
        spec = layout.table_index[key]
        rows = []
        for row in table["rows"]:
            kept = {
                k: v
                for k, v in row["values"].items()
                if v is not None and v != "" and v != [] and not spec.column_index[k].get("item_field")
            }
            if kept:
                rows.append({"key": row["key"], "group": row["group"], "values": kept})
        if rows:
            out[key] = rows
    return out


class UnitTablesTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.layout = cls.round.get_layout()
        cls.fill_completely(cls.report, cls.reporter, seed=3)
        cls.fill_completely(cls.province_report, cls.province_reporter, seed=4)
        cls.ministry_version = do_submit_report(cls.report, actor=cls.approver)
        cls.province_version = do_submit_report(cls.province_report, actor=cls.province_approver)
        for version, unit in ((cls.ministry_version, cls.ministry), (cls.province_version, cls.province)):
            if not VersionValue.objects.filter(version=version).exists():
                values.store(version, cls.layout, unit.pk, cls.round.layout_hash)

    def test_it_gives_each_units_tables_as_submitted_in_the_order_asked(self):
        ids = [self.province_version.pk, self.ministry_version.pk]
        for batch_size in (1, 2):  # one version per query, and both in one query (not in id order)
            with self.subTest(batch_size=batch_size):
                result = list(iter_unit_tables(ids, self.layout, batch_size=batch_size))
                self.assertEqual(
                    [(k, n) for k, n, _ in result], [("P01", self.province.name), ("BTP", self.ministry.name)]
                )
                self.assertEqual(result[0][2], expected_tables(self.province_version, self.layout))
                self.assertEqual(result[1][2], expected_tables(self.ministry_version, self.layout))
                self.assertIn("PL03", result[0][2])
                self.assertIn("PL01", result[1][2])

    def test_multiple_choices_come_back_as_the_list_chosen(self):
        tables = {k: t for k, _, t in iter_unit_tables([self.province_version.pk], self.layout)}["P01"]
        causes = [r["values"]["causes"] for r in tables.get("PL07", []) if "causes" in r["values"]]
        self.assertTrue(causes)
        self.assertTrue(all(isinstance(c, list) and c for c in causes))
        numbers = [v for r in tables["PL03"] for v in r["values"].values() if not isinstance(v, str)]
        self.assertTrue(all(isinstance(v, int | float) for v in numbers))

    def test_a_version_without_table_values_still_gets_its_unit(self):
        VersionValue.objects.filter(version=self.ministry_version, kind="t").delete()
        ids = [self.ministry_version.pk, self.province_version.pk]
        result = list(iter_unit_tables(ids, self.layout))
        self.assertEqual([(k, bool(t)) for k, _, t in result], [("BTP", False), ("P01", True)])
        ids = [self.province_version.pk, self.ministry_version.pk]
        self.assertEqual(
            [(k, bool(t)) for k, _, t in iter_unit_tables(ids, self.layout)], [("P01", True), ("BTP", False)]
        )

    def test_the_number_of_queries_does_not_grow_with_units(self):
        ids = [self.province_version.pk, self.ministry_version.pk]
        with self.assertNumQueries(2):
            list(iter_unit_tables(ids, self.layout))
        with self.assertNumQueries(2):
            list(iter_unit_tables(ids[:1], self.layout))


class PrefetchedUnitTablesTest(TransactionTestCase):
    """Outside a transaction the next batch is read by a second thread: same tables, same order."""

    def test_a_second_thread_reads_ahead_and_gives_the_same_tables(self):
        from baocao06.test import build_world, fill_completely

        build_world(self)
        layout = self.round.get_layout()
        versions = []
        for report, person, seed in (
            (self.report, self.approver, 3),
            (self.province_report, self.province_approver, 4),
        ):
            fill_completely(report, person, seed=seed)
            versions.append(do_submit_report(report, actor=person))
        ids = [versions[1].pk, versions[0].pk]
        self.assertFalse(connection.in_atomic_block)
        threads = []
        original = unit_tables._fetch

        def spy(batch):
            threads.append(threading.current_thread().name)
            return original(batch)

        with mock.patch.object(unit_tables, "_fetch", spy):
            result = list(iter_unit_tables(ids, layout, batch_size=1))
        self.assertTrue(all(name.startswith("unit-tables") for name in threads), threads)
        self.assertEqual([k for k, _, _ in result], ["P01", "BTP"])
        self.assertEqual(result[0][2], expected_tables(versions[1], layout))
        self.assertEqual(result[1][2], expected_tables(versions[0], layout))


class SplitUnitSheetsTest(TransactionTestCase):
    """A large workbook's unit sheets are written half here, half by a forked process: same file."""

    def test_a_second_process_writes_half_the_unit_sheets_and_the_workbook_is_the_same(self):
        import os
        import tempfile
        from pathlib import Path

        import openpyxl

        from baocao06.compilation.engine import national_tables
        from baocao06.compilation.outputs import unit_sheets
        from baocao06.compilation.outputs.xlsx import write_workbook
        from baocao06.test import build_world, fill_completely

        build_world(self)
        layout = self.round.get_layout()
        versions = []
        pairs = ((self.report, self.approver, 3), (self.province_report, self.province_approver, 4))
        for report, person, seed in pairs:
            fill_completely(report, person, seed=seed)
            versions.append(do_submit_report(report, actor=person))
        ids = [v.pk for v in versions]
        data = national_tables(self.round, ids)
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        one, two = Path(directory.name) / "one.xlsx", Path(directory.name) / "two.xlsx"
        write_workbook(data, layout, list(iter_unit_tables(ids, layout)), one)
        with (
            mock.patch.object(unit_sheets, "SPLIT_FROM", 2),
            mock.patch.object(unit_sheets.os, "fork", wraps=os.fork) as fork,
        ):
            write_workbook(data, layout, unit_sheets.UnitSource(ids, layout), two)
        self.assertEqual(fork.call_count, 1)
        first, second = openpyxl.load_workbook(one), openpyxl.load_workbook(two)
        self.assertEqual(first.sheetnames, second.sheetnames)
        self.assertEqual(first.sheetnames[-2:], ["BTP", "P01"])
        for name in first.sheetnames:
            with self.subTest(sheet=name):
                self.assertEqual(list(first[name].values), list(second[name].values))
                self.assertEqual(first[name].freeze_panes, second[name].freeze_panes)
        self.assertIn("Đăng ký khai sinh", [r[1] for r in second["P01"].values])


class TrimmedNumberTests(BaseTestCase):
    """On PostgreSQL the numbers come as `trim_scale(number)::text`: read back, each must be the value
    and type `_number` gives for the stored Decimal (whole → int, exact however large; else float)."""

    def test_same_value_and_type_as_the_decimal(self):
        from decimal import Decimal

        for stored, text in [
            ("12.0000", "12"),
            ("-3.5000", "-3.5"),
            ("0.0000", "0"),
            ("0.1000", "0.1"),
            ("12345678901234567890.0000", "12345678901234567890"),
            ("12345678901234567890.1234", "12345678901234567890.1234"),
            ("99.9999", "99.9999"),
        ]:
            with self.subTest(stored=stored):
                expected = unit_tables._number(Decimal(stored))
                got = unit_tables._trimmed_number(text)
                self.assertEqual((type(got), got), (type(expected), expected))
