"""core.statements reads and writes what the ORM would, on SQLite and on PostgreSQL."""

import datetime as dt

from django.db import connection, transaction
from django.db.models import signals
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from baocao06.accounts.models import Membership
from baocao06.api.models import ApiToken
from baocao06.audit.models import AuditEvent
from baocao06.catalogues.models import Task
from baocao06.core import statements
from baocao06.reports.models import Report, ReportPart
from baocao06.rounds.models import Round
from baocao06.test import BaseTestCase

WHEN = dt.datetime(2026, 6, 14, 8, 30, 15, 123456, tzinfo=dt.UTC)


class StatementTests(BaseTestCase):
    def setUp(self):
        self.part = ReportPart.objects.create(
            report=self.report, key="I.1", data={"fields": {"body": "Hà Nội — “ngoặc” \\ 'nháy'"}},
            revision=3, updated_at=WHEN, updated_by=self.reporter,
        )  # fmt: skip

    def test_get_reads_what_the_orm_reads(self):
        names = ("id", "report_id", "key", "data", "revision", "updated_at", "updated_by_id")
        ours = statements.get(ReportPart, names, report_id=self.report.pk, key="I.1")
        theirs = ReportPart.objects.only(*names).get(report=self.report, key="I.1")
        for name in names:
            self.assertEqual(getattr(ours, name), getattr(theirs, name), name)
        self.assertEqual(ours.updated_at, WHEN)
        self.assertIsNone(statements.get(ReportPart, names, report_id=self.report.pk, key="I.2"))

    def test_unread_columns_are_deferred_like_only(self):
        part = statements.get(ReportPart, ("id", "revision"), report_id=self.report.pk, key="I.1")
        self.assertEqual(part.get_deferred_fields(), {"report_id", "key", "data", "updated_at", "updated_by_id"})
        with self.assertNumQueries(1):
            self.assertEqual(part.data, self.part.data)  # loaded on use, as with .only()

    def test_related_rows_are_joined_as_select_related(self):
        report = statements.get(
            Report, ("id", "status", "round_id", "unit_id"),
            related={"round": ("id", "status", "baseline", "compile_settings"), "unit": ("id", "key")},
            id=self.report.pk,
        )  # fmt: skip
        stored = Round.objects.get(pk=self.round.pk)
        with self.assertNumQueries(0):
            self.assertEqual((report.round.pk, report.round.status), (self.round.pk, self.round.status))
            self.assertEqual(report.round.baseline, stored.baseline)
            self.assertEqual(report.round.compile_settings, stored.compile_settings)
            self.assertEqual(report.unit.key, "BTP")
        self.assertIn("layout", report.round.get_deferred_fields())

    def test_a_lock_locks_the_row_on_postgresql_and_nothing_on_sqlite(self):
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            statements.get(Report, ("id", "status"), lock=True, related={"round": ("status",)}, id=self.report.pk)
        sql = queries.captured_queries[-1]["sql"]
        if connection.vendor == "postgresql":
            self.assertTrue(sql.endswith('FOR UPDATE OF "reports_report"'), sql)
        else:
            self.assertNotIn("FOR UPDATE", sql)

    def test_values_converts_like_values_list(self):
        self.assertEqual(
            sorted(statements.values(Membership, ("unit_id", "role"), user_id=self.reporter.pk)),
            sorted(Membership.objects.filter(user=self.reporter).values_list("unit_id", "role")),
        )
        self.assertEqual(statements.values(AuditEvent, ("at",), id=-1), [])

    def test_update_writes_what_save_update_fields_writes(self):
        later = WHEN + dt.timedelta(hours=1)
        self.part.data, self.part.revision, self.part.updated_at = {"fields": {"body": "mới\x01"}}, 4, later
        self.assertEqual(statements.update(self.part, ("data", "revision", "updated_at")), 1)
        stored = ReportPart.objects.get(pk=self.part.pk)
        self.assertEqual((stored.data, stored.revision, stored.updated_at), (self.part.data, 4, later))
        self.assertEqual(stored.updated_by, self.reporter)  # untouched

    def test_insert_writes_every_column_and_sets_the_key(self):
        event = AuditEvent(
            at=WHEN, actor=self.reporter, actor_label="btp.cv", action="test.inserted", object_type="report",
            object_id=str(self.report.pk), unit=self.ministry, changes=[{"place": "a", "old": None, "new": 1.5}],
            data={"nested": {"list": [1, "hai"]}}, request_id="req-1",
        )  # fmt: skip
        statements.insert(event)
        self.assertIsNotNone(event.pk)
        self.assertFalse(event._state.adding)
        stored = AuditEvent.objects.get(pk=event.pk)
        for field in AuditEvent._meta.concrete_fields:
            self.assertEqual(getattr(stored, field.attname), getattr(event, field.attname), field.name)
        second = AuditEvent(action="test.inserted", object_type="x", object_id="1", at=timezone.now())
        statements.insert(second)
        self.assertGreater(second.pk, event.pk)

    def test_together_sends_the_writes_at_the_end_in_one_round_trip_on_postgresql(self):
        self.part.data, self.part.revision = {"fields": {"body": "một; hai %s ' \\ “"}}, 4
        self.report.status = "draft"
        event = AuditEvent(action="test.together", object_type="x", object_id="1", at=WHEN, data={"a": [1, "b"]})
        with transaction.atomic(), CaptureQueriesContext(connection) as queries, statements.together():
            self.assertIsNone(statements.update(self.part, ("data", "revision")))
            statements.update(self.report, ("status",))
            statements.insert(event)
            self.assertIsNone(event.pk)  # held until the block ends
            self.assertEqual(len(queries.captured_queries), 0)
        writes = [q for q in queries.captured_queries if q["sql"].startswith(("UPDATE", "INSERT"))]
        self.assertEqual(len(writes), 1 if connection.vendor == "postgresql" else 3)
        stored = ReportPart.objects.get(pk=self.part.pk)
        self.assertEqual((stored.data, stored.revision), (self.part.data, 4))
        self.assertEqual(Report.objects.get(pk=self.report.pk).status, "draft")
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).data, {"a": [1, "b"]})
        self.assertFalse(event._state.adding)

    def test_together_sends_nothing_when_its_block_raises(self):
        self.part.revision = 9
        with self.assertRaises(RuntimeError), transaction.atomic(), statements.together():
            statements.update(self.part, ("revision",))
            raise RuntimeError
        self.assertEqual(ReportPart.objects.get(pk=self.part.pk).revision, 3)
        self.part.revision = 10
        self.assertEqual(statements.update(self.part, ("revision",)), 1)  # nothing left held

    def test_only_plain_columns_are_accepted(self):
        with self.assertRaises(ValueError):
            statements.update(self.report, ("parts",))  # a reverse relation, not a column
        with self.assertRaises(ValueError):  # auto_now_add: save() would fill it in
            statements.insert(Membership(user=self.reporter, unit=self.province, role="reporter"))
        membership = Membership.objects.filter(user=self.reporter).first()
        read = statements.get(Membership, ("created_at",), id=membership.pk)
        self.assertEqual(read.created_at, membership.created_at)  # reading such a column is fine

    def test_no_model_written_or_read_this_way_has_signal_receivers(self):
        """The statements skip Model.save(), so its signals: a receiver added for one of these models
        would silently not run. This fails first."""
        for model in (Report, ReportPart, AuditEvent, Round, Membership, ApiToken, Task):
            for signal in (signals.pre_save, signals.post_save):
                self.assertFalse(signal.has_listeners(model), f"{signal} on {model.__name__}")
