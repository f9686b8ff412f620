"""The report page's Excel buttons: download the unit's workbook, upload it back (check or import)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.core.middleware import allows_body
from baocao06.reports.access import access_report, can_edit_report

from .actions import do_import_workbook
from .export import export_report
from .safety import MAX_FILE_BYTES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_filename(report) -> str:
    """An ASCII file name: unit key, round id (names with Vietnamese letters vary by browser)."""
    return f"baocao06-{re.sub(r'[^A-Za-z0-9_-]', '', report.unit.key)}-ky{report.round_id}.xlsx"


@login_required
@require_GET
def download(request, report_id: int):
    report = access_report(request.user, report_id)
    response = HttpResponse(export_report(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{workbook_filename(report)}"'
    response["Cache-Control"] = "no-store"
    return response


@allows_body(MAX_FILE_BYTES + 64 * 1024)  # the file and the form around it
@login_required
@require_POST
def upload(request, report_id: int):
    """Check (`action=check`) or import (`action=import`) an uploaded workbook; htmx gets a fragment."""
    report = access_report(request.user, report_id, edit=True)
    template = "workbooks/_result.html" if request.htmx else "workbooks/result.html"
    context = {"report": report, "plan": None, "error": None, "dry_run": request.POST.get("action") != "import"}
    upload = request.FILES.get("file")
    if upload is None:
        context["error"] = "Chưa chọn tệp Excel (.xlsx) để tải lên."
        return render(request, template, context, status=400)
    if not report.is_editable or not can_edit_report(request.user, report):
        context["error"] = "Báo cáo không còn sửa được (đang chờ thẩm định, đã tiếp nhận, hoặc kỳ báo cáo đã khóa)."
        return render(request, template, context, status=409)
    data = upload.read(MAX_FILE_BYTES + 1)
    plan = do_import_workbook(
        report,
        data,
        upload.name or "",
        actor=request.user,
        dry_run=context["dry_run"],
        overwrite=request.POST.get("overwrite") == "1",
    )
    context["plan"] = plan
    if plan.saved:
        messages.success(request, f"Đã nhập tệp {upload.name}: cập nhật {len(plan.to_save)} phần của báo cáo.")
        if request.htmx:
            response = HttpResponse("")
            response["HX-Redirect"] = reverse("reports:detail", args=[report.pk])
            return response
        return redirect("reports:detail", report.pk)
    return render(request, template, context, status=422 if plan.refused else 200)
