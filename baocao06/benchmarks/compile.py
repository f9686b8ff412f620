"""Compiling the national tables of a round of ~3,400 units, against its two yardsticks (QUALITY.md).

- the SQL floor: one hand-written aggregate over the same stored values (`VersionValue` joined to the
  versions the compilation uses, through a temporary table), median of N runs;
- today's practice: one XLSX file per unit (written once with XlsxWriter, cached in var/bench-xlsx/),
  read back and merged by a pandas script (`read_excel` with openpyxl, `concat`, `groupby().sum()` for
  PL03–PL05), measured once on every file (or on `--pandas-files N` of them, extrapolated linearly
  and said so);
- ours: `compilation.engine.national_tables(round, version_ids)` (median of N runs) and
  `compile_round` once, which also writes the snapshot.

The round comes from `national.build_round` (built on the first run, reused after). The versions are
those of a final compilation: the current version of every accepted report.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from . import national
from ._timing import fmt, measure

NAME = "compile"
DESCRIPTION = "tổng hợp toàn quốc (~3.400 đơn vị) so với một truy vấn SQL gộp và với pandas gộp 3.400 tệp XLSX"
# The versions of the compilation sit in a temporary table (bench_compile_versions), so that both
# SQLite and PostgreSQL run the same join.
FLOOR_SQL = """
    SELECT v.part, v."row", v."column", SUM(v.number), COUNT(*)
    FROM compilation_versionvalue v JOIN bench_compile_versions b ON b.id = v.version_id
    WHERE v.kind = 't' AND v.number IS NOT NULL
    GROUP BY v.part, v."row", v."column"
"""
NARRATIVE_PG = """SELECT SUM(octet_length(v.text)) FROM compilation_versionvalue v
    JOIN bench_compile_versions b ON b.id = v.version_id WHERE v.kind = 's'"""
NARRATIVE_SQLITE = """SELECT SUM(length(CAST(v.text AS BLOB))) FROM compilation_versionvalue v
    JOIN bench_compile_versions b ON b.id = v.version_id WHERE v.kind = 's'"""
# QUALITY.md, compile row of the Speed table.
FLOOR_FACTOR, PG_SECONDS, PANDAS_FACTOR = 2.0, 1.5, 20.0
# Units whose version changed between two compiles (a deadline day's hour: ~34 of 3,400).
CHANGED_SHARE = 0.01


def xlsx_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "bench-xlsx"


# --- the SQL floor ----------------------------------------------------------------------------


def load_versions(version_ids: list[int]) -> None:
    """The versions of the compilation in a temporary table, for the hand-written aggregate."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_compile_versions")
        cursor.execute("CREATE TEMPORARY TABLE bench_compile_versions (id integer PRIMARY KEY)")
        cursor.executemany("INSERT INTO bench_compile_versions (id) VALUES (%s)", [(i,) for i in version_ids])
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE bench_compile_versions")


def sql_floor() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL)
        return cursor.fetchall()


# --- today's practice: one XLSX per unit, merged with pandas ----------------------------------


def write_xlsx(round_, version_ids: list[int], out) -> tuple[list[Path], float | None]:
    """One workbook per unit of the compilation (cached by the versions' content hashes)."""
    from baocao06.reports.models import ReportVersion

    listing = sorted(
        ReportVersion.objects.filter(pk__in=version_ids).values_list("report__unit__key", "content_hash", "pk")
    )
    digest = hashlib.sha256(round_.layout_hash.encode())
    for key, content_hash, _ in listing:
        digest.update(f"{key}:{content_hash}\n".encode())
    folder = xlsx_dir() / digest.hexdigest()[:16]
    paths = [folder / f"{key}.xlsx" for key, _, _ in listing]
    if (folder / "done").exists():
        return paths, None
    import xlsxwriter

    # Written aside and renamed, so two runs at once (SQLite and PostgreSQL) never share a half-written file.
    scratch = folder.with_name(f"{folder.name}.{os.getpid()}")
    scratch.mkdir(parents=True, exist_ok=True)
    layout = round_.get_layout()
    start = time.perf_counter()
    by_pk = {pk: key for key, _, pk in listing}
    ids = [pk for _, _, pk in listing]
    for first in range(0, len(ids), 200):
        chunk = ReportVersion.objects.filter(pk__in=ids[first : first + 200]).values_list("pk", "content")
        for pk, content in chunk:
            book = xlsxwriter.Workbook(str(scratch / f"{by_pk[pk]}.xlsx"), {"constant_memory": True})
            for table_key, table in content["tables"].items():
                columns = layout.table_index[table_key].columns
                sheet = book.add_worksheet(table_key)
                sheet.write_row(0, 0, ["Mã dòng", *(c["label"] for c in columns)])
                for number, row in enumerate(table["rows"], start=1):
                    values = row["values"]
                    cells = [values.get(c["key"]) for c in columns]
                    sheet.write_row(
                        number, 0, [row["key"], *("; ".join(v) if isinstance(v, list) else v for v in cells)]
                    )
            book.close()
        out.write(f"  … {min(first + 200, len(ids)):,}/{len(ids):,} tệp XLSX, {time.perf_counter() - start:.0f} s")
    (scratch / "done").write_text("ok\n")
    try:
        scratch.rename(folder)
    except OSError:  # the other run finished first: same content, keep its files
        shutil.rmtree(scratch)
    return paths, time.perf_counter() - start


def pandas_merge(paths: list[Path]) -> dict:
    """What the Secretariat's script does today: read every unit's file, stack the sheets, sum services."""
    import pandas as pd

    frames: dict[str, list] = {}
    for path in paths:
        for name, frame in pd.read_excel(path, sheet_name=None, engine="openpyxl").items():
            frame.insert(0, "Đơn vị", path.stem)
            frames.setdefault(name, []).append(frame)
    merged = {name: pd.concat(parts, ignore_index=True) for name, parts in frames.items()}
    for name in ("PL03", "PL04", "PL05"):
        frame = merged[name]
        label = frame.columns[2]  # the service's name, as people merge them
        numeric = list(frame.select_dtypes("number").columns)
        sums = frame.groupby(label)[numeric].sum()
        sums["Tỷ lệ (tính lại)"] = (sums.iloc[:, 1] / sums.iloc[:, 0] * 100).round(2)
        merged[f"{name} tổng hợp"] = sums
    return merged


# --- counts -----------------------------------------------------------------------------------


def counts(round_, version_ids: list[int]) -> dict:
    from baocao06.compilation.models import VersionValue
    from baocao06.reports.models import ReportVersion

    versions = ReportVersion.objects.filter(report__round=round_)
    values = VersionValue.objects.filter(version__report__round=round_)
    size = NARRATIVE_PG if connection.vendor == "postgresql" else NARRATIVE_SQLITE
    with connection.cursor() as cursor:
        cursor.execute(size)
        narrative = cursor.fetchone()[0] or 0
    return {
        "units": round_.reports.count(),
        "with_version": round_.reports.exclude(current_version=None).count(),
        "versions": versions.count(),
        "compiled": len(version_ids),
        "values": values.count(),
        "compiled_values": VersionValue.objects.filter(version_id__in=version_ids, kind="t").count(),
        "narrative_mb": narrative / 1e6,
    }


# --- the run ----------------------------------------------------------------------------------


def _prepare_summaries(round_, version_ids: list[int], out) -> None:
    """Each submission stores its version's compile summary (compilation/summaries.py), and the round
    builder does too; a round built before summaries existed gets them here, once, as its submissions
    would have, and the cost per version is said."""
    from baocao06.compilation import summaries

    start = time.perf_counter()
    made = summaries.prepare(version_ids, round_.get_layout(), round_.layout_hash)
    if made:
        seconds = time.perf_counter() - start
        out.write(
            f"  compile summaries missing for {made:,} versions, made now as submissions would have: "
            f"{seconds:.1f} s ({seconds / made * 1000:.1f} ms per version)"
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE compilation_versionsummary")


def changed_selection(round_, version_ids: list[int], share: float) -> tuple[list[int], int, int]:
    """The compilation's versions with `share` of them changed as between two compiles: a unit's other
    version instead of its chosen one (sent again), or a version of a unit not chosen yet (accepted
    since); returns (versions, replaced, added)."""
    from baocao06.reports.models import ReportVersion

    before = dict(ReportVersion.objects.filter(pk__in=version_ids).values_list("report__unit_id", "pk"))
    chosen = dict(before)
    others = (
        ReportVersion.objects.filter(report__round=round_)
        .exclude(pk__in=version_ids)
        .order_by("-pk")
        .values_list("report__unit_id", "pk")
    )
    wanted, replaced, added = max(1, round(len(version_ids) * share)), 0, 0
    for unit_id, pk in others:
        if replaced + added >= wanted:
            break
        if chosen.get(unit_id, before.get(unit_id)) != before.get(unit_id):
            continue  # this unit changed already
        if unit_id in before:
            replaced += 1
        else:
            added += 1
        chosen[unit_id] = pk
    return sorted(chosen.values()), replaced, added


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def run(out, options):
    from baocao06.accounts.models import User

    if not User.objects.filter(global_role="secretariat").exists():
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    secretariat = User.objects.filter(global_role="secretariat").first()
    scale = None if options.get("scale", "national") == "national" else 120
    round_, built = national.build_round(scale, out)
    if built is not None:
        out.write(f"  generator: round built in {built:.1f} s (reused on later runs)")
        if connection.vendor == "postgresql":
            # A fresh bulk load: statistics for the planner, and the visibility map autovacuum would have
            # set after so many inserts (index-only scans need it). VACUUM cannot run in a transaction.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE compilation_versionvalue, reports_reportversion, reports_report")
    version_ids = national.compile_versions(round_)
    _prepare_summaries(round_, version_ids, out)
    load_versions(version_ids)
    n = counts(round_, version_ids)
    out.write(
        f"  database: {connection.vendor}; units {n['units']:,} ({n['with_version']:,} with a version), "
        f"versions {n['versions']:,}, compiled {n['compiled']:,} (accepted)"
    )
    out.write(
        f"  VersionValue rows {n['values']:,} in the round; table values compiled {n['compiled_values']:,}; "
        f"narrative compiled {n['narrative_mb']:.1f} MB"
    )
    repeat = max(options["repeat"], 5)

    floor = measure(sql_floor, repeat=repeat)
    groups = len(sql_floor())
    out.write(f"  SQL floor (1 aggregate, {groups:,} groups)  {fmt(floor)}")

    ours = snapshot_seconds = None
    try:
        from baocao06.compilation.engine import compile_round, national_tables
    except ModuleNotFoundError as exc:
        if exc.name != "baocao06.compilation.engine":
            raise
        out.write("  national_tables: baocao06.compilation.engine is not there yet; skipped")
    else:
        from baocao06.compilation.models import SumsBase

        # The round's first compile: no sums kept from an earlier one (sums.py); nothing is kept here.
        SumsBase.objects.filter(round=round_).delete()
        ours = measure(lambda: national_tables(round_, version_ids), repeat=repeat)
        out.write(f"  national_tables, first compile   {fmt(ours)}")
        start = time.perf_counter()
        snapshot = compile_round(round_, provisional=False, actor=secretariat)
        snapshot_seconds = time.perf_counter() - start
        used = set(snapshot.versions.values_list("pk", flat=True))
        note = "" if used == set(version_ids) else f" — NB it used {len(used):,} versions, the bench {n['compiled']:,}"
        out.write(f"  compile_round (snapshot written, sums kept) once {snapshot_seconds * 1000:9.1f} ms{note}")
        # Compiled again, from the sums compile_round kept: with the same versions, and with 1% of the
        # units changed since (their accepted version replaced, or newly accepted).
        changed, replaced, added = changed_selection(round_, version_ids, CHANGED_SHARE)
        recompiles = []
        for label, chosen in (("unchanged", version_ids), (f"{replaced} replaced, {added} added", changed)):
            result = measure(lambda chosen=chosen: national_tables(round_, chosen), repeat=repeat)
            recompiles.append((label, result))
            out.write(f"  national_tables again, {label:<22} {fmt(result)}")
        SumsBase.objects.filter(round=round_).delete()  # the next run's first compile starts without

    paths, written = write_xlsx(round_, version_ids, out)
    if written is not None:
        out.write(f"  wrote {len(paths):,} XLSX files in {written:.1f} s ({xlsx_dir()})")
    sample = options.get("pandas_files") or len(paths)
    chosen = paths if sample >= len(paths) else paths[:: max(1, len(paths) // sample)][:sample]
    start = time.perf_counter()
    pandas_merge(chosen)
    pandas_seconds = (time.perf_counter() - start) * len(paths) / len(chosen)
    how = "measured once" if len(chosen) == len(paths) else f"EXTRAPOLATED linearly from {len(chosen):,} files"
    out.write(f"  pandas merge of {len(paths):,} XLSX files: {pandas_seconds:9.1f} s ({how})")

    out.write("  targets (QUALITY.md, compile row):")
    if ours is None:
        out.write("    compile ≤ 2× SQL floor, ≤ 1.5 s on PostgreSQL, ≥ 20× faster than pandas: engine missing")
        out.write(f"    pandas / SQL floor (median)  {pandas_seconds / floor['median']:,.0f}×")
        return
    for label, result in [("first compile", ours), *(("again, " + label, r) for label, r in recompiles)]:
        ratio = result["median"] / floor["median"]
        verdict = _verdict(ratio <= FLOOR_FACTOR)
        out.write(
            f"    national_tables ({label}) / SQL floor (median)  {ratio:5.2f}×   target ≤ {FLOOR_FACTOR:g}×  {verdict}"
        )
        if connection.vendor == "postgresql":
            seconds = result["median"]
            out.write(
                f"    national_tables ({label}) on PostgreSQL  {seconds:.2f} s   target ≤ {PG_SECONDS:g} s  "
                f"{_verdict(seconds <= PG_SECONDS)} ({seconds / PG_SECONDS:.2f} of the budget)"
            )
        else:
            out.write(
                f"    ≤ {PG_SECONDS:g} s applies on PostgreSQL (here {result['median']:.2f} s on {connection.vendor})"
            )
    faster = pandas_seconds / ours["median"]
    verdict = _verdict(faster >= PANDAS_FACTOR)
    out.write(f"    pandas / national_tables  {faster:,.0f}×   target ≥ {PANDAS_FACTOR:g}×  {verdict}")
    out.write(f"    pandas / compile_round (with snapshot)  {pandas_seconds / snapshot_seconds:,.0f}×")
