"""Importing a workbook into a report: the one write of this app, all or nothing."""

from __future__ import annotations

import logging

from baocao06.reports.actions import NotEditable, PartsConflict, do_save_parts

from .importing import ImportPlan, plan_import

logger = logging.getLogger("baocao06.workbooks")


def do_import_workbook(
    report, data: bytes, filename: str, *, actor, dry_run: bool = False, overwrite: bool = False
) -> ImportPlan:
    """Check a workbook against `report` and, unless `dry_run` or anything is wrong, save every changed
    part in one transaction (`do_save_parts`, one audit event with the file's name and checksum).

    A file with any error, a part changed on both sides since export (unless `overwrite`), a report
    that can no longer be edited, or a part saved by someone else meanwhile: nothing is written and
    the plan says why. The same file imported twice writes nothing the second time.
    """
    plan = plan_import(report, data, filename, overwrite=overwrite)
    if dry_run or plan.refused or not plan.to_save:
        return plan
    try:
        do_save_parts(
            report,
            plan.to_save,
            plan.base_revisions,
            actor=actor,
            source="excel",
            file=filename[:200],
            sha256=plan.sha256,
            ignored=len(plan.ignored),
        )
    except PartsConflict as exc:
        plan.refusal = f"{exc} Hãy thử lại; bản trong tệp đã được giữ lại."
    except NotEditable as exc:
        plan.refusal = str(exc)
    else:
        plan.saved = True
        logger.info("workbook imported: report=%s parts=%s", report.pk, sorted(plan.to_save))
    return plan
