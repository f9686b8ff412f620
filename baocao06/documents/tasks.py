"""Background work of documents (django-tasks, database backend; leases: jobs/)."""

from __future__ import annotations

from django_tasks import task


@task()
def version_pdf_task(job_id: int) -> dict:
    from .actions import run_version_pdf

    return run_version_pdf(job_id)
