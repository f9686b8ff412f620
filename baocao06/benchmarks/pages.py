"""The round's national page and the dashboard, cold — the first request after a compile — at national scale.

QUALITY.md: any page, first visit after a compile (national page, dashboard) ≤ 1 s server time. Each run
asks for a compilation as the page does (the request returns at once), runs it as the worker does
(`run_compile`, which also prepares the snapshot's page), then requests the new snapshot's national page
and the dashboard once each (cold for that snapshot) and once more (warm). One more run serves both
pages from a fresh process that has loaded the application as a gunicorn worker does at boot
(`baocao06.wsgi`: settings, middleware, the views and the commonest templates; no layout, snapshot or
page data read yet). Side by side: what a
cold visit cost before pages were stored — reading the snapshot's whole `data` and drawing its charts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from django.db import connection
from django.test import Client
from django.urls import reverse

from ._timing import fmt

NAME = "pages"
DESCRIPTION = "trang tổng hợp của kỳ và bảng điều khiển, lần xem đầu sau khi tổng hợp (~3.400 đơn vị)"
SECONDS = 1.0

# The fresh process loads the application as a gunicorn worker does before its first request
# (`baocao06.wsgi`, which warms the views and templates: core/warmup.py), then serves both pages.
CHILD = """
import json, time
from baocao06.wsgi import application
from django.test import Client
from baocao06.accounts import mfa
from baocao06.accounts.models import User
client = Client(SERVER_NAME="localhost")
client.force_login(User.objects.get(pk={user}))
session = client.session
session[mfa.SESSION_KEY] = True
session.save()
out = {{}}
for name, url in (("national", {national!r}), ("dashboard", {dashboard!r})):
    start = time.perf_counter()
    status = client.get(url).status_code
    out[name] = (time.perf_counter() - start, status)
print("RESULT " + json.dumps(out))
"""


def _client(user) -> Client:
    from baocao06.accounts import mfa

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    session = client.session
    session[mfa.SESSION_KEY] = True  # the benchmark measures the pages, not the sign-in
    session.save()
    return client


def _timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def _stats(times: list[float]) -> dict:
    import statistics

    ordered = sorted(times)
    median = statistics.median(ordered)
    return {"min": ordered[0], "median": median, "max": ordered[-1], "p95": ordered[-1], "runs": len(times)}


def _compile(client, round_) -> tuple[float, float, object]:
    """Ask for a final compilation through the page, then run it as the worker would."""
    from django_tasks_db.models import DBTaskResult

    from baocao06.compilation.actions import run_compile
    from baocao06.compilation.models import CompileJob

    url = reverse("compilation:compile", args=[round_.pk])
    asked, response = _timed(lambda: client.post(url, {"provisional": "0"}))
    assert response.status_code == 302, response.status_code
    job = CompileJob.objects.filter(round=round_).first()
    ran, _ = _timed(lambda: run_compile(job.pk))
    DBTaskResult.objects.filter(pk=job.task_id).delete()  # the bench ran it; no worker should again
    job.refresh_from_db()
    assert job.status == "done", (job.status, job.error)
    return asked, ran, job.snapshot


def _fresh_process(user, national: str, dashboard: str) -> dict:
    with tempfile.TemporaryFile("w+") as stdout:
        code = CHILD.format(user=user.pk, national=national, dashboard=dashboard)
        subprocess.run(  # noqa: S603 - this interpreter, this project, our own code
            [sys.executable, "manage.py", "shell", "-c", code], stdout=stdout, env=os.environ.copy(), check=True
        )
        stdout.seek(0)
        line = next(line for line in stdout.read().splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :])


def _before(snapshot_id: int) -> tuple[float, float]:
    """What a cold visit did before pages were stored: the whole data read, the charts drawn."""
    from baocao06.compilation.dashboard import _draw_svg
    from baocao06.compilation.models import Snapshot

    read, data = _timed(lambda: Snapshot.objects.get(pk=snapshot_id).data)
    drawn, _ = _timed(lambda: _draw_svg(data))
    return read, drawn


def run(out, options):
    from baocao06.accounts.models import User

    from . import national

    secretariat = User.objects.filter(global_role="secretariat").first()
    if secretariat is None:
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    round_, built = national.build_round(None if options.get("scale", "national") == "national" else 120, out)
    if built is not None:
        out.write(f"  generator: round built in {built:.1f} s (reused on later runs)")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE compilation_versionvalue, reports_reportversion, reports_report")
    client = _client(secretariat)
    national_url = reverse("compilation:national", args=[round_.pk])
    dashboard_url = reverse("compilation:dashboard") + f"?ky={round_.pk}"
    runs = max(3, min(options["repeat"], 5))
    timings: dict[str, list[float]] = {k: [] for k in ("asked", "ran", "national", "dashboard", "warm_n", "warm_d")}
    size = 0
    snapshot = None
    for _ in range(runs):
        asked, ran, snapshot = _compile(client, round_)
        timings["asked"].append(asked)
        timings["ran"].append(ran)
        page = f"{national_url}?lan={snapshot.number}"
        for key, warm, url in (("national", "warm_n", page), ("dashboard", "warm_d", dashboard_url)):
            seconds, response = _timed(lambda url=url: client.get(url))
            assert response.status_code == 200, response.status_code
            size = max(size, len(response.content)) if key == "national" else size
            timings[key].append(seconds)
            timings[warm].append(_timed(lambda url=url: client.get(url))[0])
    fresh = _fresh_process(secretariat, f"{national_url}?lan={snapshot.number}", dashboard_url)
    read, drawn = _before(snapshot.pk)
    out.write(f"  database: {connection.vendor}; {round_.reports.count():,} units; {runs} compilations")
    out.write(f"  compile request (POST, returns at once)     {fmt(_stats(timings['asked']))}")
    out.write(f"  compile job (run_compile, on the worker)    {fmt(_stats(timings['ran']))}")
    out.write(f"  national page, first view after a compile   {fmt(_stats(timings['national']))}")
    out.write(f"  (the national page is {size / 1e3:,.0f} kB of HTML)")
    out.write(f"  dashboard, first view after a compile       {fmt(_stats(timings['dashboard']))}")
    out.write(f"  national page, second view                  {fmt(_stats(timings['warm_n']))}")
    out.write(f"  dashboard, second view                      {fmt(_stats(timings['warm_d']))}")
    for name, (seconds, status) in fresh.items():
        out.write(f"  {name} from a fresh process (first request) {seconds * 1000:9.1f} ms (HTTP {status})")
    out.write(f"  before stored pages, a cold view also read the whole snapshot ({read * 1000:.0f} ms)")
    out.write(f"  and drew its charts ({drawn * 1000:.0f} ms)")
    worst = max(
        _stats(timings["national"])["median"],
        _stats(timings["dashboard"])["median"],
        *(seconds for seconds, _ in fresh.values()),
    )
    verdict = "met" if worst <= SECONDS else "NOT MET"
    out.write(f"  target: first view ≤ {SECONDS:g} s server time — worst {worst:.2f} s  {verdict}")
