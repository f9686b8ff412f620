"""A version's report as a document (DOCX, PDF) and its signed copies; the national PDF signed on the server.

Access is the report's (`reports/access.py`): whoever may read the report reads its documents; the
unit's approver (who submits) signs. The national report's PDF is signed by the Secretariat.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.core.middleware import allows_body
from baocao06.reports.access import access_report, require_secretariat

from .actions import (
    do_request_version_pdf,
    do_sign_national_on_server,
    do_sign_version_on_server,
    do_upload_signed_national,
    do_upload_signed_pdf,
    media,
)
from .models import SignedDocument, VersionPdf
from .signatures import SIGNED_PDF_BODY_LIMIT, SignatureRefused, max_bytes, too_large_message
from .signing import server_signing_configured
from .unit_report import document_name, write_unit_report

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _version(request, report_id: int, number: int, *, submit: bool = False):
    report = access_report(request.user, report_id, submit=submit)
    version = report.versions.select_related("submitted_by").filter(number=number).first()
    if version is None:
        raise Http404
    version.report = report
    return version


def version_url(version) -> str:
    return reverse("reports:version", args=[version.report_id, version.number])


def documents_context(request, version) -> dict:
    """What the version page shows of its documents (also the polled fragment)."""
    from baocao06.reports.access import can_submit_report

    return {
        "version": version,
        "pdf_job": VersionPdf.objects.filter(version=version).first(),
        "signed": list(SignedDocument.objects.filter(version=version).order_by("-verified_at", "-id")),
        "can_sign": can_submit_report(request.user, version.report),
        "server_signing": server_signing_configured(),
        "max_mb": max_bytes() // (1024 * 1024),
    }


@login_required
@require_GET
def version_documents(request, report_id: int, number: int):
    """The fragment polled by htmx while the PDF is being made."""
    version = _version(request, report_id, number)
    return render(request, "documents/_version_documents.html", documents_context(request, version))


@login_required
@require_GET
def version_docx(request, report_id: int, number: int):
    version = _version(request, report_id, number)
    out = io.BytesIO()
    write_unit_report(version, out)
    response = HttpResponse(out.getvalue(), content_type=DOCX)
    response["Content-Disposition"] = f'attachment; filename="{document_name(version, "docx")}"'
    return response


@login_required
@require_POST
def request_pdf(request, report_id: int, number: int):
    version = _version(request, report_id, number)
    do_request_version_pdf(version, actor=request.user)
    if request.htmx:
        return render(request, "documents/_version_documents.html", documents_context(request, version))
    return redirect(version_url(version))


@login_required
@require_GET
def version_pdf(request, report_id: int, number: int):
    version = _version(request, report_id, number)
    job = VersionPdf.objects.filter(version=version, status="done").first()
    if job is None:
        raise Http404
    response = FileResponse(media(job.path).open("rb"), as_attachment=True, filename=document_name(version, "pdf"))
    response["Content-Type"] = "application/pdf"
    return response


@allows_body(SIGNED_PDF_BODY_LIMIT)
@login_required
@require_POST
def upload_signed(request, report_id: int, number: int):
    """The approver's signed copy: checked (size, signature, trust, version) before anything is kept."""
    version = _version(request, report_id, number, submit=True)
    document = _take_signed_upload(request, lambda path: do_upload_signed_pdf(version, path, actor=request.user))
    if document is not None:
        messages.success(request, f"Đã kiểm tra và lưu bản PDF đã ký số của {document.signer}: chữ ký hợp lệ.")
    return redirect(version_url(version))


def _take_signed_upload(request, keep):
    """The uploaded signed PDF handed to `keep(path)` (an audited action that checks it) from a
    temporary file; None, with the reason as a message, when nothing was chosen, the file is over the
    limit or the check refuses it."""
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chưa chọn tệp PDF đã ký để tải lên.")
        return None
    if upload.size > max_bytes():
        messages.error(request, too_large_message())
        return None
    with tempfile.TemporaryDirectory(prefix="baocao06-upload-") as tmp:
        path = Path(tmp) / "upload.pdf"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            return keep(path)
        except SignatureRefused as exc:
            messages.error(request, f"Không nhận tệp {upload.name}: {exc.message}")
            return None


@login_required
@require_POST
def sign_on_server(request, report_id: int, number: int):
    version = _version(request, report_id, number, submit=True)
    if not server_signing_configured():
        raise PermissionDenied("Chưa cấu hình ký số trên máy chủ.")
    try:
        document = do_sign_version_on_server(version, actor=request.user)
    except SignatureRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã ký số trên máy chủ bằng chứng thư của {document.signer}.")
    return redirect(version_url(version))


@login_required
@require_GET
def signed_download(request, document_id: int):
    document = get_object_or_404(SignedDocument.objects.select_related("version", "output"), pk=document_id)
    if document.version_id:
        version = _version(request, document.version.report_id, document.version.number)
        name = document_name(version, "pdf").replace(".pdf", "-da-ky.pdf")
    else:
        require_secretariat_or_viewer(request.user)
        name = document.output.download_name.replace(".pdf", "-da-ky.pdf")
    response = FileResponse(media(document.path).open("rb"), as_attachment=True, filename=name)
    response["Content-Type"] = "application/pdf"
    return response


def require_secretariat_or_viewer(user) -> None:
    from baocao06.reports.access import require_viewer

    require_viewer(user)


@login_required
@require_POST
def sign_national(request, file_id: int):
    from baocao06.compilation.models import OutputFile, OutputKind

    require_secretariat(request.user)
    files = OutputFile.objects.select_related("generation__snapshot")
    output = get_object_or_404(files, pk=file_id, kind=OutputKind.PDF)
    back = reverse("compilation:national", args=[output.generation.snapshot.round_id])
    if not server_signing_configured():
        raise PermissionDenied("Chưa cấu hình ký số trên máy chủ.")
    try:
        document = do_sign_national_on_server(output, actor=request.user)
    except SignatureRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Đã ký số báo cáo tổng hợp bằng chứng thư của {document.signer}.")
    return redirect(back)


@allows_body(SIGNED_PDF_BODY_LIMIT)
@login_required
@require_POST
def upload_signed_national(request, file_id: int):
    """The national report PDF signed with the signer's token, uploaded by the Secretariat: checked
    (size, signature, trust, the snapshot's hash) before anything is kept."""
    from baocao06.compilation.models import OutputFile, OutputKind

    require_secretariat(request.user)
    files = OutputFile.objects.select_related("generation__snapshot")
    output = get_object_or_404(files, pk=file_id, kind=OutputKind.PDF)
    back = reverse("compilation:national", args=[output.generation.snapshot.round_id])
    document = _take_signed_upload(request, lambda path: do_upload_signed_national(output, path, actor=request.user))
    if document is not None:
        messages.success(
            request, f"Đã kiểm tra và lưu báo cáo tổng hợp đã ký số của {document.signer}: chữ ký hợp lệ."
        )
    return redirect(back)
