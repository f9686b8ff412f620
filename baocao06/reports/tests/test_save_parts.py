"""Several parts saved at once (an Excel import): all or nothing, one audit event, same rules as autosave."""

from baocao06.audit.models import AuditEvent
from baocao06.reports.actions import PartsConflict, StaleRevisions, do_save_part, do_save_parts, do_submit_report
from baocao06.reports.models import PartConflict, ReportStatus, ReportVersion
from baocao06.test import BaseTestCase

SERVICE = "DA06-07"


class SaveSeveralPartsTests(BaseTestCase):
    def test_parts_are_saved_together_with_one_audit_event(self):
        parts = {
            "I.1": {"fields": {"body": "Tình hình ổn định."}},
            "PL03": {"rows": [{"key": SERVICE, "values": {"total": "1.000", "online": "700"}}]},
        }
        results = do_save_parts(
            self.report, parts, {}, actor=self.reporter, source="excel", file="bao-cao.xlsx", sha256="ab" * 32
        )
        self.assertEqual(
            {k: (r.part.revision, r.changed) for k, r in results.items()}, {"I.1": (1, True), "PL03": (1, True)}
        )
        self.assertEqual(self.report.parts.get(key="PL03").data["rows"][0]["values"]["total"], "1.000")
        [event] = AuditEvent.objects.filter(action="report.parts_saved")
        self.assertEqual(event.data["source"], "excel")
        self.assertEqual(event.data["file"], "bao-cao.xlsx")
        self.assertEqual(event.data["parts"], {"I.1": 1, "PL03": 1})
        self.assertIn({"place": "status", "old": "not_started", "new": "draft"}, event.changes)
        self.assertIn({"place": f"PL03/{SERVICE}/total", "old": None, "new": "1.000"}, event.changes)
        self.report.refresh_from_db()
        self.assertEqual(self.report.status, ReportStatus.DRAFT)

    def test_one_stale_part_saves_nothing_and_keeps_what_was_sent(self):
        do_save_part(
            self.report, "I.1", {"fields": {"body": "bản trên trình duyệt"}}, base_revision=0, actor=self.reporter
        )
        parts = {"I.1": {"fields": {"body": "bản trong tệp"}}, "I.2": {"fields": {"analysis": "phân tích"}}}
        with self.assertRaises(PartsConflict) as caught:
            do_save_parts(self.report, parts, {"I.1": 0, "I.2": 0}, actor=self.reporter, source="excel")
        self.assertEqual(caught.exception.stale, {"I.1": (0, 1)})
        self.assertFalse(self.report.parts.filter(key="I.2").exists())
        self.assertEqual(self.report.parts.get(key="I.1").data["fields"]["body"], "bản trên trình duyệt")
        self.assertEqual(PartConflict.objects.get(report=self.report).data["fields"]["body"], "bản trong tệp")
        self.assertFalse(AuditEvent.objects.filter(action="report.parts_saved").exists())

    def test_saving_the_same_parts_again_writes_nothing(self):
        parts = {"I.1": {"fields": {"body": "Nội dung"}}}
        do_save_parts(self.report, parts, {}, actor=self.reporter, source="excel")
        [again] = do_save_parts(self.report, parts, {"I.1": 1}, actor=self.reporter, source="excel").values()
        self.assertEqual((again.part.revision, again.changed), (1, False))
        self.assertEqual(AuditEvent.objects.filter(action="report.parts_saved").count(), 1)

    def test_a_file_imported_again_on_the_revisions_it_was_read_with_is_not_a_conflict(self):
        parts = {"I.1": {"fields": {"body": "Nội dung"}}, "I.2": {"fields": {"analysis": "phân tích"}}}
        do_save_parts(self.report, parts, {"I.1": 0, "I.2": 0}, actor=self.reporter, source="excel")
        again = do_save_parts(self.report, parts, {"I.1": 0, "I.2": 0}, actor=self.reporter, source="excel")
        self.assertEqual(
            {k: (r.part.revision, r.changed) for k, r in again.items()}, {"I.1": (1, False), "I.2": (1, False)}
        )
        self.assertFalse(PartConflict.objects.exists())
        self.assertEqual(AuditEvent.objects.filter(action="report.parts_saved").count(), 1)
        changed = {"I.1": {"fields": {"body": "Nội dung"}}, "I.2": {"fields": {"analysis": "khác"}}}
        with self.assertRaises(PartsConflict) as caught:
            do_save_parts(self.report, changed, {"I.1": 0, "I.2": 0}, actor=self.reporter, source="excel")
        self.assertEqual(caught.exception.stale, {"I.2": (0, 1)})

    def test_a_part_that_does_not_address_the_unit_is_refused_before_anything_is_written(self):
        with self.assertRaises(KeyError):
            do_save_parts(
                self.report,
                {"I.1": {"fields": {"body": "x"}}, "II.1.4": {"fields": {"body": "y"}}},
                {},
                actor=self.reporter,
                source="excel",
            )
        self.assertFalse(self.report.parts.exists())


class NormalisingTests(BaseTestCase):
    def test_nul_characters_and_non_finite_numbers_are_not_stored_as_such(self):
        data = {"rows": [{"key": SERVICE, "values": {"total": float("nan"), "solution": "a\x00b"}}]}
        result = do_save_part(self.report, "PL03", data, base_revision=0, actor=self.reporter, source="api")
        values = self.report.parts.get(key="PL03").data["rows"][0]["values"]
        self.assertEqual((values["total"], values["solution"]), ("nan", "ab"))
        self.assertEqual([p.code for p in result.problems if p.column == "total"], ["invalid"])
        self.assertEqual(AuditEvent.objects.get(action="report.part_saved").data["source"], "api")


class ExpectedRevisionsTests(BaseTestCase):
    def test_a_submission_naming_old_revisions_is_refused(self):
        self.fill_completely(self.report, self.reporter)
        revisions = dict(self.report.parts.values_list("key", "revision"))
        stale = {**revisions, "I.1": revisions["I.1"] - 1}
        with self.assertRaises(StaleRevisions) as caught:
            do_submit_report(self.report, actor=self.approver, expected_revisions=stale)
        self.assertEqual(caught.exception.stale, {"I.1": (revisions["I.1"] - 1, revisions["I.1"])})
        version = do_submit_report(self.report, actor=self.approver, expected_revisions=revisions, source="api")
        self.assertEqual(version.number, 1)
        self.assertEqual(ReportVersion.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.get(action="report.submitted").data["source"], "api")


class SaveEachAuditedTests(BaseTestCase):
    """Several autosaves replayed at once (the demo) leave the trail of saving them one by one."""

    def test_each_changed_part_gets_the_event_a_single_save_writes(self):
        do_save_part(self.report, "I.1", {"fields": {"body": "Cũ"}}, base_revision=0, actor=self.reporter)
        alone = AuditEvent.objects.get(action="report.part_saved")
        parts = {
            "I.1": {"fields": {"body": "Cũ"}},  # unchanged: no event
            "I.2": {"fields": {"analysis": "Phân tích"}},
            "PL03": {"rows": [{"key": SERVICE, "values": {"total": "1.000", "online": "700"}}]},
        }
        results = do_save_parts(
            self.report, parts, {"I.1": 1}, actor=self.reporter, source="browser", each_audited=True
        )
        self.assertEqual({k: (r.part.revision, r.changed) for k, r in results.items()},
                         {"I.1": (1, False), "I.2": (1, True), "PL03": (1, True)})  # fmt: skip
        self.assertEqual(self.report.parts.get(key="PL03").data, parts["PL03"])
        events = list(AuditEvent.objects.filter(action="report.part_saved").exclude(pk=alone.pk).order_by("id"))
        self.assertEqual([e.data for e in events], [
            {"part": "I.2", "revision": 1, "source": "browser"},
            {"part": "PL03", "revision": 1, "source": "browser"},
        ])  # fmt: skip
        self.assertEqual(events[0].changes, [{"place": "I.2/analysis", "old": "", "new": "Phân tích"}])
        self.assertIn({"place": f"PL03/{SERVICE}/total", "old": None, "new": "1.000"}, events[1].changes)
        self.assertEqual(set(alone.data), set(events[0].data))  # the same shape as a single save's
        self.assertEqual((events[0].actor, events[0].unit, events[0].object_id), (self.reporter, self.ministry,
                         str(self.report.pk)))  # fmt: skip
        self.assertFalse(AuditEvent.objects.filter(action="report.parts_saved").exists())

    def test_the_status_change_goes_with_the_first_part(self):
        parts = {"I.1": {"fields": {"body": "Một"}}, "I.2": {"fields": {"analysis": "Hai"}}}
        do_save_parts(self.report, parts, {}, actor=self.reporter, source="browser", each_audited=True)
        first, second = AuditEvent.objects.filter(action="report.part_saved").order_by("id")
        self.assertEqual(first.changes[0], {"place": "status", "old": "not_started", "new": "draft"})
        self.assertNotIn("status", [c["place"] for c in second.changes])
        self.assertEqual(self.report.parts.count(), 2)
