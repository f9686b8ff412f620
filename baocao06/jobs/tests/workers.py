"""Running real `manage.py db_worker` processes against the test database, for the worker tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from urllib.parse import quote

from django.conf import settings
from django.db import connection

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
APP_NAME = "baocao06-worker-test"  # the worker's PostgreSQL connections carry this name (PGAPPNAME)


def database_env() -> dict[str, str]:
    """The environment that points a child process at the test database."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else "")
        url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        return {"DATABASE_URL": url, "PGAPPNAME": APP_NAME}
    return {"SQLITE_PATH": str(db["NAME"])}


class WorkerProcess:
    """One `manage.py db_worker` child; its output goes to a file shown when a test fails."""

    def __init__(self, **env: str):
        self.log = tempfile.NamedTemporaryFile("w+", prefix="worker-", suffix=".log", delete=False)  # noqa: SIM115
        child_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SQLITE_PATH"}}
        child_env.update(
            DJANGO_SETTINGS_MODULE="baocao06.settings",
            DEBUG="1",
            BAOCAO06_INSECURE_DEV_KEY="1",
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            BAOCAO06_JOB_LEASE_SECONDS="2",
            PYTHONUNBUFFERED="1",
            **database_env(),
        )
        child_env.update(env)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload", "--no-startup-delay",
             "--interval", "0.2", "-v", "2"],
            cwd=settings.BASE_DIR,
            env=child_env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as when the machine or the OOM killer stops it."""
        if self.alive:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, encoding="utf-8", errors="replace") as handle:
            return handle.read()[-6000:]

    def close(self) -> None:
        self.kill()
        self.log.close()
        os.unlink(self.log.name)


def wait_for(condition, timeout: float = 90, what: str = "", worker: WorkerProcess | None = None):
    """Poll `condition()` until it is true; fail with the worker's output after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    shown = f"\n--- worker output ---\n{worker.output()}" if worker else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")
