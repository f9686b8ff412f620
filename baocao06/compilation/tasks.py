"""The background generation of a snapshot's files (django-tasks, database backend)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_outputs_task(generation_id: int) -> dict:
    from .generate import run_generation

    return run_generation(generation_id)
