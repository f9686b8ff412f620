"""Leases on background tasks: a task whose worker died is run again, or failed after its last attempt.

Every worker beats (`WorkerBeat.beat_at`) every `beat_interval()` seconds. A task stays RUNNING in
django-tasks' queue while a worker runs it; if that worker's beat is older than the lease, the worker
is dead (SIGKILL, out of memory, the machine lost) and `reap` takes the task back: READY again while it
has attempts left, so any worker runs it from the start, or FAILED with `LeaseExpired`. The jobs a
person waits for (`BackgroundJob`, found by their `task_id`) follow: queued again with a note, or failed
so that the page offers to start again. Nothing here knows a task by name: every task gets the same
lease, the reminder tick's chain included (its tick is run again, and re-enqueues the next one).

Tasks must therefore be safe to run again from the start: the reminder pass and the outbox are
(claims and leases, see notifications/), a compilation records its snapshot with its job in one
transaction, and files are written again into the same folder.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import ACTIVE, BackgroundJob, JobStatus, WorkerBeat

logger = logging.getLogger("baocao06.jobs")

LEASE_EXPIRED = "baocao06.jobs.leases.LeaseExpired"


class LeaseExpired(Exception):
    """The worker running a task stopped beating for longer than the lease."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=settings.BAOCAO06_JOB_LEASE_SECONDS)


def beat_interval() -> float:
    """Seconds between two beats: several beats fit in one lease, so one slow beat does not kill."""
    return max(0.2, settings.BAOCAO06_JOB_LEASE_SECONDS / 6)


def max_attempts() -> int:
    return settings.BAOCAO06_JOB_MAX_ATTEMPTS


def beat(worker_id: str, *, host: str = "", pid: int = 0, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=worker_id, defaults={"host": host[:200], "pid": pid, "started_at": now, "beat_at": now}
        )


def forget(worker_id: str) -> None:
    """A worker that stops cleanly removes its beat (its tasks are finished)."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def job_models() -> list[type[BackgroundJob]]:
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def _jobs_follow(task_id: str, *, retried: bool, attempt: int, reason: str) -> None:
    for model in job_models():
        if retried:
            # Also a job its task marked failed on the way out: the task runs again, so does the job.
            model.objects.filter(task_id=task_id).exclude(status=JobStatus.DONE).update(
                status=JobStatus.QUEUED, step=f"{reason}; đang chờ chạy lại (lần {attempt + 1})"[:200]
            )
        else:
            model.objects.filter(task_id=task_id, status__in=ACTIVE).update(
                status=JobStatus.FAILED,
                step=reason[:200],
                error=f"{reason} (đã chạy {attempt} lần).",
                finished_at=timezone.now(),
            )


def give_back(task: DBTaskResult, worker_id: str, reason: str) -> bool:
    """Take `task` back from `worker_id`: READY again while attempts remain, else FAILED.

    A conditional UPDATE: only if the task is still RUNNING under that worker, so two reapers (or a
    reaper and a worker finishing late) never both act. Returns whether this call took it back."""
    attempt = len(task.worker_ids or [])
    retried = attempt < max_attempts()
    now = timezone.now()
    with transaction.atomic():
        still_ours = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, worker_ids=task.worker_ids
        )
        if retried:
            taken = still_ours.update(status=TaskResultStatus.READY)
        else:
            taken = still_ours.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path=LEASE_EXPIRED,
                traceback=f"{LEASE_EXPIRED}: {reason} (worker {worker_id}, attempt {attempt})\n",
                return_value=None,
            )
        if taken:
            _jobs_follow(str(task.pk), retried=retried, attempt=attempt, reason=reason)
    if taken:
        logger.warning(
            "task %s (%s) of worker %s %s: %s",
            task.pk,
            task.task_path,
            worker_id,
            "queued again" if retried else "failed",
            reason,
        )
    return bool(taken)


def reap(now: dt.datetime | None = None, *, alive: str = "") -> int:
    """Take back every RUNNING task whose worker has not beaten within the lease; returns how many.

    `alive` is the calling worker's id: its own tasks are never taken back by itself, even when its
    beats were held up (SQLite's write lock during a long compile)."""
    now = now or timezone.now()
    limit = now - lease()
    running = list(
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).only("pk", "worker_ids", "started_at", "task_path")
    )
    taken = 0
    if running:
        workers = {t.worker_ids[-1] for t in running if t.worker_ids}
        beating = set(
            WorkerBeat.objects.filter(worker_id__in=workers, beat_at__gte=limit).values_list("worker_id", flat=True)
        ) | {alive}
        for task in running:
            worker = task.worker_ids[-1] if task.worker_ids else ""
            # No beat at all: a worker that never beat (another kind of worker) gets a lease from its start.
            if worker in beating or (task.started_at and task.started_at >= limit and not _ever_beat(worker)):
                continue
            taken += give_back(task, worker, "Máy chủ nền dừng đột ngột khi đang chạy")
    taken += _fail_unqueued_jobs(limit)
    WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return taken


def _ever_beat(worker_id: str) -> bool:
    return WorkerBeat.objects.filter(worker_id=worker_id).exists()


def _fail_unqueued_jobs(limit: dt.datetime) -> int:
    """A job whose task was never put in the queue (the web process died right after its commit)."""
    failed = 0
    for model in job_models():
        failed += model.objects.filter(status=JobStatus.QUEUED, task_id="", requested_at__lt=limit).update(
            status=JobStatus.FAILED,
            step="Yêu cầu chưa được đưa vào hàng đợi",
            error="Yêu cầu chưa được đưa vào hàng đợi xử lý nền; hãy yêu cầu lại.",
            finished_at=timezone.now(),
        )
    return failed
