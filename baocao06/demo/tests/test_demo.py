"""The demo tells the story the README promises: two rounds, reviews, reminders, carried-over tasks."""

import datetime as dt
import io

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from baocao06.accounts.models import User
from baocao06.catalogues.models import TaskRow
from baocao06.demo.loading import build_demo
from baocao06.notifications.models import Notification, ReminderClaim
from baocao06.reports.models import Report, ReportStatus
from baocao06.rounds.models import PeriodKind
from baocao06.test import login_client

UNITS = ["BTP", "P01", "BCA", "BTC", "BYT", "BXD", "P79", "P22", "P31", "P48", "P92", "EVN"]


class DemoTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.first = build_demo(out=lambda *a: None, unit_keys=UNITS)
        cls.second = cls.first.next_rounds.get()

    def report(self, round_, key):
        return Report.objects.get(round=round_, unit__key=key)

    def test_a_year_end_round_follows_the_4709_round(self):
        second = self.second
        self.assertEqual((second.previous, second.definition), (self.first, self.first.definition))
        self.assertEqual(second.period_kind, PeriodKind.YEAR)
        self.assertEqual((second.data_from, second.data_to), (dt.date(2023, 12, 15), dt.date(2024, 12, 14)))
        self.assertEqual(timezone.localtime(second.deadline).date(), dt.date(2024, 12, 18))

    def test_the_demo_logins_reports_are_ready_to_work_on(self):
        btp, hanoi = self.report(self.first, "BTP"), self.report(self.first, "P01")
        self.assertEqual(btp.status, ReportStatus.RETURNED)
        self.assertTrue(btp.is_editable)
        self.assertGreaterEqual(btp.comments.filter(published_at__isnull=False).count(), 2)
        self.assertTrue(btp.comments.filter(place__startswith="PL03 › dòng").exists())  # a cell remark
        self.assertEqual((hanoi.status, hanoi.current_version.number), (ReportStatus.SUBMITTED, 2))
        for key in ("BTP", "P01"):
            self.assertEqual(self.report(self.second, key).status, ReportStatus.DRAFT)

    def test_the_first_round_has_accepted_and_returned_reports_with_2024_timestamps(self):
        statuses = set(self.first.reports.values_list("status", flat=True))
        self.assertTrue({ReportStatus.ACCEPTED, ReportStatus.RETURNED, ReportStatus.SUBMITTED} <= statuses)
        for version in self.report(self.first, "P01").versions.all():
            self.assertEqual(timezone.localtime(version.submitted_at).date().month, 6)
        moments = set(ReminderClaim.objects.filter(report__round=self.first).values_list("sent_at", flat=True))
        self.assertEqual(
            {timezone.localtime(m).strftime("%d/%m %H:%M") for m in moments},
            {"14/06 08:00", "16/06 08:00", "18/06 08:00"},
        )

    def test_carried_over_tasks_keep_their_identity_in_the_second_round(self):
        before = self.report(self.first, "BTP")
        after = self.report(self.second, "BTP")
        keys = [r["key"] for r in after.parts.get(key="PL01").data["rows"]]
        carried = [k for k in keys if k.startswith("nNV-BTP-")]
        self.assertTrue(carried)
        codes = set(TaskRow.objects.filter(report=before).values_list("task__code", flat=True))
        self.assertTrue({k[1:] for k in carried} <= codes)

    def test_the_secretariat_sees_what_hanoi_changed_and_the_people_were_notified(self):
        client = self.client
        login_client(client, User.objects.get(username="thuky"))
        body = client.get(reverse("review:review", args=[self.report(self.first, "P01").pk])).content.decode()
        self.assertIn("Thay đổi so với lần gửi 1", body)
        self.assertTrue(Notification.objects.filter(user__username="btp.chuyenvien", kind="returned").exists())
        self.assertTrue(Notification.objects.filter(user__username="btp.chuyenvien", kind="deadline_near").exists())

    @override_settings(DEBUG=True)  # load_demo refuses to run anywhere else
    def test_loading_again_changes_nothing(self):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        self.assertIn("Tổng kết năm 2024", out.getvalue())
        self.assertEqual(Report.objects.filter(round__in=[self.first, self.second]).count(), 2 * len(UNITS))

    def test_both_rounds_are_compiled_and_the_second_compares_with_the_first(self):
        first = self.first.snapshots.get()
        second = self.second.snapshots.get()
        self.assertEqual((first.provisional, second.provisional), (False, True))
        self.assertEqual(timezone.localtime(first.created_at).date(), dt.date(2024, 7, 5))
        accepted = self.first.reports.filter(status=ReportStatus.ACCEPTED).count()
        self.assertEqual(first.data["completeness"]["included"], accepted)
        compared = [
            row for table in second.data["services"] for row in table["rows"] if row["baseline_rate"] is not None
        ]
        self.assertTrue(compared, "the year-end round compares online rates with the 4709 round")
        for row in compared:
            self.assertAlmostEqual(row["change"], row["values"]["rate"] - row["baseline_rate"], places=2)
