"""Deadline reminders: the right people at the right time, in the app and by e-mail, once."""

import datetime as dt
import io

from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from baocao06.audit.models import AuditEvent
from baocao06.core import clock
from baocao06.notifications.models import Notification, OutboxEmail, ReminderClaim
from baocao06.notifications.outbox import deliver_outbox
from baocao06.notifications.reminders import current_offset, due_at, send_due_reminders
from baocao06.notifications.tasks import deliver_outbox_task, reminder_tick
from baocao06.reports.actions import do_submit_report
from baocao06.rounds.actions import do_close_round
from baocao06.test import BaseTestCase

TZ = dt.timezone(dt.timedelta(hours=7))


def at(day: int, hour: int, month: int = 6) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, 0, tzinfo=TZ)


DEADLINE = at(17, 23).replace(minute=59)


class TimingTests(BaseTestCase):
    def test_each_offset_is_due_at_eight_on_its_day_and_only_the_latest_one_counts(self):
        offsets = [-3, -1, 1]
        self.assertEqual(due_at(DEADLINE, -3), at(14, 8))
        self.assertIsNone(current_offset(DEADLINE, offsets, at(14, 7)))
        self.assertEqual(current_offset(DEADLINE, offsets, at(14, 8)), -3)
        self.assertEqual(current_offset(DEADLINE, offsets, at(15, 20)), -3)
        self.assertEqual(current_offset(DEADLINE, offsets, at(16, 8)), -1)
        self.assertEqual(current_offset(DEADLINE, offsets, at(18, 9)), 1)
        self.assertEqual(current_offset(DEADLINE, offsets, at(19, 23)), 1)
        self.assertIsNone(current_offset(DEADLINE, offsets, at(20, 8)))  # the last one expires after two days


class ReminderTests(BaseTestCase):
    def setUp(self):
        self.round.deadline = DEADLINE
        self.round.save(update_fields=["deadline"])
        for user in (self.reporter, self.approver, self.province_reporter):
            user.email = f"{user.username}@example.gov.vn"
            user.save(update_fields=["email"])

    def notes(self, user, kind=None):
        qs = Notification.objects.filter(user=user)
        return list(qs.filter(kind=kind) if kind else qs)

    def test_three_days_before_the_reporters_get_a_notification_and_an_email(self):
        sent = send_due_reminders(now=at(14, 9))
        self.assertEqual(sent, 3)  # the three assigned units, none has submitted
        [note] = self.notes(self.reporter)
        self.assertEqual(note.kind, "deadline_near")
        self.assertEqual(note.title, "Còn 3 ngày đến hạn gửi báo cáo “Kỳ thử nghiệm 6 tháng đầu năm 2024”")
        self.assertIn("23:59 17/06/2024", note.body)
        self.assertEqual(note.url, reverse("reports:detail", args=[self.report.pk]))
        self.assertEqual(self.notes(self.approver), [])  # before the deadline, reporters only
        self.assertEqual(
            sorted(OutboxEmail.objects.values_list("to", flat=True)),
            ["btp.cv@example.gov.vn", "hn.cv@example.gov.vn"],
        )
        self.assertEqual(deliver_outbox(), 2)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), ["btp.cv@example.gov.vn", "hn.cv@example.gov.vn"])
        self.assertIn("Xem chi tiết: http://127.0.0.1:8000/bao-cao/", mail.outbox[0].body)
        self.assertEqual(deliver_outbox(), 0)

    def test_a_second_pass_sends_nothing_again(self):
        send_due_reminders(now=at(14, 9))
        self.assertEqual(send_due_reminders(now=at(14, 10)), 0)
        self.assertEqual(len(self.notes(self.reporter)), 1)
        self.assertEqual(ReminderClaim.objects.count(), 3)

    def test_after_the_deadline_the_approver_is_told_too(self):
        send_due_reminders(now=at(18, 8))
        [to_reporter] = self.notes(self.reporter, "overdue")
        [to_approver] = self.notes(self.approver, "overdue")
        self.assertTrue(to_reporter.title.startswith("Quá hạn 1 ngày"))
        self.assertIn("Đề nghị lãnh đạo đơn vị chỉ đạo", to_approver.body)
        self.assertNotIn("Đề nghị lãnh đạo", to_reporter.body)
        event = AuditEvent.objects.get(action="report.reminder_sent", object_id=str(self.report.pk))
        self.assertEqual(event.data["offset_days"], 1)
        self.assertEqual(event.actor_label, "hệ thống")

    def test_a_submitted_report_is_not_reminded(self):
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        send_due_reminders(now=at(16, 8))
        self.assertEqual(self.notes(self.reporter), [])
        self.assertFalse(ReminderClaim.objects.filter(report=self.report).exists())
        self.assertTrue(ReminderClaim.objects.filter(report=self.province_report, offset_days=-1).exists())

    def test_a_late_start_sends_only_the_latest_reminder(self):
        send_due_reminders(now=at(18, 10))
        self.assertEqual([n.kind for n in self.notes(self.reporter)], ["overdue"])
        self.assertEqual(list(ReminderClaim.objects.values_list("offset_days", flat=True).distinct()), [1])

    def test_an_extension_moves_the_unit_s_reminders(self):
        self.report.deadline_extended_to = DEADLINE + dt.timedelta(days=7)
        self.report.save(update_fields=["deadline_extended_to"])
        send_due_reminders(now=at(18, 8))
        self.assertEqual(self.notes(self.reporter), [])  # its deadline is the 24th
        send_due_reminders(now=at(21, 8))
        [note] = self.notes(self.reporter)
        self.assertIn("Còn 3 ngày", note.title)

    def test_a_closed_round_sends_nothing(self):
        do_close_round(self.round, actor=self.secretariat)
        self.assertEqual(send_due_reminders(now=at(14, 9)), 0)

    def test_offsets_are_set_per_round(self):
        self.round.reminder_offsets = [-7]
        self.round.save(update_fields=["reminder_offsets"])
        self.assertEqual(send_due_reminders(now=at(14, 9)), 0)
        self.assertEqual(send_due_reminders(now=at(10, 9)), 3)

    def test_the_command_sends_due_reminders_and_the_mail(self):
        out = io.StringIO()
        with clock.frozen_at(at(16, 9)):
            call_command("send_reminders", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Đã gửi 3 lần nhắc hạn, 2 thư.")
        self.assertEqual(len(self.notes(self.reporter, "deadline_near")), 1)
        self.assertEqual(len(mail.outbox), 2)


class NotificationPageTests(BaseTestCase):
    def test_the_header_counts_unread_and_opening_one_marks_it_read(self):
        Notification.objects.create(user=self.reporter, kind="deadline_near", title="Còn 3 ngày đến hạn")
        url = reverse("reports:detail", args=[self.report.pk])
        note = Notification.objects.create(
            user=self.reporter, kind="accepted", title="Báo cáo đã được tiếp nhận", url=url
        )
        Notification.objects.create(user=self.approver, kind="accepted", title="Không phải của chuyên viên")
        self.login(self.reporter)
        page = self.client.get(reverse("notifications:list")).content.decode()
        self.assertIn("Báo cáo đã được tiếp nhận", page)
        self.assertNotIn("Không phải của chuyên viên", page)
        self.assertIn('<span class="count" aria-label="chưa đọc">2</span>', page)
        response = self.client.get(reverse("notifications:open", args=[note.pk]))
        self.assertRedirects(response, note.url, fetch_redirect_response=False)
        note.refresh_from_db()
        self.assertIsNotNone(note.read_at)
        self.client.post(reverse("notifications:mark_all_read"))
        self.assertFalse(Notification.objects.filter(user=self.reporter, read_at__isnull=True).exists())

    def test_another_persons_notification_is_not_found(self):
        note = Notification.objects.create(user=self.reporter, kind="accepted", title="x")
        self.login(self.outsider)
        with self.assertLogs("baocao06.access", "WARNING"):
            self.assertEqual(self.client.get(reverse("notifications:open", args=[note.pk])).status_code, 404)
        note.refresh_from_db()
        self.assertIsNone(note.read_at)


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@override_settings(TASKS=DB_TASKS)
class ScheduleTests(BaseTestCase):
    def waiting_ticks(self):
        return DBTaskResult.objects.filter(task_path=reminder_tick.module_path, status="READY")

    def test_the_tick_is_scheduled_once_and_reschedules_itself(self):
        call_command("send_reminders", "--schedule", stdout=io.StringIO())
        call_command("send_reminders", "--schedule", stdout=io.StringIO())  # a second start changes nothing
        [waiting] = self.waiting_ticks()
        self.assertGreater(waiting.run_after, timezone.now() + dt.timedelta(seconds=800))
        waiting.delete()  # a worker took it
        result = reminder_tick.call()
        self.assertEqual(result, {"reminders": 0, "emails": 0})
        self.assertEqual(self.waiting_ticks().count(), 1)

    def test_events_that_write_mail_ask_a_worker_to_send_it_once(self):
        self.round.deadline = DEADLINE
        self.round.save(update_fields=["deadline"])
        self.reporter.email = "cv@example.gov.vn"
        self.reporter.save(update_fields=["email"])
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(send_due_reminders(now=at(14, 9)), 3)
            self.assertEqual(send_due_reminders(now=at(16, 9)), 3)
        self.assertEqual(OutboxEmail.objects.count(), 2)
        delivery = DBTaskResult.objects.filter(task_path=deliver_outbox_task.module_path, status="READY")
        self.assertEqual(delivery.count(), 1)
