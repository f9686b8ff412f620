"""gunicorn for the load test: several sync workers on the loopback address, production settings.

The server runs without DEBUG (no query log, no debug pages), with the same SECRET_KEY and database
as the command (the sessions it wrote are signed with that key) and plain HTTP on 127.0.0.1 only.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from django.conf import settings


class Server:
    """A gunicorn child process; `stop()` ends it (and its workers) by its own process id."""

    def __init__(self, port: int, workers: int, log: Path):
        self.port, self.workers, self.log = port, workers, log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in ("DEBUG", "BAOCAO06_INSECURE_DEV_KEY"):
            env.pop(name, None)
        database = settings.DATABASES["default"]
        if database["ENGINE"].endswith("sqlite3"):
            env.pop("DATABASE_URL", None)
            env["SQLITE_PATH"] = str(database["NAME"])
        env.update(
            SECRET_KEY=settings.SECRET_KEY,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT="0",
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            SECURE_HSTS_SECONDS="0",
            BAOCAO06_TESTING="1",  # static files from the finders: no collectstatic needed for the test
            LOG_LEVEL="WARNING",
        )
        return env

    def start(self, timeout: float = 180) -> None:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "baocao06.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "512",
            "--timeout",
            "60",
        ]
        self.log.parent.mkdir(parents=True, exist_ok=True)
        handle = self.log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, cwd=settings.BASE_DIR, env=self.environment(), stdout=handle, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn dừng ngay (xem {self.log})")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    self.warm()
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"gunicorn không trả lời sau {timeout:.0f} s (xem {self.log})")

    def warm(self) -> None:
        """One request per worker, so that no measured request pays for importing the project."""
        for _ in range(self.workers * 3):
            httpx.get(f"{self.base}/healthz", timeout=10)

    def worker_pids(self) -> list[int]:
        """The worker processes (children of the arbiter), for their CPU time."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def cpu_seconds(self) -> float:
        """User + system CPU time of the workers so far (Linux /proc), to compare per request."""
        total = 0.0
        ticks = os.sysconf("SC_CLK_TCK")
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    @staticmethod
    def machine_busy_seconds() -> float:
        """CPU seconds the whole machine has spent busy (every core, /proc/stat): beside the workers'
        own, it shows how much the client, PostgreSQL and anything else running took."""
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGINT is gunicorn's quick shutdown: the test is over, requests still queued are not waited for.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
