"""The national files (DOCX + workbook, with JSON and CSV) of the national-scale round's latest snapshot.

QUALITY.md: national DOCX + workbook ≤ 15 s, progress visible, ≤ 500 MB memory. Each run happens in a
fresh child process (`python manage.py shell`), so its peak resident memory is the generation's own,
not this process's; the child prints the time of each step from the progress callbacks it receives.

Each version's sheet of the workbook is written when the version is submitted (a background task,
`compilation.outputs.unit_sheets.prepare_unit_sheets`); the bench's round is built in bulk, without
submissions, so the bench prepares the sheets the same way first (timed, and reported per version).
`--unprepared` first measures one generation without them (the files then write every unit's sheet
themselves, and keep them).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

NAME = "outputs"
DESCRIPTION = "tệp báo cáo toàn quốc (DOCX + XLSX, JSON, CSV) từ một lần tổng hợp ~3.400 đơn vị"
SECONDS = 15
MEGABYTES = 500

CHILD = """
import json, sys, time
from pathlib import Path
from baocao06.compilation.generate import write_outputs
from baocao06.compilation.models import Snapshot
snapshot = Snapshot.objects.get(pk={snapshot})
steps, start = [], time.perf_counter()
write_outputs(snapshot, Path({directory!r}), lambda p, step: steps.append((time.perf_counter() - start, p, step)))
total = time.perf_counter() - start
sizes = {{p.name: p.stat().st_size for p in Path({directory!r}).iterdir()}}
print("RESULT " + json.dumps({{"seconds": total, "steps": steps, "sizes": sizes}}))
"""


def _child(snapshot_id: int, directory: str) -> tuple[dict, float]:
    """Run the generation in a fresh process; returns its result and its own peak RSS in MB
    (`os.wait4` gives that child's usage alone — RUSAGE_CHILDREN would mix in earlier children)."""
    with tempfile.TemporaryFile("w+") as stdout:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, this project, our own code and a temp dir
            [sys.executable, "manage.py", "shell", "-c", CHILD.format(snapshot=snapshot_id, directory=directory)],
            stdout=stdout,
            env=os.environ.copy(),
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"generation failed in the child process (exit {process.returncode})")
        stdout.seek(0)
        line = next(line for line in stdout.read().splitlines() if line.startswith("RESULT "))
    return json.loads(line[len("RESULT ") :]), usage.ru_maxrss / 1024


def _step_seconds(steps: list) -> dict[str, float]:
    """Seconds per phase, from the first progress call of each phase to the next phase."""
    marks = [(seconds, percent) for seconds, percent, _ in steps]
    phases = {"JSON + CSV": (0, 10), "XLSX": (10, 50), "DOCX": (50, 101)}
    out = {}
    for name, (low, high) in phases.items():
        inside = [s for s, p in marks if low <= p < high]
        after = [s for s, p in marks if p >= high]
        if inside:
            out[name] = (after[0] if after else marks[-1][0]) - inside[0]
    return out


def run(out, options):
    from baocao06.accounts.models import User
    from baocao06.compilation.engine import compile_round
    from baocao06.compilation.models import Snapshot

    from . import national

    if not User.objects.filter(global_role="secretariat").exists():
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    scale = None if options.get("scale", "national") == "national" else 120
    round_, built = national.build_round(scale, out)
    if built is not None:
        out.write(f"  generator: round built in {built:.1f} s (reused on later runs)")
    snapshot = Snapshot.objects.filter(round=round_, provisional=False).order_by("-number").defer("data").first()
    if snapshot is None:
        snapshot = compile_round(round_, actor=User.objects.filter(global_role="secretariat").first())
    out.write(f"  snapshot {snapshot.number} of {round_.title}: {snapshot.versions.count():,} versions")
    from baocao06.compilation.generate import snapshot_version_ids
    from baocao06.compilation.models import UnitSheet
    from baocao06.compilation.outputs.unit_sheets import prepare_unit_sheets

    ids = snapshot_version_ids(snapshot)
    if options.get("unprepared"):
        UnitSheet.objects.filter(version_id__in=ids).delete()
        with tempfile.TemporaryDirectory() as directory:
            result, peak_mb = _child(snapshot.pk, directory)
        out.write(
            f"  without sheets prepared at submission: {result['seconds']:6.2f} s, peak {peak_mb:.0f} MB "
            "(every unit's sheet read and written, then kept)"
        )
        for name, value in _step_seconds(result["steps"]).items():
            out.write(f"    {name:<40} {value:6.2f} s")
        UnitSheet.objects.filter(version_id__in=ids).delete()
    missing = len(ids) - UnitSheet.objects.filter(version_id__in=ids).values("version_id").distinct().count()
    if missing:
        start = time.perf_counter()
        for version in ids:  # one by one, as each submission's task does
            prepare_unit_sheets([version])
        took = time.perf_counter() - start
        out.write(
            f"  unit sheets prepared as at submission: {missing:,} in {took:.1f} s "
            f"({1000 * took / missing:.1f} ms per version, by the background worker when each is submitted)"
        )
    repeat = max(1, min(options.get("repeat", 3), 3))
    results, peak = [], 0.0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as directory:
            start = time.perf_counter()
            result, peak_mb = _child(snapshot.pk, directory)
            result["wall"] = time.perf_counter() - start
            results.append(result)
            peak = max(peak, peak_mb)
    seconds = statistics.median(r["seconds"] for r in results)
    out.write(
        f"  files written in (median of {repeat})   {seconds:6.2f} s   target ≤ {SECONDS} s  "
        f"{'met' if seconds <= SECONDS else f'NOT MET ({seconds / SECONDS:.1f}× the budget)'}"
    )
    for name, value in _step_seconds(results[len(results) // 2]["steps"]).items():
        out.write(f"    {name:<40} {value:6.2f} s")
    out.write(f"  progress updates seen by the page: {len(results[0]['steps'])}")
    out.write(
        f"  peak memory of the generating process     {peak:6.0f} MB  target ≤ {MEGABYTES} MB  "
        f"{'met' if peak <= MEGABYTES else 'NOT MET'}"
    )
    for name, size in sorted(results[0]["sizes"].items()):
        out.write(f"    {name:<24} {size / 1e6:8.1f} MB")
    out.write(
        f"  (child process wall time incl. Django start: median {statistics.median(r['wall'] for r in results):.1f} s)"
    )
