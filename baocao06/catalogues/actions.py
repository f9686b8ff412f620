"""Writes to the catalogues made by people (the Secretariat in the admin); loads from data files are
in loading.py and audited there."""

from __future__ import annotations

from django.db import transaction

from baocao06.audit.actions import delete_audited, save_audited

from .models import Service, Task


@transaction.atomic
def do_save_service(service: Service, *, actor) -> bool:
    """Create or change a service of the catalogue; audited with old → new of every field."""
    return save_audited(service, actor=actor)


@transaction.atomic
def do_delete_service(service: Service, *, actor) -> None:
    """Delete a service (only a superuser may; reports refer to services by code, not by row)."""
    delete_audited(service, actor=actor)


@transaction.atomic
def do_save_task(task: Task, *, actor) -> bool:
    """Create or change a task record; audited with old → new of every field."""
    return save_audited(task, actor=actor, unit=task.unit)


@transaction.atomic
def do_delete_task(task: Task, *, actor) -> None:
    """Delete a task record that no report row refers to."""
    delete_audited(task, actor=actor)
