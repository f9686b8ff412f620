"""One unit's workbook: import (check + parse + validate + save) and export, against a plain openpyxl
load of the same file (QUALITY.md: ≤ 300 ms / ≤ 200 ms), medians and ratios measured in one run."""

from ._timing import fmt, measure

NAME = "workbook"
DESCRIPTION = "tệp Excel của một đơn vị (Hà Nội, báo cáo đầy đủ): nhập và xuất, so với openpyxl đọc cùng tệp"
IMPORT_TARGET, EXPORT_TARGET = 0.300, 0.200


def run(out, options):
    import io
    import logging

    import openpyxl
    from django.db import transaction

    from baocao06.demo.generator import Filler
    from baocao06.reports.actions import do_save_parts, view_for
    from baocao06.reports.models import Report
    from baocao06.workbooks.actions import do_import_workbook
    from baocao06.workbooks.export import export_report, parts_meta

    report = (
        Report.objects.select_related("round", "unit")
        .filter(unit__key="P01", status__in=["draft", "not_started"])
        .first()
    )
    if report is None:
        out.write("  (cần dữ liệu minh họa: chạy `python manage.py load_demo` trước)")
        return
    user = report.unit.memberships.first().user
    repeat = max(options["repeat"] * 4, 20)
    logging.getLogger("baocao06.workbooks").setLevel(logging.WARNING)  # one line per import otherwise
    before = parts_meta(view_for(report), {p.key: p for p in report.parts.all()})
    with transaction.atomic():
        # A complete report (every part filled), so the file is as large as a real one; undone below.
        parts = Filler(view_for(report), 2024, report.unit.name).report()
        revisions = dict(report.parts.values_list("key", "revision"))
        do_save_parts(report, parts, revisions, actor=user, source="bench")
        data = export_report(report)
        exported = measure(lambda: export_report(report), repeat=repeat)
        transaction.set_rollback(True)
    data = _as_if_filled_in_excel(data, before)

    def load():
        openpyxl.load_workbook(io.BytesIO(data))

    def import_():
        with transaction.atomic():
            plan = do_import_workbook(report, data, "bench.xlsx", actor=user, overwrite=True)
            assert plan.saved and not plan.refused, plan.lines()[:5]
            transaction.set_rollback(True)  # each run saves into the same draft

    plain = measure(load, repeat=repeat)
    imported = measure(import_, repeat=repeat)
    out.write(f"  file: {len(data) // 1024} KB, {len(parts)} parts")
    out.write(f"  openpyxl load        {fmt(plain)}")
    out.write(f"  import (all steps)   {fmt(imported)}   ratio {imported['median'] / plain['median']:.1f}×")
    out.write(f"  export               {fmt(exported)}   ratio {exported['median'] / plain['median']:.1f}×")
    verdict = lambda value, target: "đạt" if value <= target else "CHƯA ĐẠT"  # noqa: E731
    out.write(
        f"  targets: import ≤ {IMPORT_TARGET * 1000:.0f} ms ({verdict(imported['median'], IMPORT_TARGET)}), "
        f"export ≤ {EXPORT_TARGET * 1000:.0f} ms ({verdict(exported['median'], EXPORT_TARGET)})"
    )


def _as_if_filled_in_excel(data: bytes, before: dict) -> bytes:
    """The complete workbook, as if downloaded before filling: its metadata names the draft as it is now,
    so every part counts as changed in the file (and openpyxl re-saves it, as Excel would)."""
    import io
    import json

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    meta = book["_meta"]
    for row in meta.iter_rows(min_col=1, max_col=2):
        if row[0].value == "parts":
            row[1].value = json.dumps(before, sort_keys=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
