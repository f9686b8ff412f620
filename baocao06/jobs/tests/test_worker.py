"""Real worker processes (`manage.py db_worker`) killed with SIGKILL and cut off from their database.

Each test starts workers as child processes on the test database (committed data: TransactionTestCase)
with a lease of 2 seconds, kills or disconnects them at a known point, and checks what the next worker
does. Nothing is simulated inside the worker: the kill is a real SIGKILL, the disconnection a real
`pg_terminate_backend` of the worker's own connections (never a restart of the shared server).
"""

from __future__ import annotations

import datetime as dt
import socket
import tempfile
import threading
import time
import unittest

from django.db import connection, transaction
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from baocao06.compilation.actions import do_request_compile
from baocao06.compilation.engine import compile_round
from baocao06.compilation.models import CompileJob, Generation
from baocao06.jobs.leases import LEASE_EXPIRED
from baocao06.jobs.progress import enqueue
from baocao06.notifications.models import OutboxEmail
from baocao06.notifications.tasks import deliver_outbox_task, reminder_tick, schedule_reminder_tick
from baocao06.reports.actions import do_submit_report
from baocao06.test import build_world, fill_completely, login_client

from .slow_tasks import slow_generation
from .workers import APP_NAME, DB_TASKS, WorkerProcess, wait_for


class WorkerTestCase(TransactionTestCase):
    def setUp(self):
        build_world(self)
        fill_completely(self.report, self.approver, seed=3)
        do_submit_report(self.report, actor=self.approver)
        self.media = tempfile.TemporaryDirectory()
        self.addCleanup(self.media.cleanup)
        override = override_settings(TASKS=DB_TASKS, MEDIA_ROOT=self.media.name)
        override.enable()
        self.addCleanup(override.disable)

    def worker(self, **env) -> WorkerProcess:
        process = WorkerProcess(MEDIA_ROOT=self.media.name, **env)
        self.addCleanup(process.close)
        return process

    def slow_generation(self) -> Generation:
        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        generation = Generation.objects.create(snapshot=snapshot, requested_by=self.secretariat)
        with transaction.atomic():
            enqueue(generation, slow_generation, generation.pk)
        return generation

    def refreshed(self, obj):
        obj.refresh_from_db()
        return obj


class KilledWorkerTests(WorkerTestCase):
    def kill_at_42_percent(self, generation: Generation) -> DBTaskResult:
        first = self.worker()
        wait_for(lambda: self.refreshed(generation).progress == 42, what="the job at 42 %", worker=first)
        first.kill()
        task = DBTaskResult.objects.get(pk=generation.task_id)
        # What the operator saw: the job RUNNING at 42 % under a worker that no longer exists.
        self.assertEqual((task.status, generation.status), ("RUNNING", "running"))
        return task

    def test_a_job_whose_worker_was_killed_is_run_again_by_another_worker(self):
        generation = self.slow_generation()
        self.kill_at_42_percent(generation)
        second = self.worker()
        wait_for(lambda: self.refreshed(generation).status == "done", what="the job done", worker=second)
        task = DBTaskResult.objects.get(pk=generation.task_id)
        self.assertEqual((task.status, len(task.worker_ids), generation.attempts), ("SUCCESSFUL", 2, 2))
        self.assertEqual(task.return_value, {"generation": generation.pk, "attempts": 2})
        self.assertTrue(second.alive)

    def test_after_its_last_attempt_the_job_fails_and_the_person_starts_it_again_from_the_page(self):
        generation = self.slow_generation()
        self.kill_at_42_percent(generation)
        second = self.worker(BAOCAO06_JOB_MAX_ATTEMPTS="1")
        wait_for(lambda: self.refreshed(generation).status == "failed", what="the job failed", worker=second)
        task = DBTaskResult.objects.get(pk=generation.task_id)
        self.assertEqual((task.status, task.exception_class_path), ("FAILED", LEASE_EXPIRED))
        self.assertIn("Máy chủ nền dừng đột ngột", generation.step)

        login_client(self.client, self.secretariat)
        page = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        self.assertContains(page, "Không tạo được tệp")
        self.assertContains(page, "Tạo lại tệp báo cáo")
        response = self.client.post(reverse("compilation:request_outputs", args=[generation.snapshot_id]))
        self.assertEqual(response.status_code, 302)
        again = Generation.objects.exclude(pk=generation.pk).get(snapshot=generation.snapshot)
        wait_for(lambda: self.refreshed(again).status == "done", what="the files made again", worker=second)
        self.assertEqual(sorted(again.files.values_list("kind", flat=True)), ["csv", "docx", "json", "pdf", "xlsx"])

    def test_the_reminder_chain_goes_on_after_its_worker_dies_mid_tick(self):
        server = HangingMailServer()
        self.addCleanup(server.close)
        OutboxEmail.objects.create(to="cv@example.gov.vn", subject="Nhắc hạn", body="Còn 1 ngày.")
        self.assertTrue(schedule_reminder_tick(delay=dt.timedelta(0)))
        [tick] = DBTaskResult.objects.filter(task_path=reminder_tick.module_path)
        first = self.worker(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(server.port),
            EMAIL_TIMEOUT="600",
        )
        # The tick has sent the reminders due and is delivering the outbox: the mail server never answers.
        wait_for(server.connected.is_set, what="the tick talking to the mail server", worker=first)
        first.kill()
        self.assertEqual(self.refreshed(tick).status, "RUNNING")
        self.assertFalse(DBTaskResult.objects.filter(task_path=reminder_tick.module_path, status="READY").exists())

        second = self.worker()
        wait_for(lambda: self.refreshed(tick).status == "SUCCESSFUL", what="the tick run again", worker=second)
        self.assertEqual(len(tick.worker_ids), 2)
        [following] = DBTaskResult.objects.filter(task_path=reminder_tick.module_path, status="READY")
        self.assertGreater(following.run_after, timezone.now() + dt.timedelta(seconds=600))  # the chain goes on


class HangingMailServer:
    """A TCP server that accepts a connection and never says a word (an SMTP server hanging)."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.connected = threading.Event()
        self.clients: list[socket.socket] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            while True:
                client, _ = self.socket.accept()
                self.clients.append(client)
                self.connected.set()
        except OSError:
            return  # closed

    def close(self):
        for client in self.clients:
            client.close()
        self.socket.close()


@unittest.skipUnless(connection.vendor == "postgresql", "cuts the worker's PostgreSQL connections")
class DatabaseOutageTests(WorkerTestCase):
    def cut_worker_connections(self, seconds: float, until=None, longest: float = 30) -> int:
        """Terminate every connection of the worker processes, again and again for `seconds` (as a
        restarting server refuses them), from this test's own connection; with `until`, on until it
        holds too (at most `longest` seconds)."""
        cut = 0
        start = time.monotonic()
        with connection.cursor() as cursor:
            while (elapsed := time.monotonic() - start) < seconds or (
                until is not None and elapsed < longest and not until()
            ):
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = %s AND pid <> pg_backend_pid()",
                    [APP_NAME],
                )
                cut += sum(1 for (done,) in cursor.fetchall() if done)
                time.sleep(0.1)
        return cut

    def worker_connections(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s", [APP_NAME])
            return cursor.fetchone()[0]

    def test_the_worker_survives_its_connections_being_cut_and_goes_on_with_new_work(self):
        worker = self.worker()
        wait_for(self.worker_connections, what="the worker connected", worker=worker)
        time.sleep(1)  # polling the queue
        # The queue's loop holds a connection only while it polls (a few ms a second): cut on until it
        # has met a dead one at least once (4 s alone left that to chance: about one run in ten).
        noticed = lambda: "database unavailable" in worker.output()  # noqa: E731
        self.assertGreaterEqual(self.cut_worker_connections(4, until=noticed), 1)
        time.sleep(3)
        self.assertTrue(worker.alive, worker.output())

        OutboxEmail.objects.create(to="cv@example.gov.vn", subject="Đã tiếp nhận", body="Báo cáo đã được tiếp nhận.")
        deliver_outbox_task.enqueue()
        job = do_request_compile(self.round, actor=self.secretariat, provisional=True)
        wait_for(lambda: OutboxEmail.objects.filter(sent_at__isnull=False).exists(), what="the e-mail", worker=worker)
        wait_for(lambda: self.refreshed(job).status == "done", what="the compilation", worker=worker)
        self.assertIsNotNone(CompileJob.objects.get(pk=job.pk).snapshot_id)
        self.assertIn("database unavailable", worker.output())
        self.assertTrue(worker.alive)

    def test_a_task_cut_off_from_the_database_half_way_is_run_again(self):
        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        generation = Generation.objects.create(snapshot=snapshot, requested_by=self.secretariat)
        with transaction.atomic():
            enqueue(generation, slow_generation, generation.pk, 3)
        worker = self.worker()
        wait_for(lambda: self.refreshed(generation).progress == 42, what="the job at 42 %", worker=worker)
        self.assertGreaterEqual(self.cut_worker_connections(1), 1)  # while the task sleeps
        wait_for(lambda: self.refreshed(generation).status == "done", what="the job done", worker=worker)
        task = DBTaskResult.objects.get(pk=generation.task_id)
        self.assertEqual((task.status, generation.attempts), ("SUCCESSFUL", 2))
        self.assertTrue(worker.alive)
