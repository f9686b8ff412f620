"""The national tables against an independent recomputation from the stored versions' JSON.

The expected figures are computed here from `ReportVersion.content` with plain Python — not through
`VersionValue`, the SQL aggregates or any code of the engine — and every figure is compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal

from baocao06.compilation import engine
from baocao06.compilation.models import Snapshot, SnapshotVersion, VersionValue
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_accept_report, do_return_report
from baocao06.test import BaseTestCase, fill_completely, make_user, open_test_round
from baocao06.units.models import Unit

SERVICE_TABLES = ("PL03", "PL04", "PL05")


def rate(online, total):
    if online is None or total in (None, 0):
        return None
    return float((Decimal(online) / Decimal(total) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def fold(label: str) -> str:
    return " ".join(label.split()).casefold()


class NationalTablesTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        keys = ["BTP", "BCA", "BYT", "P01", "P79", "P48", "P31"]
        cls.units = list(Unit.objects.filter(key__in=keys))
        cls.round = open_test_round(cls.definition, cls.units, actor=cls.secretariat, title="Kỳ tổng hợp thử")
        cls.reports = {r.unit.key: r for r in Report.objects.filter(round=cls.round).select_related("unit")}
        filler = make_user("filler")
        for seed, key in enumerate(keys, start=3):
            if key == "P31":
                continue  # never submits
            fill_completely(cls.reports[key], filler, seed=seed)
            do_submit_report(cls.reports[key], actor=filler)
        for key in ["BTP", "BCA", "P01", "P79"]:
            do_accept_report(cls.reports[key], actor=cls.secretariat)
        do_return_report(cls.reports["P48"], actor=cls.secretariat, message="Bổ sung số liệu")
        # BYT stays submitted: in the provisional compilation only.

    def versions(self, provisional: bool):
        statuses = {ReportStatus.ACCEPTED} | ({ReportStatus.SUBMITTED} if provisional else set())
        return [
            r.current_version
            for r in Report.objects.filter(round=self.round).select_related("current_version", "unit")
            if r.status in statuses
        ]

    def expected_services(self, versions) -> dict:
        """{table: {row key or ~label: {column: sum}}} and per-unit totals, from the JSON only."""
        layout = self.round.get_layout()
        sums: dict[str, dict[str, Counter]] = {t: defaultdict(Counter) for t in SERVICE_TABLES}
        per_unit: dict[str, Counter] = defaultdict(Counter)
        for version in versions:
            for table in SERVICE_TABLES:
                spec = layout.table_index[table]
                summed = [c["key"] for c in spec.columns if c["type"] in ("integer", "money") and not c.get("formula")]
                for row in version.content["tables"].get(table, {}).get("rows", []):
                    key = row["key"] if row["key"] in spec.row_index else "~" + fold(row["values"]["service"])
                    for column in summed:
                        if column in row["values"]:
                            sums[table][key][column] += row["values"][column]
                            if column in ("total", "online", "savings_total"):
                                per_unit[version.report.unit.key][column] += row["values"][column]
        return sums, per_unit

    def test_every_service_figure_equals_the_sum_of_the_units_figures(self):
        for provisional in (False, True):
            with self.subTest(provisional=provisional):
                versions = self.versions(provisional)
                data = engine.national_tables(self.round, [v.pk for v in versions], provisional=provisional)
                sums, _ = self.expected_services(versions)
                self.assertEqual(len(data["units"]), len(versions))
                for table in data["services"]:
                    expected = sums[table["table"]]
                    got = {r["key"]: r for r in table["rows"]} | {"~" + fold(r["label"]): r for r in table["free_rows"]}
                    self.assertEqual(set(got), set(expected), table["table"])
                    for key, columns in expected.items():
                        for column, value in columns.items():
                            self.assertEqual(got[key]["values"][column], value, (table["table"], key, column))
                        self.assertEqual(
                            got[key]["values"]["rate"], rate(columns.get("online"), columns.get("total")), key
                        )
                    grand = Counter()
                    for columns in expected.values():
                        grand.update(columns)
                    for column, value in grand.items():
                        self.assertEqual(table["total"]["values"][column], value, (table["table"], column))
                    self.assertEqual(table["total"]["values"]["rate"], rate(grand.get("online"), grand.get("total")))

    def test_computed_savings_stand_beside_the_typed_ones_and_the_round_chooses_the_total(self):
        versions = self.versions(True)
        ids = [v.pk for v in versions]
        computed: dict[str, Counter] = defaultdict(Counter)
        typed: dict[str, dict[str, int]] = defaultdict(dict)
        for version in versions:
            for row in version.content["tables"].get("CP27", {}).get("rows", []):
                for column in ("cost_before", "cost_after", "saving"):
                    if column in row["values"]:
                        computed[row["key"]][column] += row["values"][column]
            for table in ("PL03", "PL04"):
                for row in version.content["tables"].get(table, {}).get("rows", []):
                    if "savings_total" in row["values"]:
                        typed[table][row["key"]] = typed[table].get(row["key"], 0) + row["values"]["savings_total"]
        self.assertTrue(computed, "the demo filler costs some services in CP27")
        data = engine.national_tables(self.round, ids, provisional=True)
        seen = 0
        for table in data["services"]:
            for row in table["rows"]:
                expected = computed.get(row["key"])
                if not expected:
                    self.assertIsNone(row["computed_savings"], row["key"])
                    continue
                seen += 1
                for column, value in expected.items():
                    self.assertEqual(row["computed_savings"][column], value, (row["key"], column))
                self.assertEqual(row["computed_savings"]["cut_rate"], rate(expected["saving"], expected["cost_before"]))
        self.assertGreater(seen, 0)
        pl03 = next(t for t in data["services"] if t["table"] == "PL03")
        pl03_keys = {r["key"] for r in pl03["rows"]}
        computed_pl03 = sum(computed[k]["saving"] for k in computed if k in pl03_keys)
        self.assertEqual(pl03["total"]["savings_rule"], "typed")
        self.assertEqual(pl03["total"]["savings"], pl03["total"]["values"]["savings_total"])
        self.round.compile_settings = {**(self.round.compile_settings or {}), "savings_rule": "computed"}
        self.round.save(update_fields=["compile_settings"])
        data = engine.national_tables(self.round, ids, provisional=True)
        pl03 = next(t for t in data["services"] if t["table"] == "PL03")
        self.assertEqual(pl03["total"]["savings"], computed_pl03)
        self.round.compile_settings = {**self.round.compile_settings, "savings_rule": "typed_else_computed"}
        self.round.save(update_fields=["compile_settings"])
        data = engine.national_tables(self.round, ids, provisional=True)
        pl03 = next(t for t in data["services"] if t["table"] == "PL03")
        untyped = sum(computed[k]["saving"] for k in computed if k in pl03_keys and k not in typed["PL03"])
        self.assertEqual(pl03["total"]["savings"], (pl03["total"]["values"]["savings_total"] or 0) + untyped)

    def test_the_fixtures_have_the_engine_s_shape(self):
        from baocao06.compilation.tests import fixture_tables, national_fixture

        data = engine.national_tables(self.round, [v.pk for v in self.versions(True)], provisional=True)
        produced = key_paths(data)
        for name, fixture in (
            ("national_fixture", national_fixture.national_data()),
            ("fixture_tables", fixture_tables.national()),
        ):
            with self.subTest(fixture=name):
                self.assertEqual(key_paths(fixture) - produced, set())

    def test_rankings_order_provinces_and_ministries_by_their_online_rate(self):
        versions = self.versions(True)
        data = engine.national_tables(self.round, [v.pk for v in versions], provisional=True)
        _, per_unit = self.expected_services(versions)
        for group, kinds in (("provinces", {"province"}), ("ministries", {"ministry"})):
            keys = [v.report.unit.key for v in versions if v.report.unit.kind in kinds]
            ranked = data["rankings"][group]
            self.assertEqual(sorted(e["key"] for e in ranked), sorted(keys))
            rates = [rate(per_unit[e["key"]]["online"], per_unit[e["key"]]["total"]) for e in ranked]
            self.assertEqual([e["rate"] for e in ranked], rates)
            self.assertEqual(rates, sorted(rates, key=lambda r: (r is None, -(r or 0))))
            for entry in ranked:
                self.assertEqual(entry["total"], per_unit[entry["key"]]["total"])
                self.assertEqual(entry["online"], per_unit[entry["key"]]["online"])
                self.assertEqual(1 + sum(r is not None and r > (entry["rate"] or -1) for r in rates), entry["rank"])

    def test_task_statistics_count_every_row_by_result_and_origin(self):
        versions = self.versions(False)
        data = engine.national_tables(self.round, [v.pk for v in versions])
        national = {"result": Counter(), "origin": Counter()}
        by_unit = {}
        for version in versions:
            rows = version.content["tables"].get("PL01", {}).get("rows", [])
            counts = {c: Counter(r["values"][c] for r in rows if c in r["values"]) for c in national}
            by_unit[version.report.unit.key] = (len(rows), counts)
            for column in national:
                national[column].update(counts[column])
        self.assertEqual(data["tasks"]["national"]["by_result"], dict(national["result"]))
        self.assertEqual(data["tasks"]["national"]["by_origin"], dict(national["origin"]))
        self.assertEqual(data["tasks"]["national"]["rows"], sum(n for n, _ in by_unit.values()))
        for entry in data["tasks"]["by_unit"]:
            rows, counts = by_unit[entry["key"]]
            self.assertEqual(entry["rows"], rows)
            self.assertEqual(entry["by_result"], dict(counts["result"]))

    def test_resolution_175_tracker_names_every_unit_that_has_not_done_a_task(self):
        versions = self.versions(True)
        data = engine.national_tables(self.round, [v.pk for v in versions], provisional=True)
        layout = self.round.get_layout()
        table = layout.table_index["PL02"]
        expected_rows = [r.key for g in table.groups for r in g.rows if not r.heading]
        self.assertEqual([t["key"] for t in data["pl02"]], expected_rows)
        answers = defaultdict(list)
        for version in versions:
            for row in version.content["tables"].get("PL02", {}).get("rows", []):
                if "result" in row["values"]:
                    answers[row["key"]].append((version.report.unit.key, row["values"]))
        for task in data["pl02"]:
            found = answers.get(task["key"], [])
            self.assertEqual(task["answers"], len(found))
            self.assertEqual(task["by_result"], dict(sorted(Counter(v["result"] for _, v in found).items())))
            self.assertEqual(
                sorted(u["key"] for u in task["not_done"]),
                sorted(k for k, v in found if v["result"] != "done"),
            )
            if not task["common"]:
                lead = table.row_index[task["key"]].audience
                lead_keys = {t[5:] for t in lead if t.startswith("unit:")}
                answered = [(k, v) for k, v in found if k in lead_keys]
                if answered:
                    self.assertEqual(task["lead_answer"]["result"], answered[0][1]["result"])
                else:
                    self.assertIsNone(task["lead_answer"])

    def test_narrative_is_attributed_and_ordered_central_bodies_first(self):
        versions = self.versions(True)
        data = engine.national_tables(self.round, [v.pk for v in versions], provisional=True)
        layout = self.round.get_layout()
        outline = []

        def walk(sections):
            for section in sections:
                outline.append(section.key)
                walk(section.children)

        walk(layout.sections)
        self.assertEqual([s["key"] for s in data["narrative"]], outline)
        order = [u["key"] for u in data["units"]]
        kinds = [u["group"] for u in data["units"]]
        self.assertEqual(kinds, sorted(kinds, key=["ministries", "corporations", "provinces", "communes"].index))
        expected = Counter()
        for version in versions:
            for key, section in version.content["sections"].items():
                for field, text in section["fields"].items():
                    expected[(key, version.report.unit.key, field, text)] += 1
        got = Counter()
        for section in data["narrative"]:
            positions = [order.index(p["key"]) for p in section["paragraphs"]]
            self.assertEqual(positions, sorted(positions), section["key"])
            for p in section["paragraphs"]:
                got[(section["key"], p["key"], p["field"], p["text"])] += 1
        self.assertEqual(got, expected)

    def test_completeness_counts_every_assigned_report(self):
        data = engine.national_tables(self.round, [v.pk for v in self.versions(False)])
        self.assertEqual(data["completeness"]["assigned"], 7)
        self.assertEqual(data["completeness"]["included"], 4)
        self.assertEqual(data["completeness"]["by_status"]["returned"], 1)
        self.assertEqual(sorted(u["key"] for u in data["completeness"]["not_included"]), ["BYT", "P31", "P48"])

    def test_values_are_stored_with_each_version(self):
        version = Report.objects.get(pk=self.reports["BTP"].pk).current_version
        rows = VersionValue.objects.filter(version=version)
        pl03 = version.content["tables"]["PL03"]["rows"][0]
        stored = rows.get(part="PL03", row=pl03["key"], column="total")
        self.assertEqual(stored.number, pl03["values"]["total"])
        self.assertEqual(
            rows.filter(kind="s").count(), sum(len(s["fields"]) for s in version.content["sections"].values())
        )


class SnapshotTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        filler = make_user("filler")
        for report, seed in ((cls.report, 1), (cls.province_report, 2)):
            fill_completely(report, filler, seed=seed)
            do_submit_report(report, actor=filler)
        do_accept_report(cls.report, actor=cls.secretariat)

    def test_a_snapshot_keeps_its_versions_and_the_same_versions_give_the_same_hash(self):
        first = engine.compile_round(self.round, actor=self.secretariat)
        second = engine.compile_round(self.round, actor=self.secretariat)
        self.assertEqual((first.number, second.number), (1, 2))
        self.assertEqual(first.content_hash, second.content_hash)
        self.assertEqual(engine.canonical_json(first.data), engine.canonical_json(second.data))
        self.assertEqual(
            list(SnapshotVersion.objects.filter(snapshot=first).values_list("version_id", flat=True)),
            [Report.objects.get(pk=self.report.pk).current_version_id],
        )
        provisional = engine.compile_round(self.round, provisional=True, actor=self.secretariat)
        self.assertTrue(provisional.data["provisional"])
        self.assertNotEqual(provisional.content_hash, first.content_hash)
        self.assertEqual(SnapshotVersion.objects.filter(snapshot=provisional).count(), 2)
        from baocao06.audit.models import AuditEvent

        self.assertEqual(AuditEvent.objects.filter(action="round.compiled").count(), 3)

    def test_a_later_submission_does_not_change_an_earlier_snapshot(self):
        snapshot = engine.compile_round(self.round, provisional=True, actor=self.secretariat)
        before = engine.canonical_json(snapshot.data)
        do_return_report(self.province_report, actor=self.secretariat, message="Sửa")
        fill_completely(self.province_report, make_user("other"), seed=9)
        do_submit_report(self.province_report, actor=self.secretariat)
        snapshot.refresh_from_db()
        self.assertEqual(engine.canonical_json(snapshot.data), before)
        again = engine.national_tables(
            self.round,
            SnapshotVersion.objects.filter(snapshot=snapshot).values_list("version_id", flat=True),
            provisional=True,
        )
        self.assertEqual(engine.content_hash(again), snapshot.content_hash)
        self.assertNotEqual(engine.compile_round(self.round, provisional=True).content_hash, snapshot.content_hash)
        self.assertEqual(Snapshot.objects.filter(round=self.round).count(), 2)


def key_paths(value, prefix="") -> set[str]:
    """Every dict key path of a JSON value, list positions folded (`services[].rows[].values.total`)."""
    if isinstance(value, dict):
        paths = set()
        for key, item in value.items():
            # Keys that are data (unit keys, choice values, columns) are not part of the shape.
            name = "*" if prefix.endswith(("by_status", "by_result", "by_origin", "values", "causes", "cells")) else key
            paths |= {f"{prefix}.{name}"} | key_paths(item, f"{prefix}.{name}")
        return paths
    if isinstance(value, list):
        paths = set()
        for item in value:
            paths |= key_paths(item, f"{prefix}[]")
        return paths
    return set()
