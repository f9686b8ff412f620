"""`python manage.py loadtest`: autosave under load against gunicorn, and the deadline surge (QUALITY.md).

Sets up its own round (baocao06/benchmarks/load/setup.py), starts gunicorn with several workers on
127.0.0.1, offers rising rates of browser autosaves, API autosaves and a trivial view (`/healthz`; once
also signed in, and the API's trivial view `GET /api/v1/token` with a token),
then runs the deadline surge, checks the database, stops the server and prints every figure against
its target. Bounded: (3 × rates × --seconds) + --surge-seconds, plus the setup.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from baocao06.benchmarks.load import client as load
from baocao06.benchmarks.load import setup, surge
from baocao06.benchmarks.load.server import Server

# QUALITY.md, Speed: autosave and the deadline surge.
TARGET_RATE, TARGET_P95, TARGET_RATIO = 150, 0.200, 2.0
SURGE_P99 = 1.0
NATIONAL_UNITS, NATIONAL_SECONDS = 3400, 900  # the surge at national scale: 3,400 units in 15 min


class Command(BaseCommand):
    help = "Đo tải: lưu tự động (trình duyệt, API) ở các mức tải tăng dần và đợt nộp sát hạn, trên gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8090, help="cổng trên 127.0.0.1 (mặc định 8090)")
        parser.add_argument("--workers", type=int, default=4, help="số tiến trình gunicorn (mặc định 4)")
        parser.add_argument("--rates", default="25,50,100,150,200", help="yêu cầu/giây của từng bước")
        parser.add_argument("--seconds", type=float, default=10, help="thời gian mỗi bước (giây)")
        parser.add_argument("--units", type=int, default=100, help="số đơn vị gửi lưu tự động ở các bước")
        parser.add_argument("--surge-units", type=int, default=340, help="số đơn vị của đợt nộp sát hạn (0: bỏ)")
        parser.add_argument(
            "--surge-seconds",
            type=float,
            default=None,
            help="thời gian đợt nộp (mặc định: cùng nhịp với 3.400 đơn vị trong 15 phút)",
        )

    def handle(self, *args, **options):
        rates = [float(r) for r in options["rates"].split(",") if r.strip()]
        if not rates or min(rates) <= 0:
            raise CommandError("--rates: các số dương, cách nhau bằng dấu phẩy")
        surge_units = options["surge_units"]
        surge_seconds = options["surge_seconds"] or NATIONAL_SECONDS * surge_units / NATIONAL_UNITS
        vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        if vendor != "postgresql":
            self.stdout.write(
                self.style.WARNING("Cơ sở dữ liệu không phải PostgreSQL: số đo không so được với QUALITY.md.")
            )
        count = max(options["units"], surge_units)
        self.stdout.write(f"Chuẩn bị {count} đơn vị (phiên đăng nhập, mã API, bản nháp đã điền)…")
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise
        started = time.perf_counter()
        with override_settings(DEBUG=False):  # no query log for the setup's writes
            _, people = setup.build(count, self.stdout.write)
        self.stdout.write(f"  xong trong {time.perf_counter() - started:.0f} s")
        server = Server(options["port"], options["workers"], Path(settings.BASE_DIR) / "var" / "loadtest-gunicorn.log")
        self.stdout.write(f"gunicorn: {options['workers']} tiến trình, {server.base} ({vendor})")
        # A SIGTERM (a CI timeout, `kill`) ends the command through `finally`, which stops gunicorn.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        server.start()
        try:
            stages = asyncio.run(self._stages(server, people[: options["units"]], rates, options["seconds"]))
            self._report_stages(stages)
            if surge_units:
                _settle(server)
                setup.refresh_revisions(people[:surge_units])
                self._surge(server, people[:surge_units], surge_seconds)
        finally:
            server.stop()

    async def _stages(self, server: Server, people, rates, seconds):
        stages = []
        async with load.new_client() as client:
            roads = {
                "healthz": lambda c: load.trivial(server.base, c),
                "browser": load.Writer(server.base, people, "browser").send,
                "api": load.Writer(server.base, people, "api").send,
            }
            # The trivial view once more with a reporter's cookies: what any signed-in request costs
            # (session and user read), the floor under a browser autosave.
            signed = load.Writer(server.base, people, "browser")
            plan = [(rates[0], "healthz+phiên", lambda c: load.trivial(server.base, c, signed.idle[0]))]
            # And the API's trivial view with a reporter's token: the floor under an API autosave.
            plan += [(rates[0], "api/token", lambda c: load.token_check(server.base, c, signed.idle[0]))]
            plan += [(rate, name, send) for rate in rates for name, send in roads.items()]
            for rate, name, send in plan:
                await asyncio.to_thread(_settle, server)
                before, mine, busy = server.cpu_seconds(), time.process_time(), server.machine_busy_seconds()
                started = time.monotonic()
                stage = await load.run_stage(name, rate, seconds, send, client)
                count = max(1, len(stage.samples))
                stage.cpu = (server.cpu_seconds() - before) / count
                stage.client_cpu = (time.process_time() - mine) / count
                stage.machine = (server.machine_busy_seconds() - busy) / (time.monotonic() - started)
                stages.append(stage)
                self.stdout.write(_line(stage))
        return stages

    def _report_stages(self, stages) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING("\nKết quả so với QUALITY.md"))
        for road in ("browser", "api"):
            good = [s for s in stages if s.name == road and s.holds(TARGET_P95)]
            best = max(good, key=lambda s: s.rate, default=None)
            rate = best.rate if best else 0.0
            verdict = "đạt" if rate >= TARGET_RATE else "CHƯA đạt"
            achieved = f", trả lời {best.achieved:.1f}/s" if best else ""
            self.stdout.write(
                f"  lưu tự động ({road}): giữ được cao nhất {rate:.0f} yêu cầu/s{achieved}, p95 ≤ 200 ms, 0 lỗi "
                f"(mục tiêu ≥ {TARGET_RATE}/s): {verdict}"
            )
        trivial = load.median([s.cpu for s in stages if s.name == "healthz"])
        signed = load.median([s.cpu for s in stages if s.name == "healthz+phiên"])
        token = load.median([s.cpu for s in stages if s.name == "api/token"])
        # Each road against the trivial view of its own stack, which pays what it pays anyway
        # (docs/operations.md): a browser autosave carries a session, so the signed-in /healthz; an API
        # autosave carries a token through django-ninja, so `GET /api/v1/token` with the same token.
        fair = {"browser": (signed, "/healthz có phiên"), "api": (token, "GET /api/v1/token có mã")}
        for road in ("browser", "api"):
            cost = load.median([s.cpu for s in stages if s.name == road])
            reference, label = fair[road]
            ratio = cost / reference if reference else float("nan")
            verdict = "đạt" if ratio <= TARGET_RATIO else "CHƯA đạt"
            self.stdout.write(
                f"  CPU máy chủ mỗi yêu cầu ({road}): {cost * 1000:.1f} ms so với {label} {reference * 1000:.1f} ms "
                f"= {ratio:.1f}× (mục tiêu ≤ {TARGET_RATIO:.0f}×): {verdict}; so với /healthz không phiên "
                f"{trivial * 1000:.1f} ms = {cost / trivial if trivial else float('nan'):.1f}×"
            )
        busiest = max(stages, key=lambda s: s.machine)
        self.stdout.write(
            f"  máy đo: {os.cpu_count()} CPU; bận nhất {busiest.machine:.2f} CPU (bước {busiest.name} "
            f"{busiest.rate:.0f}/s; khách đo tải {busiest.client_cpu * 1000:.1f} ms CPU mỗi yêu cầu, cùng máy)"
        )


    def _surge(self, server: Server, people, seconds: float) -> None:
        from baocao06.audit.models import AuditEvent

        scale = len(people) / NATIONAL_UNITS
        rate = len(people) * (surge.SAVES + 1) / seconds
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                f"\nĐợt nộp sát hạn: {len(people)} đơn vị × {surge.SAVES} lần lưu + gửi trong {seconds:.0f} s "
                f"(quy mô {scale:.0%} số đơn vị toàn quốc, nhịp trung bình {rate:.1f} yêu cầu/s; "
                f"toàn quốc: {NATIONAL_UNITS} đơn vị trong {NATIONAL_SECONDS // 60} phút = "
                f"{NATIONAL_UNITS * (surge.SAVES + 1) / NATIONAL_SECONDS:.1f} yêu cầu/s)"
            )
        )
        first_event = (AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        before = server.cpu_seconds()
        result = asyncio.run(surge.run(server.base, people, seconds))
        cpu = (server.cpu_seconds() - before) / max(1, len(result.samples))
        problems = surge.check(result, people, since_event=first_event)
        for name, samples in (("lưu", result.saves), ("gửi", result.submits), ("tất cả", result.samples)):
            latencies = [s.latency for s in samples]
            errors = sum(1 for s in samples if not s.ok)
            self.stdout.write(
                f"  {name:<7} {len(samples):>6} yêu cầu  p50 {_ms(load.percentile(latencies, 0.5))}  "
                f"p95 {_ms(load.percentile(latencies, 0.95))}  p99 {_ms(load.percentile(latencies, 0.99))}  "
                f"lỗi {errors}"
            )
        statuses: dict[int, int] = {}
        for s in result.samples:
            statuses[s.status] = statuses.get(s.status, 0) + 1
        self.stdout.write(f"  mã trả lời: {statuses}; CPU máy chủ mỗi yêu cầu {cpu * 1000:.1f} ms")
        p99 = load.percentile([s.latency for s in result.samples], 0.99)
        for problem in problems[:20]:
            self.stdout.write(self.style.ERROR(f"  mất dữ liệu? {problem}"))
        verdict = "đạt" if result.errors == 0 and not problems and p99 <= SURGE_P99 else "CHƯA đạt"
        self.stdout.write(
            f"  0 lỗi: {result.errors} lỗi; 0 lần ghi bị mất: {len(problems)} sai lệch; "
            f"p99 ≤ 1 s: {p99:.2f} s → {verdict}"
        )


def _settle(server: Server, limit: float = 60.0) -> None:
    """Wait until the workers are idle: requests a client gave up on at the end of a stage (after its
    timeout) are still queued in gunicorn's backlog, and would be served during the next stage."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        time.sleep(0.5)
        if server.cpu_seconds() - before < 0.02:
            return


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def _line(stage) -> str:
    return (
        f"  {stage.name:<8} {stage.rate:5.0f}/s → {stage.achieved:6.1f}/s  p50 {_ms(stage.percentile(0.5))}  "
        f"p95 {_ms(stage.percentile(0.95))}  p99 {_ms(stage.percentile(0.99))}  lỗi {stage.errors:>4}  "
        f"CPU {stage.cpu * 1000:5.1f} ms/yêu cầu (khách {stage.client_cpu * 1000:4.1f})  "
        f"máy bận {stage.machine:4.2f} CPU  {stage.statuses()}"
    )
