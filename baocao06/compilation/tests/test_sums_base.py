"""A compile starts from the services' sums the round's last compile kept (`sums.round_sums`) and reads
only the versions that came or went since: the national tables must be exactly those of a compile that
sums everything, whatever the base and whatever changed."""

from __future__ import annotations

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from baocao06.compilation import sums
from baocao06.compilation.engine import content_hash, national_tables
from baocao06.compilation.models import SumsBase
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_return_report
from baocao06.test import BaseTestCase, build_world, fill_completely, submit_filled


def _versions(cls) -> None:
    """Four versions: the ministry's, both provinces', and the ministry's second (returned, resent)."""
    cls.ids = submit_filled(cls)
    do_return_report(cls.report, actor=cls.secretariat, message="Bổ sung số liệu.")
    fill_completely(cls.report, cls.approver, seed=9)
    cls.ids.append(do_submit_report(cls.report, actor=cls.approver).pk)


def _parts(round_) -> list[str]:
    return sums.services_parts(round_.get_layout().compilation)


def _full(round_, ids) -> dict:
    """The tables summed from every version, with no base to start from."""
    SumsBase.objects.filter(round=round_).delete()
    return national_tables(round_, ids)


class SumsBaseTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        _versions(cls)
        cls.first, cls.province_v, cls.other_v, cls.second = cls.ids

    def base(self) -> SumsBase | None:
        return SumsBase.objects.filter(round=self.round).first()

    def test_only_a_kept_compile_stores_a_base(self):
        national_tables(self.round, self.ids[:3])
        self.assertIsNone(self.base())
        national_tables(self.round, self.ids[:3], keep=True)
        self.assertEqual(self.base().version_ids, sorted(self.ids[:3]))
        self.assertEqual(self.base().key, sums.base_key(_parts(self.round)))

    def test_from_a_base_the_tables_are_those_summed_from_everything(self):
        cases = [
            ([self.first, self.province_v], [self.first, self.province_v, self.other_v]),  # one came
            ([self.first, self.province_v, self.other_v], [self.first, self.province_v]),  # one went
            ([self.first, self.province_v, self.other_v], [self.second, self.province_v, self.other_v]),  # replaced
        ]
        for based_on, chosen in cases:
            with self.subTest(based_on=based_on, chosen=chosen):
                expected = _full(self.round, chosen)
                national_tables(self.round, based_on, keep=True)
                read = sums.round_sums(self.round, chosen, _parts(self.round))
                self.assertTrue(read.reused)
                from_base = national_tables(self.round, chosen)
                self.assertEqual(from_base, expected)
                self.assertEqual(content_hash(from_base), content_hash(expected))
                self.assertTrue(any(t["rows"] for t in from_base["services"]))

    def test_the_compile_reads_the_base(self):
        national_tables(self.round, self.ids[:3], keep=True)
        before = national_tables(self.round, self.ids[:3])
        base = self.base()
        row = next(r for r in base.sums if r[3] == "total")
        row[4] = str(sums.Decimal(row[4]) + 1000)
        base.save(update_fields=["sums"])
        after = national_tables(self.round, self.ids[:3])
        self.assertNotEqual(after["services"], before["services"])

    def test_a_base_that_does_not_hold_what_it_claims_is_not_used(self):
        # The base says it summed the returned version, but its sums do not hold it: taking it away
        # would leave negative counts, so the compile sums everything instead.
        expected = _full(self.round, [self.province_v, self.other_v])
        national_tables(self.round, [self.province_v, self.other_v], keep=True)
        base = self.base()
        base.version_ids = sorted([self.first, self.province_v, self.other_v])
        base.save(update_fields=["version_ids"])
        read = sums.round_sums(self.round, [self.province_v, self.other_v], _parts(self.round))
        self.assertFalse(read.reused)
        self.assertEqual(national_tables(self.round, [self.province_v, self.other_v]), expected)

    def test_a_base_of_another_format_or_other_tables_is_not_used(self):
        national_tables(self.round, self.ids[:3], keep=True)
        SumsBase.objects.filter(round=self.round).update(key=sums.base_key(["another table"]))
        self.assertFalse(sums.round_sums(self.round, self.ids[:3], _parts(self.round)).reused)

    def test_too_much_changed_sums_everything(self):
        national_tables(self.round, [self.first], keep=True)
        read = sums.round_sums(self.round, [self.second, self.province_v, self.other_v], _parts(self.round))
        self.assertFalse(read.reused)

    def test_an_unchanged_compile_leaves_the_base_alone(self):
        national_tables(self.round, self.ids[:3], keep=True)
        made = self.base().made_at
        read = sums.round_sums(self.round, self.ids[:3], _parts(self.round))
        self.assertTrue(read.reused)
        self.assertFalse(read.changed)
        national_tables(self.round, self.ids[:3], keep=True)
        self.assertEqual(self.base().made_at, made)

    def test_a_compile_job_keeps_its_sums(self):
        from baocao06.compilation.actions import do_compile
        from baocao06.review.actions import do_accept_report

        for report in (self.report, self.province_report, self.other_report):
            do_accept_report(report, actor=self.secretariat)
        snapshot = do_compile(self.round, actor=self.secretariat)
        chosen = sorted(snapshot.versions.values_list("pk", flat=True))
        self.assertEqual(self.base().version_ids, chosen)


def _choices(ids) -> list[tuple[int, ...]]:
    """Every choice of versions a compile may make: one version or none per unit (the ministry's first
    or second), at least one in all."""
    first, province_v, other_v, second = ids
    out = []
    for ministry in (None, first, second):
        for province in (None, province_v):
            for other in (None, other_v):
                chosen = tuple(sorted(v for v in (ministry, province, other) if v is not None))
                if chosen:
                    out.append(chosen)
    return out


class SumsBaseSequenceTest(HypothesisTestCase):
    """Compiles of any sequence of choices of versions (units coming, going, their versions replaced),
    each kept as the next one's base, give the tables summed from everything."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        build_world(cls)
        _versions(cls)
        cls.choices = _choices(cls.ids)
        # Each choice summed from everything (no base is kept here).
        cls.expected = {chosen: national_tables(cls.round, list(chosen)) for chosen in cls.choices}

    @hsettings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.integers(min_value=0, max_value=10), min_size=2, max_size=6))
    def test_any_sequence_of_compiles(self, steps):
        SumsBase.objects.filter(round=self.round).delete()
        for step in steps:
            chosen = self.choices[step]
            self.assertEqual(national_tables(self.round, list(chosen), keep=True), self.expected[chosen])
