"""The background work of the national compilation (django-tasks, database backend; leases: jobs/)."""

from __future__ import annotations

from django_tasks import task


@task()
def generate_outputs_task(generation_id: int) -> dict:
    from .generate import run_generation

    return run_generation(generation_id)


@task()
def compile_task(job_id: int) -> dict:
    from .actions import run_compile

    return run_compile(job_id)
