"""The background worker: django-tasks' database worker that survives the database and keeps a lease.

`manage.py db_worker` (this app's command, which replaces django-tasks' own) runs `LeasedWorker`:

- **A database restart is not the end.** Any database error outside a task (the queue poll, recording
  a result) is logged; the worker closes its connections, waits (1, 2, 4 … 30 s) and goes on with a
  new connection. A task that fails *because of* the database (`OperationalError`, `InterfaceError`:
  the server restarting, a connection cut) is given back to the queue instead of being failed, while it
  has attempts left — so the reminder tick's chain does not end because the database went away. An
  outcome that could not be written (success or failure) is written once the database answers.
- **Stopping.** SIGTERM lets the task in hand finish; a second one stops it, and the task is given
  back to the queue rather than failed.
- **A heartbeat.** A thread writes `WorkerBeat.beat_at` every `beat_interval()` seconds on its own
  connection and, once the worker has been beating for a whole lease (so that others had time to beat
  too after an outage), takes back the tasks of dead workers (`leases.reap`).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import socket
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connections
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import leases

logger = logging.getLogger("baocao06.jobs")

TRANSIENT = (OperationalError, InterfaceError)
MAX_PAUSE = 30.0


def _close_connections() -> None:
    for conn in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):  # the server is gone; the socket closes with the object
            conn.close()


class Heartbeat(threading.Thread):
    """Beats for its worker and reaps dead workers' tasks, on its own database connection."""

    def __init__(self, worker_id: str):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.stopping = threading.Event()
        self.healthy_since: float | None = None

    def run(self) -> None:
        host, pid = socket.gethostname(), os.getpid()
        reaped = 0.0
        while not self.stopping.is_set():
            try:
                close_old_connections()
                leases.beat(self.worker_id, host=host, pid=pid)
                now = time.monotonic()
                self.healthy_since = self.healthy_since or now
                lease = leases.lease().total_seconds()
                # Reaping reads the queue's running tasks: twice per lease is often enough.
                if now - self.healthy_since >= lease and now - reaped >= lease / 2:
                    leases.reap(alive=self.worker_id)
                    reaped = now
            except DatabaseError as exc:
                self.healthy_since = None
                logger.warning("worker %s: heartbeat failed (%s); trying again", self.worker_id, exc)
                _close_connections()
            except Exception:  # a bug here must not stop the beats
                logger.exception("worker %s: heartbeat error", self.worker_id)
            self.stopping.wait(leases.beat_interval())
        _close_connections()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=5)
        try:
            leases.forget(self.worker_id)
            _close_connections()
        except DatabaseError:
            pass  # its beat expires by itself


class LeasedWorker(Worker):
    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        heartbeat.start()
        pause = 1.0
        unrecorded: _Unrecorded | None = None
        try:
            while self.running:
                started = time.monotonic()
                try:
                    if unrecorded is not None:
                        self._recover(unrecorded)
                        unrecorded = None
                    super().run()  # returns on --batch / --max-tasks, raises on a database error
                    return
                except (_Unrecorded, DatabaseError) as exc:
                    if isinstance(exc, _Unrecorded):
                        unrecorded = exc
                    if time.monotonic() - started > 2 * MAX_PAUSE:
                        pause = 1.0  # a new outage after a good while: start again with short pauses
                    pause = self._wait(getattr(exc, "error", exc), pause)
        finally:
            heartbeat.stop()

    def _wait(self, exc: BaseException, pause: float) -> float:
        logger.warning(
            "worker %s: database unavailable (%s: %s); trying again in %.0f s",
            self.worker_id,
            type(exc).__name__,
            str(exc).strip()[:200],
            pause,
        )
        _close_connections()
        time.sleep(pause)
        return min(MAX_PAUSE, pause * 2)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        """Run one task; its outcome is recorded even across a database outage (see the module doc)."""
        self.running_task = True
        try:
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=task.get_backend(), task_result=task_result)
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except TRANSIENT as exc:
                # The database went away under the task: not the task's fault; it runs again.
                raise _Unrecorded(db_task_result, exc) from exc
            except (KeyboardInterrupt, SystemExit) as exc:
                # Stopped by the operator (a second SIGTERM): given back to the queue, then exit.
                self._recover(_Unrecorded(db_task_result, exc))
                raise
            except Exception as exc:
                self._record(db_task_result, functools.partial(db_task_result.set_failed, exc))
            else:
                self._record(db_task_result, functools.partial(db_task_result.set_successful, value))
        finally:
            self.running_task = False
            self._run_tasks += 1

    def _record(self, db_task_result: DBTaskResult, save) -> None:
        """Write the task's outcome; if the database is gone, keep it to write once it answers."""
        try:
            save()
        except DatabaseError as exc:
            raise _Unrecorded(db_task_result, exc, save) from exc
        self._finished(db_task_result)

    @staticmethod
    def _finished(db_task_result: DBTaskResult) -> None:
        task_finished.send(sender=type(db_task_result.task.get_backend()), task_result=db_task_result.task_result)

    def _recover(self, unrecorded: _Unrecorded) -> None:
        """After an outage: write the outcome the task had, or give the task back to run again."""
        close_old_connections()
        task = unrecorded.task
        current = DBTaskResult.objects.filter(pk=task.pk).only("status", "worker_ids", "task_path").first()
        if current is None or current.status != "RUNNING" or (current.worker_ids or [])[-1:] != [self.worker_id]:
            return  # finished, or taken back by another worker's lease meanwhile
        if unrecorded.save is not None:
            unrecorded.save()
            self._finished(task)
            return
        error = unrecorded.error
        reason = f"Mất kết nối cơ sở dữ liệu khi đang chạy ({type(error).__name__}: {str(error).strip()[:120]})"
        if isinstance(error, KeyboardInterrupt | SystemExit):
            reason = "Máy chủ nền được dừng khi đang chạy"
        leases.give_back(current, self.worker_id, reason)


class _Unrecorded(Exception):
    """A task's outcome could not be written: the database was unavailable. `save` writes it later
    (None: the task itself failed for the database and is to run again)."""

    def __init__(self, task: DBTaskResult, error: BaseException, save=None):
        super().__init__(str(error))
        self.task = task
        self.error = error
        self.save = save
