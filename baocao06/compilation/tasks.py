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


@task()
def prepare_unit_sheets_task(version_ids: list[int]) -> dict:
    """The national workbook's rows of each newly submitted version's sheet (`outputs/unit_sheets.py`),
    written once so that the national files only copy them."""
    from .outputs.unit_sheets import prepare_unit_sheets

    return {"prepared": prepare_unit_sheets(version_ids)}
