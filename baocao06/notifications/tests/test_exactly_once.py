"""Reminders and e-mails with two workers at once and after a worker dies half-way.

These run on committed data (TransactionTestCase) with real threads, each with its own database
connection: on PostgreSQL the workers really race; on SQLite (a file, WAL, IMMEDIATE transactions)
they queue on the write lock, as two worker processes would.
"""

import datetime as dt
import threading
from collections import Counter
from unittest import mock

from django.core import mail
from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from baocao06.accounts.models import Membership, UnitRole
from baocao06.notifications import outbox
from baocao06.notifications.models import Notification, OutboxEmail, ReminderClaim
from baocao06.notifications.reminders import send_due_reminders
from baocao06.rounds.actions import do_assign_units
from baocao06.test import build_world, make_user
from baocao06.units.models import Unit

TZ = dt.timezone(dt.timedelta(hours=7))
DEADLINE = dt.datetime(2024, 6, 17, 23, 59, tzinfo=TZ)
MOMENTS = [dt.datetime(2024, 6, day, 9, 0, tzinfo=TZ) for day in (14, 16, 18)]  # offsets -3, -1, +1


def race(workers: int, work) -> list:
    """Run `work(index)` in `workers` threads released together; returns results or exceptions."""
    barrier = threading.Barrier(workers)
    results: list = [None] * workers

    def run(index):
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as exc:  # asserted on by the caller
            results[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


class ExactlyOnceTests(TransactionTestCase):
    def setUp(self):
        # The test settings run tasks immediately; here the workers below send the mail instead.
        patcher = mock.patch("baocao06.notifications.tasks.schedule_delivery")
        patcher.start()
        self.addCleanup(patcher.stop)
        build_world(self)
        self.round.deadline = DEADLINE
        self.round.save(update_fields=["deadline"])
        extra = list(Unit.objects.filter(kind="province").exclude(key__in=["P01", "P79"]).order_by("key")[:12])
        do_assign_units(self.round, extra, actor=self.secretariat)
        for unit in extra:
            reporter = make_user(f"{unit.key.lower()}.cv", unit=unit, role=UnitRole.REPORTER)
            reporter.email = f"{unit.key.lower()}@example.gov.vn"
            reporter.save(update_fields=["email"])
            make_user(f"{unit.key.lower()}.ld", unit=unit, role=UnitRole.APPROVER)
        for user in (self.reporter, self.province_reporter):
            user.email = f"{user.username}@example.gov.vn"
            user.save(update_fields=["email"])
        self.reports = list(self.round.reports.all())

    def assert_each_reminder_once(self, moments):
        claims = Counter(ReminderClaim.objects.values_list("report_id", "offset_days"))
        expected = {(r.pk, o) for r in self.reports for o in (-3, -1, 1)[: len(moments)]}
        self.assertEqual(set(claims), expected)
        self.assertEqual(max(claims.values()), 1)
        # Per person and report, one notification per reminder sent: nothing doubled.
        per_person = Counter(Notification.objects.values_list("user_id", "report_id", "title"))
        self.assertEqual(max(per_person.values()), 1)

    def test_two_workers_send_each_unit_each_offset_once(self):
        for moment in MOMENTS:
            results = race(2, lambda i, moment=moment: send_due_reminders(now=moment, worker=f"w{i}"))
            self.assertTrue(all(isinstance(r, int) for r in results), results)
            self.assertEqual(sum(results), len(self.reports))  # between them, every unit once
        self.assert_each_reminder_once(MOMENTS)
        # After the deadline: every reporter and approver of every unit (escalation).
        people = Membership.objects.filter(unit__reports__round=self.round).values("user").distinct().count()
        self.assertEqual(Notification.objects.filter(kind="overdue").count(), people)

    def test_a_worker_that_dies_mid_reminder_leaves_nothing_and_the_rerun_sends_it_once(self):
        from baocao06.notifications import reminders

        real_record = reminders.record
        calls = {"n": 0}

        def dies_on_the_fifth(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 5:
                raise SystemExit("worker killed")  # after the notifications were written
            return real_record(*args, **kwargs)

        with mock.patch.object(reminders, "record", side_effect=dies_on_the_fifth), self.assertRaises(SystemExit):
            send_due_reminders(now=MOMENTS[0], worker="dying")
        self.assertEqual(ReminderClaim.objects.count(), 4)
        reports_done = set(ReminderClaim.objects.values_list("report_id", flat=True))
        self.assertEqual(
            set(Notification.objects.values_list("report_id", flat=True)), reports_done
        )  # the fifth one's notifications rolled back with its claim
        self.assertEqual(send_due_reminders(now=MOMENTS[0], worker="restarted"), len(self.reports) - 4)
        self.assert_each_reminder_once(MOMENTS[:1])

    def test_two_mail_workers_send_each_message_once(self):
        send_due_reminders(now=MOMENTS[0])
        waiting = OutboxEmail.objects.count()
        self.assertEqual(waiting, 14)  # the 12 extra units' reporters and the two test reporters with addresses
        results = race(2, lambda i: outbox.deliver_outbox())
        self.assertEqual(sum(results), waiting, results)
        self.assertEqual(Counter(m.to[0] for m in mail.outbox).most_common(1)[0][1], 1)
        self.assertEqual(OutboxEmail.objects.filter(sent_at__isnull=True).count(), 0)

    def test_a_mail_worker_killed_after_sending_resends_only_the_message_in_flight(self):
        send_due_reminders(now=MOMENTS[0])
        real_mark = outbox.mark_sent
        sent = {"n": 0}

        def killed_on_the_third(message, token):
            sent["n"] += 1
            if sent["n"] == 3:
                raise SystemExit("worker killed")  # the mail server took it; the record was not written
            return real_mark(message, token)

        with mock.patch.object(outbox, "mark_sent", side_effect=killed_on_the_third), self.assertRaises(SystemExit):
            outbox.deliver_outbox()
        self.assertEqual(len(mail.outbox), 3)
        in_flight = mail.outbox[2].to[0]
        # Until its lease runs out, nobody touches the message in flight.
        outbox.deliver_outbox()
        self.assertEqual(Counter(m.to[0] for m in mail.outbox)[in_flight], 1)
        later = dt.datetime.now(dt.UTC) + outbox._lease() + dt.timedelta(seconds=1)
        outbox.deliver_outbox(now=later)
        counts = Counter(m.to[0] for m in mail.outbox)
        self.assertEqual(counts[in_flight], 2)
        self.assertEqual({to for to, n in counts.items() if n > 1}, {in_flight})
        self.assertEqual(len(counts), OutboxEmail.objects.count())
        self.assertFalse(OutboxEmail.objects.filter(sent_at__isnull=True).exists())
