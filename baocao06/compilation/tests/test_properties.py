"""Property tests of the national sums, rates and rankings (hypothesis, on the real database).

Each example stores random PL03 figures as accepted versions of seven units — zero totals, equal
rates and units without figures included — compiles them, and checks the national tables against
plain arithmetic on the same figures.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from baocao06.compilation import engine, values
from baocao06.reports.models import Report, ReportStatus, ReportVersion
from baocao06.test import build_world, open_test_round
from baocao06.units.models import Unit

UNITS = ["BTP", "BCA", "BYT", "P01", "P79", "P48", "P31"]
ROWS = ["DA06-01", "DA06-02", "DA06-03"]

figures = st.one_of(
    st.none(),  # the unit did not report this service
    st.tuples(st.integers(0, 10**9), st.integers(0, 100)).map(lambda t: (t[0], t[0] * t[1] // 100)),
    st.just((0, 0)),  # a zero total: no rate, not an error
    st.just((200, 100)),  # a common rate, so that ranks tie
)
per_unit = st.fixed_dictionaries({unit: st.lists(figures, min_size=len(ROWS), max_size=len(ROWS)) for unit in UNITS})


def expected_rate(online, total):
    if not total:
        return None
    return float((Decimal(online) / Decimal(total) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class NationalPropertiesTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_world(cls)
        cls.units = {u.key: u for u in Unit.objects.filter(key__in=UNITS)}
        cls.round = open_test_round(cls.definition, list(cls.units.values()), title="Kỳ thuộc tính")
        cls.layout = cls.round.get_layout()
        cls.reports = {r.unit.key: r for r in Report.objects.filter(round=cls.round).select_related("unit")}

    def store(self, data) -> list[int]:
        ids = []
        for key, rows in data.items():
            content_rows = [
                {"key": row, "group": "main", "values": {"total": f[0], "online": f[1]}}
                for row, f in zip(ROWS, rows, strict=True)
                if f is not None
            ]
            content = {"sections": {}, "tables": {"PL03": {"rows": content_rows, "totals": []}}}
            report = self.reports[key]
            version = ReportVersion.objects.create(
                report=report, number=report.versions.count() + 1, content=content, content_hash=key
            )
            Report.objects.filter(pk=report.pk).update(status=ReportStatus.ACCEPTED, current_version=version)
            values.store(version, self.layout, report.unit_id, self.round.layout_hash)
            ids.append(version.pk)
        return ids

    @hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(per_unit)
    def test_sums_rates_and_rankings(self, data):
        ids = self.store(data)
        national = engine.national_tables(self.round, ids)
        pl03 = next(t for t in national["services"] if t["table"] == "PL03")
        rows = {r["key"]: r for r in pl03["rows"]}
        for index, row in enumerate(ROWS):
            reported = [rows_[index] for rows_ in data.values() if rows_[index] is not None]
            if not reported:
                self.assertNotIn(row, rows)
                continue
            total, online = sum(f[0] for f in reported), sum(f[1] for f in reported)
            self.assertEqual(rows[row]["values"]["total"], total)
            self.assertEqual(rows[row]["values"]["online"], online)
            self.assertEqual(rows[row]["values"]["rate"], expected_rate(online, total))
            self.assertEqual(rows[row]["units"], len(reported))
        every = [f for rows_ in data.values() for f in rows_ if f is not None]
        if every:
            self.assertEqual(pl03["total"]["values"]["total"], sum(f[0] for f in every))
            self.assertEqual(
                pl03["total"]["values"]["rate"], expected_rate(sum(f[1] for f in every), sum(f[0] for f in every))
            )
        for group, kinds in (("provinces", {"province"}), ("ministries", {"ministry"})):
            ranked = national["rankings"][group]
            self.assertEqual(
                sorted(e["key"] for e in ranked), sorted(k for k, u in self.units.items() if u.kind in kinds)
            )
            for entry in ranked:
                mine = [f for f in data[entry["key"]] if f is not None]
                rate = expected_rate(sum(f[1] for f in mine), sum(f[0] for f in mine))
                self.assertEqual(entry["rate"], rate)
                better = sum(
                    1 for other in ranked if other["rate"] is not None and (rate is None or other["rate"] > rate)
                )
                if rate is not None:
                    self.assertEqual(entry["rank"], 1 + better)
            rates = [e["rate"] for e in ranked]
            self.assertEqual(rates, sorted(rates, key=lambda r: (r is None, -(r or 0))))
            ranks = [e["rank"] for e in ranked]
            self.assertEqual(ranks, sorted(ranks))
