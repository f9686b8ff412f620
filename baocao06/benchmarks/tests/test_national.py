"""The national-scale generator at a tiny scale: its content is what the engine would have stored."""

from collections import Counter
from decimal import Decimal

from django.test import TestCase

from baocao06.accounts.models import GlobalRole
from baocao06.benchmarks import national
from baocao06.catalogues.loading import load_catalogues
from baocao06.compilation.models import VersionValue
from baocao06.compilation.values import NUMERIC
from baocao06.definitions.validation import blocking, report_content, validate_report
from baocao06.reports.models import Report, ReportVersion
from baocao06.rounds.settings import engine_context
from baocao06.test import make_user
from baocao06.units.loading import load_communes, load_units


def expected_values(content: dict, layout) -> Counter:
    """What VersionValue should hold for a content, derived here independently of values.py."""
    expected = Counter()
    for part, section in content["sections"].items():
        for field, text in section["fields"].items():
            expected[("s", part, "", field, None, text)] += 1
    for part, table in content["tables"].items():
        spec = layout.table_index[part]
        for row in table["rows"]:
            catalogue_row = row["key"] in spec.row_index  # a row the unit added keeps its typed name
            for key, value in row["values"].items():
                column = spec.column_index[key]
                if column.get("item_field") and catalogue_row:
                    continue
                if column["type"] in NUMERIC:
                    expected[("t", part, row["key"], key, Decimal(str(value)), "")] += 1
                elif isinstance(value, list):
                    for item in value:
                        expected[("t", part, row["key"], key, None, item)] += 1
                else:
                    expected[("t", part, row["key"], key, None, str(value))] += 1
    return expected


class NationalGeneratorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_units()
        load_communes()
        load_catalogues()
        make_user("thuky", global_role=GlobalRole.SECRETARIAT)
        cls.round, cls.seconds = national.build_round(units=12)

    def test_units_of_every_kind_and_a_mix_of_fates(self):
        reports = list(Report.objects.filter(round=self.round).select_related("unit"))
        self.assertEqual(len(reports), 12)
        families = {
            r.unit.kind if r.unit.kind in {"province", "commune", "corporation"} else "central" for r in reports
        }
        self.assertEqual(families, {"central", "corporation", "province", "commune"})
        for report in reports:
            numbers = list(report.versions.values_list("number", flat=True))
            if report.status in {"not_started", "draft"}:
                self.assertEqual(numbers, [])
                self.assertIsNone(report.current_version_id)
            else:
                self.assertTrue(numbers)
                self.assertEqual(report.current_version.number, max(numbers))
        self.assertTrue(national.compile_versions(self.round))

    def test_content_is_canonical_and_valid_for_the_engine(self):
        layout = self.round.get_layout()
        versions = ReportVersion.objects.filter(report__round=self.round).select_related("report__unit")
        self.assertTrue(versions)
        for version in versions:
            unit = version.report.unit
            view = layout.view_for(unit)
            content = version.content
            parts = {**content["sections"], **{k: {"rows": t["rows"]} for k, t in content["tables"].items()}}
            self.assertEqual(set(parts), set(view.part_keys), unit.key)
            self.assertEqual(blocking(validate_report(view, parts, final=True)), [], unit.key)
            expected = report_content(view, parts, **engine_context(self.round))
            for key in expected["tables"]:
                self.assertEqual(expected["tables"][key], content["tables"][key], (unit.key, key))
            self.assertEqual(expected, content, unit.key)
            size = sum(len(t.encode()) for s in content["sections"].values() for t in s["fields"].values())
            self.assertAlmostEqual(size, national.NARRATIVE_BYTES, delta=national.NARRATIVE_BYTES * 0.15)
            if unit.kind in {"province", "commune"}:
                self.assertEqual(len(content["tables"]["PL03"]["rows"]), 25)
                self.assertGreaterEqual(len(content["tables"]["PL01"]["rows"]), 22)

    def test_version_values_match_the_content(self):
        layout = self.round.get_layout()
        for version in ReportVersion.objects.filter(report__round=self.round).select_related("report"):
            stored = Counter(
                (v.kind, v.part, v.row, v.column, v.number, v.text if v.number is None else "")
                for v in VersionValue.objects.filter(version=version)
            )
            self.assertEqual(stored, expected_values(version.content, layout), version.pk)
            self.assertEqual(
                set(VersionValue.objects.filter(version=version).values_list("unit_id", flat=True)),
                {version.report.unit_id},
            )

    def test_seeded_and_reused(self):
        layout = self.round.get_layout()
        version = (
            ReportVersion.objects.filter(report__round=self.round, number=1).select_related("report__unit").first()
        )
        unit = version.report.unit
        again = national.UnitContent(layout.view_for(unit), unit.name).content()
        self.assertEqual(again, version.content)
        self.assertIsNotNone(self.seconds)
        self.assertEqual(national.build_round(units=12), (self.round, None))


class CompileBenchTests(TestCase):
    """The yardsticks of the compile bench add up the same figures as the content holds."""

    @classmethod
    def setUpTestData(cls):
        load_units()
        load_communes()
        load_catalogues()
        make_user("thuky", global_role=GlobalRole.SECRETARIAT)
        cls.round, _ = national.build_round(units=12)

    def test_sql_floor_and_pandas_merge(self):
        import tempfile
        from pathlib import Path
        from unittest import mock

        from baocao06.benchmarks import compile as bench

        ids = national.compile_versions(self.round)
        expected = Counter()
        for content in ReportVersion.objects.filter(pk__in=ids).values_list("content", flat=True):
            for part, table in content["tables"].items():
                for row in table["rows"]:
                    for key, value in row["values"].items():
                        if isinstance(value, int | float) and not isinstance(value, bool):
                            expected[(part, row["key"], key)] += Decimal(str(value))
        bench.load_versions(ids)
        floor = {(part, row, column): total for part, row, column, total, _ in bench.sql_floor()}
        self.assertEqual(set(floor), set(expected))
        for key, total in floor.items():  # SQLite sums decimals as floats
            self.assertAlmostEqual(float(total), float(expected[key]), delta=0.01, msg=key)

        with tempfile.TemporaryDirectory() as folder, mock.patch.object(bench, "xlsx_dir", lambda: Path(folder)):
            paths, seconds = bench.write_xlsx(self.round, ids, mock.Mock())
            self.assertEqual(len(paths), len(ids))
            self.assertIsNotNone(seconds)
            self.assertEqual(bench.write_xlsx(self.round, ids, mock.Mock()), (paths, None))  # cached
            merged = bench.pandas_merge(paths)
        totals = merged["PL03 tổng hợp"]
        self.assertEqual(
            int(totals["Tổng số hồ sơ"].sum()),
            sum(v for (p, _, c), v in expected.items() if (p, c) == ("PL03", "total")),
        )
