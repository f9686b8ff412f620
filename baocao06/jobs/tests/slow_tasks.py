"""A job for the worker tests: the first run reports 42 % and then waits (to be killed there).

The lease is the same for every task, so a job that is easy to catch half-way stands for any; it
works on a real `Generation`, so the page and the request for new files are the real ones."""

from __future__ import annotations

import time

from django_tasks import task

from baocao06.compilation.models import Generation
from baocao06.jobs.progress import Progress


@task()
def slow_generation(generation_id: int, seconds: float = 600) -> dict:
    progress = Progress(Generation, generation_id)
    progress.start()
    progress(42, "Đóng gói tệp Excel")
    attempts = Generation.objects.values_list("attempts", flat=True).get(pk=generation_id)
    if attempts == 1:
        time.sleep(seconds)
    progress.done()
    return {"generation": generation_id, "attempts": attempts}
