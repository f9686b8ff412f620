"""Moving a `BackgroundJob` through its states from the task that runs it.

Every write is a conditional UPDATE on the job's row (never a save of a stale object), so progress
reported by a run that the lease has since given to another worker cannot undo that worker's state.
"""

from __future__ import annotations

import traceback

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import ACTIVE, BackgroundJob, JobStatus


class Progress:
    """`Progress(model, pk)` started by the task; call it with (percent, step) as the work goes."""

    def __init__(self, model: type[BackgroundJob], pk: int):
        self.model = model
        self.pk = pk
        self.last = (-1, "")

    @property
    def rows(self):
        return self.model.objects.filter(pk=self.pk)

    def start(self, step: str = "Bắt đầu") -> bool:
        """Mark the job running (one more attempt); False when it is already finished."""
        with transaction.atomic():
            started = self.rows.filter(status__in=ACTIVE).update(
                status=JobStatus.RUNNING,
                progress=1,
                step=step,
                error="",
                attempts=F("attempts") + 1,
                started_at=timezone.now(),
            )
        return bool(started)

    def __call__(self, percent: int, step: str) -> None:
        percent = max(0, min(99, int(percent)))
        # A new step at the same percentage is news too ("Soạn báo cáo (DOCX)" starts where the
        # workbook ends, at 50 %): the person must not read the previous step's words meanwhile.
        if (percent, step) != self.last:
            self.last = (percent, step)
            self.rows.filter(status=JobStatus.RUNNING).update(progress=percent, step=step[:200])

    def done(self, step: str = "Hoàn thành", **fields) -> None:
        self.rows.update(status=JobStatus.DONE, progress=100, step=step, finished_at=timezone.now(), **fields)

    def failed(self, exc: BaseException, step: str) -> None:
        self.rows.update(
            status=JobStatus.FAILED,
            step=step[:200],
            error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"[:5000],
            finished_at=timezone.now(),
        )


def enqueue(job: BackgroundJob, task, *args) -> None:
    """Queue `task(*args)` for `job` once the transaction commits, and remember the task's id."""

    def send():
        result = task.enqueue(*args)
        type(job).objects.filter(pk=job.pk, task_id="").update(task_id=str(result.id)[:64])

    transaction.on_commit(send)
