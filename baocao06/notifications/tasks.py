"""Background tasks (django-tasks, database backend): e-mail delivery and the reminder tick.

The reminder tick re-enqueues itself with `run_after`, so one started chain keeps running on the
workers; `manage.py send_reminders --schedule` starts it (idempotent) and a cron line running
`manage.py send_reminders` is the fallback. Both are safe to run together: reminders are
exactly-once by their claims, e-mails by their leases (see reminders.py and outbox.py).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus, task

logger = logging.getLogger("baocao06.notifications")


def _is_pending(task_obj) -> bool:
    """A run of this task already waits in the database queue (other backends: never known)."""
    backend = task_obj.get_backend()
    if not getattr(backend, "supports_defer", False) or not hasattr(backend, "_task_to_db_task"):
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path=task_obj.module_path, status=TaskResultStatus.READY).exists()


@task()
def deliver_outbox_task() -> int:
    from .outbox import deliver_outbox

    return deliver_outbox()


def schedule_delivery() -> None:
    """Ask a worker to send the outbox (once: a waiting run will send everything there is)."""
    if not _is_pending(deliver_outbox_task):
        deliver_outbox_task.enqueue()


@task()
def reminder_tick() -> dict:
    """Send the reminders due now, send the outbox, and come back in BAOCAO06_REMINDER_INTERVAL seconds."""
    from .outbox import deliver_outbox
    from .reminders import send_due_reminders

    sent = send_due_reminders(worker="tick")
    mailed = deliver_outbox()
    schedule_reminder_tick()
    return {"reminders": sent, "emails": mailed}


def schedule_reminder_tick(delay: dt.timedelta | None = None) -> bool:
    """Enqueue the next tick unless one is already waiting; False when the backend cannot defer."""
    if not getattr(reminder_tick.get_backend(), "supports_defer", False):
        return False
    if _is_pending(reminder_tick):
        return True
    delay = delay if delay is not None else dt.timedelta(seconds=settings.BAOCAO06_REMINDER_INTERVAL)
    reminder_tick.using(run_after=timezone.now() + delay).enqueue()
    return True
