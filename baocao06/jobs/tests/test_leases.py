"""Leases decided from the stored heartbeats: which tasks are taken back, and what their jobs show.

The tasks below are stored as a worker leaves them in django-tasks' queue (RUNNING, with the ids of the
workers that claimed them); the heartbeats are written as workers write them. Real killed workers are
in test_worker.py; here every case of the rule is checked quickly on both databases.
"""

from __future__ import annotations

import datetime as dt

from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from baocao06.compilation.actions import do_request_outputs
from baocao06.compilation.engine import compile_round
from baocao06.compilation.models import Generation
from baocao06.compilation.tasks import generate_outputs_task
from baocao06.jobs import leases
from baocao06.jobs.models import WorkerBeat
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase, fill_completely

LEASE = 60


@override_settings(BAOCAO06_JOB_LEASE_SECONDS=LEASE, BAOCAO06_JOB_MAX_ATTEMPTS=3)
class LeaseTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=2)
        do_submit_report(cls.report, actor=cls.approver)
        cls.snapshot = compile_round(cls.round, provisional=True, actor=cls.secretariat)

    def setUp(self):
        self.now = timezone.now()

    def running(self, generation: Generation, workers: list[str], started_ago: int = 300) -> DBTaskResult:
        task = DBTaskResult.objects.create(
            status="RUNNING",
            task_path=generate_outputs_task.module_path,
            args_kwargs={"args": [generation.pk], "kwargs": {}},
            backend_name="default",
            queue_name="default",
            run_after=get_date_max(),
            worker_ids=workers,
            started_at=self.now - dt.timedelta(seconds=started_ago),
        )
        Generation.objects.filter(pk=generation.pk).update(
            task_id=str(task.pk), status="running", progress=42, step="Đóng gói tệp Excel", attempts=len(workers)
        )
        return task

    def beat(self, worker: str, seconds_ago: float) -> None:
        leases.beat(worker, now=self.now - dt.timedelta(seconds=seconds_ago))

    def generation(self) -> Generation:
        return Generation.objects.create(snapshot=self.snapshot, requested_by=self.secretariat)

    def test_the_task_of_a_worker_that_stopped_beating_is_queued_again_and_its_job_says_so(self):
        generation = self.generation()
        task = self.running(generation, ["w1"])
        self.beat("w1", LEASE + 5)
        self.assertEqual(leases.reap(now=self.now), 1)
        task.refresh_from_db()
        generation.refresh_from_db()
        self.assertEqual((task.status, task.worker_ids), ("READY", ["w1"]))
        self.assertEqual(generation.status, "queued")
        self.assertEqual(generation.step, "Máy chủ nền dừng đột ngột khi đang chạy; đang chờ chạy lại (lần 2)")
        self.assertEqual(leases.reap(now=self.now), 0)  # nothing is taken back twice

    def test_after_its_last_attempt_the_task_fails_and_so_does_its_job(self):
        generation = self.generation()
        task = self.running(generation, ["w1", "w2", "w3"])
        self.beat("w3", LEASE + 1)
        leases.reap(now=self.now)
        task.refresh_from_db()
        generation.refresh_from_db()
        self.assertEqual((task.status, task.exception_class_path), ("FAILED", leases.LEASE_EXPIRED))
        self.assertIsNotNone(task.finished_at)
        self.assertEqual((generation.status, generation.step), ("failed", "Máy chủ nền dừng đột ngột khi đang chạy"))
        self.assertIn("đã chạy 3 lần", generation.error)

    def test_the_task_of_a_live_worker_is_left_alone_however_long_it_runs(self):
        generation = self.generation()
        task = self.running(generation, ["w1", "w2"], started_ago=3600)
        self.beat("w1", LEASE * 10)  # an earlier claimant that died: only the last one counts
        self.beat("w2", LEASE - 5)
        self.assertEqual(leases.reap(now=self.now), 0)
        task.refresh_from_db()
        self.assertEqual(task.status, "RUNNING")
        self.assertEqual(Generation.objects.get(pk=generation.pk).status, "running")

    def test_a_worker_never_takes_back_its_own_task_even_when_its_beats_were_held_up(self):
        task = self.running(self.generation(), ["me"])
        self.beat("me", LEASE + 30)  # SQLite's write lock held its beats during a long compile
        self.assertEqual(leases.reap(now=self.now, alive="me"), 0)
        self.assertEqual(DBTaskResult.objects.get(pk=task.pk).status, "RUNNING")
        self.assertEqual(leases.reap(now=self.now), 1)  # another worker does

    def test_a_worker_that_never_beat_gets_a_lease_from_the_task_s_start(self):
        young = self.running(self.generation(), ["x"], started_ago=LEASE - 10)
        old = self.running(self.generation(), ["y"], started_ago=LEASE + 10)
        leases.reap(now=self.now)
        self.assertEqual(DBTaskResult.objects.get(pk=young.pk).status, "RUNNING")
        self.assertEqual(DBTaskResult.objects.get(pk=old.pk).status, "READY")

    def test_a_job_whose_task_never_reached_the_queue_fails_after_a_lease(self):
        lost = self.generation()
        Generation.objects.filter(pk=lost.pk).update(requested_at=self.now - dt.timedelta(seconds=LEASE + 1))
        fresh = self.generation()
        leases.reap(now=self.now)
        self.assertEqual(Generation.objects.get(pk=lost.pk).status, "failed")
        self.assertEqual(Generation.objects.get(pk=fresh.pk).status, "queued")

    def test_old_heartbeats_are_forgotten(self):
        self.beat("gone", 2 * 86400)
        self.beat("here", 1)
        leases.reap(now=self.now)
        self.assertEqual(list(WorkerBeat.objects.values_list("worker_id", flat=True)), ["here"])

    def test_asking_for_files_again_is_not_answered_with_a_dead_workers_job(self):
        stuck = self.generation()
        self.running(stuck, ["w1", "w2", "w3"])
        self.beat("w3", LEASE + 1)
        # Before the lease, this returned the same stuck generation, RUNNING at 42 % for good.
        with self.captureOnCommitCallbacks(execute=False):
            asked = do_request_outputs(self.snapshot, actor=self.secretariat)
        self.assertNotEqual(asked.pk, stuck.pk)
        self.assertEqual(Generation.objects.get(pk=stuck.pk).status, "failed")
        self.assertEqual(asked.status, "queued")
