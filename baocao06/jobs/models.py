"""Background work: the workers' heartbeats, and what every job the person waits for records.

A task runs on a worker (`manage.py db_worker`, django-tasks' database queue). Each worker writes a
heartbeat (`WorkerBeat`); a task whose worker stopped beating for longer than the lease is taken back
(run again, or failed after its last attempt) by `leases.reap`. A job someone waits for on a page
(files of a compilation, a compilation) is a `BackgroundJob`: its status, progress and the id of the
task that runs it, which the lease keeps in step with the task. See docs/architecture.md.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkerBeat(models.Model):
    """One background worker process and the last time it said it was alive.

    Written every few seconds by the worker's heartbeat thread (`worker.LeasedWorker`); a worker whose
    beat is older than `BAOCAO06_JOB_LEASE_SECONDS` is dead, and the tasks it was running are taken back.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    beat_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "máy chủ nền"
        verbose_name_plural = "máy chủ nền"

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id[:8]})"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi"


ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class BackgroundJob(models.Model):
    """What a person waits for on a page: status, progress (0–100 and the step in words), the error,
    and the id of the task (django-tasks) that runs it, so that the lease can retry or fail the job
    when its worker dies. Concrete jobs add what they work on; `progress.py` moves their status."""

    status = models.CharField(max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    step = models.CharField("bước", max_length=200, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    requested_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def active(self) -> bool:
        return self.status in ACTIVE
