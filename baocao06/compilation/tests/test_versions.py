"""Which versions a final and a provisional compilation take, report state by report state.

Each unit below is in one state of the review cycle; the expected versions are written out by hand
(not derived from a rule shared with the engine), and checked through `select_versions`, through a
stored snapshot and through the Secretariat's compile button.
"""

from __future__ import annotations

from django.urls import reverse

from baocao06.compilation import engine
from baocao06.compilation.actions import CompileRefused, do_compile
from baocao06.compilation.models import Snapshot, SnapshotVersion
from baocao06.reports.actions import do_submit_report
from baocao06.reports.models import Report, ReportStatus
from baocao06.review.actions import do_accept_report, do_reopen_report, do_return_report
from baocao06.test import BaseTestCase, fill_completely, make_user, open_test_round
from baocao06.units.models import Unit

STATES = {
    "BTP": "accepted",
    "BCA": "submitted",
    "BYT": "returned",
    "P01": "reopened",
    "P79": "resubmitted",
    "P48": "resubmitted_then_accepted",
    "P31": "reopened_then_resubmitted",
    "P92": "draft",
    "P46": "not_started",
}


class CompiledVersionsTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        units = list(Unit.objects.filter(key__in=STATES))
        cls.round = open_test_round(cls.definition, units, actor=cls.secretariat, title="Kỳ chọn phiên bản")
        cls.reports = {r.unit.key: r for r in Report.objects.filter(round=cls.round).select_related("unit")}
        filler = make_user("filler")
        cls.sent: dict[str, list[int]] = {key: [] for key in STATES}  # version ids, in the order sent

        def send(key, seed):
            fill_completely(cls.reports[key], filler, seed=seed)
            cls.sent[key].append(do_submit_report(cls.reports[key], actor=filler).pk)

        for seed, (key, state) in enumerate(STATES.items(), start=2):
            report = cls.reports[key]
            if state == "not_started":
                continue
            if state == "draft":
                fill_completely(report, filler, seed=seed)
                continue
            send(key, seed)
            if state == "submitted":
                continue
            if state == "accepted":
                do_accept_report(report, actor=cls.secretariat)
            elif state.startswith("reopened"):
                do_accept_report(report, actor=cls.secretariat)
                do_reopen_report(report, actor=cls.secretariat, reason="Cần sửa số liệu PL03")
            else:
                do_return_report(report, actor=cls.secretariat, message="Bổ sung số liệu")
            if state in ("resubmitted", "resubmitted_then_accepted", "reopened_then_resubmitted"):
                send(key, seed + 100)
            if state == "resubmitted_then_accepted":
                do_accept_report(report, actor=cls.secretariat)

    def expected(self, provisional: bool) -> set[int]:
        s = self.sent
        final = {s["BTP"][0], s["P48"][1]}
        if not provisional:
            return final
        return final | {s["BCA"][0], s["P79"][1], s["P31"][1]}

    def test_the_fixture_puts_each_report_in_the_state_it_names(self):
        statuses = dict(Report.objects.filter(round=self.round).values_list("unit__key", "status"))
        self.assertEqual(
            statuses,
            {
                "BTP": ReportStatus.ACCEPTED,
                "BCA": ReportStatus.SUBMITTED,
                "BYT": ReportStatus.RETURNED,
                "P01": ReportStatus.RETURNED,
                "P79": ReportStatus.SUBMITTED,
                "P48": ReportStatus.ACCEPTED,
                "P31": ReportStatus.SUBMITTED,
                "P92": ReportStatus.DRAFT,
                "P46": ReportStatus.NOT_STARTED,
            },
        )
        self.assertEqual({k: len(v) for k, v in self.sent.items() if v}, {
            "BTP": 1, "BCA": 1, "BYT": 1, "P01": 1, "P79": 2, "P48": 2, "P31": 2,
        })  # fmt: skip

    def test_a_final_compilation_takes_the_current_version_of_accepted_reports_only(self):
        self.assertEqual(set(engine.select_versions(self.round)), self.expected(provisional=False))

    def test_a_provisional_compilation_adds_the_latest_version_of_reports_waiting_for_review(self):
        # Returned (BYT) and reopened (P01) reports are left out: their version was sent back. A report
        # sent again after a return or a reopening counts with its new version, never the one sent back.
        self.assertEqual(set(engine.select_versions(self.round, provisional=True)), self.expected(provisional=True))

    def test_each_snapshot_records_exactly_the_versions_it_compiled(self):
        for provisional in (False, True):
            with self.subTest(provisional=provisional):
                snapshot = do_compile(self.round, actor=self.secretariat, provisional=provisional)
                stored = dict(SnapshotVersion.objects.filter(snapshot=snapshot).values_list("version_id", "unit__key"))
                self.assertEqual(set(stored), self.expected(provisional))
                self.assertEqual(
                    {u["key"]: u["version"] for u in snapshot.data["units"]},
                    {key: len(self.sent[key]) for key in stored.values()},
                )
                self.assertEqual(snapshot.data["completeness"]["included"], len(self.expected(provisional)))
                not_included = {u["key"] for u in snapshot.data["completeness"]["not_included"]}
                self.assertEqual(not_included, set(STATES) - set(stored.values()))

    def test_the_compile_button_compiles_the_same_versions(self):
        self.login(self.secretariat)
        for provisional in ("0", "1"):
            with self.subTest(provisional=provisional):
                with self.captureOnCommitCallbacks(execute=True):  # the queued compilation runs (test backend)
                    response = self.client.post(
                        reverse("compilation:compile", args=[self.round.pk]), {"provisional": provisional}
                    )
                self.assertEqual(response.status_code, 302)
                snapshot = Snapshot.objects.filter(round=self.round).order_by("-number").first()
                self.assertEqual(snapshot.provisional, provisional == "1")
                self.assertEqual(
                    set(SnapshotVersion.objects.filter(snapshot=snapshot).values_list("version_id", flat=True)),
                    self.expected(provisional == "1"),
                )


class NothingToCompileTest(BaseTestCase):
    def test_a_round_with_only_returned_and_unsent_reports_has_nothing_to_compile(self):
        filler = make_user("filler")
        fill_completely(self.report, filler)
        do_submit_report(self.report, actor=filler)
        do_return_report(self.report, actor=self.secretariat, message="Sửa")
        fill_completely(self.province_report, filler, seed=2)
        for provisional in (False, True):
            with self.subTest(provisional=provisional):
                self.assertEqual(engine.select_versions(self.round, provisional=provisional), [])
                with self.assertRaises(CompileRefused):
                    do_compile(self.round, actor=self.secretariat, provisional=provisional)
        self.assertFalse(Snapshot.objects.filter(round=self.round).exists())
