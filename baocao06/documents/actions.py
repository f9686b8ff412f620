"""Writes of documents: asking for a version's PDF, keeping signed copies (uploaded or signed on the
server). Each is one transaction with one audit event; files are written before the row that names
them and removed again when the transaction fails, so a refused or failed write keeps nothing."""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baocao06.audit.actions import record
from baocao06.jobs import leases
from baocao06.jobs.models import ACTIVE, JobStatus
from baocao06.jobs.progress import Progress, enqueue

from .models import SignatureRoad, SignedDocument, VersionPdf
from .signatures import SignatureRefused, Verdict, verify_signed_pdf

logger = logging.getLogger("baocao06.documents")


def media(relative: str | Path) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def version_folder(version) -> Path:
    return Path("reports") / str(version.report_id) / f"{version.number}-{version.pk}"


# --- The version's PDF ----------------------------------------------------------------------------


def do_request_version_pdf(version, *, actor) -> VersionPdf:
    """Queue the PDF of `version` unless it is made or being made; a failed one is asked again."""
    from .tasks import version_pdf_task

    leases.reap()
    with transaction.atomic():
        job, created = VersionPdf.objects.select_for_update().get_or_create(
            version=version, defaults={"requested_by": actor, "step": "Đang chờ xử lý"}
        )
        if not created and (job.status in ACTIVE or job.status == JobStatus.DONE):
            return job
        if not created:  # failed before: start again
            VersionPdf.objects.filter(pk=job.pk).update(
                status=JobStatus.QUEUED, progress=0, step="Đang chờ xử lý", error="", task_id="",
                requested_by=actor, requested_at=timezone.now(),
            )  # fmt: skip
            job.refresh_from_db()
        record(
            "report.pdf_requested",
            version.report,
            actor=actor,
            unit=version.report.unit,
            version=version.number,
            job=job.pk,
        )
        enqueue(job, version_pdf_task, job.pk)
    return job


def run_version_pdf(job_id: int) -> dict:
    """The task: write the version's DOCX, convert it, record the PDF (safe to run again)."""
    from .pdf import docx_to_pdf
    from .unit_report import write_unit_report

    job = VersionPdf.objects.select_related("version__report__round", "version__report__unit").get(pk=job_id)
    progress = Progress(VersionPdf, job.pk)
    if not progress.start("Soạn văn bản (DOCX)"):
        return {"job": job.pk, "status": job.status}
    version = job.version
    relative = version_folder(version) / "bao-cao.pdf"
    try:
        with tempfile.TemporaryDirectory(prefix="baocao06-unit-") as tmp:
            source = Path(tmp) / "bao-cao.docx"
            write_unit_report(version, source)
            progress(40, "Chuyển sang PDF (LibreOffice)")
            docx_to_pdf(source, media(relative))
        target = media(relative)
        progress.done(path=str(relative), size=target.stat().st_size, sha256=_sha256(target))
    except Exception as exc:
        logger.exception("version pdf %s failed", job.pk)
        progress.failed(exc, "Lỗi khi tạo tệp PDF")
        raise
    return {"job": job.pk, "status": JobStatus.DONE}


# --- Signed copies --------------------------------------------------------------------------------


def _keep(source: Path, folder: Path) -> tuple[str, int, str]:
    relative = folder / f"da-ky-{uuid.uuid4().hex[:12]}.pdf"
    target = media(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return str(relative), target.stat().st_size, _sha256(target)


def _store(*, version=None, output=None, road, verdict: Verdict, source: Path, actor, folder: Path, audit_obj, unit):
    relative, size, sha = _keep(source, folder)
    try:
        with transaction.atomic():
            document = SignedDocument.objects.create(
                version=version,
                output=output,
                road=road,
                path=relative,
                size=size,
                sha256=sha,
                signer=verdict.signer[:255],
                subject=verdict.subject[:500],
                issuer=verdict.issuer[:500],
                serial=verdict.serial[:80],
                cert_valid_from=verdict.not_before,
                cert_valid_to=verdict.not_after,
                signed_at=verdict.signed_at,
                summary=verdict.summary[:200],
                stored_by=actor,
            )
            record(
                "report.signed_pdf_stored" if version is not None else "snapshot.signed_pdf_stored",
                audit_obj,
                actor=actor,
                unit=unit,
                document=document.pk,
                road=road,
                signer=document.signer,
                issuer=document.issuer,
                serial=document.serial,
                sha256=sha,
                **({"version": version.number} if version is not None else {"output": output.pk}),
            )
    except Exception:
        media(relative).unlink(missing_ok=True)
        raise
    return document


def do_upload_signed_pdf(version, upload_path: Path, *, actor) -> SignedDocument:
    """Keep the PDF the approver signed with their token, once it is checked: a valid PAdES signature
    from a trusted anchor over the whole file, and the version's own hash inside. Refused →
    `SignatureRefused` (audited as `report.signed_pdf_refused`), nothing kept."""
    try:
        verdict = verify_signed_pdf(upload_path, version.content_hash)
    except SignatureRefused as exc:
        record(
            "report.signed_pdf_refused",
            version.report,
            actor=actor,
            unit=version.report.unit,
            version=version.number,
            code=exc.code,
            reason=exc.message,
        )
        raise
    return _store(
        version=version,
        road=SignatureRoad.UPLOADED,
        verdict=verdict,
        source=upload_path,
        actor=actor,
        folder=version_folder(version),
        audit_obj=version.report,
        unit=version.report.unit,
    )


def do_sign_version_on_server(version, *, actor) -> SignedDocument:
    """Sign the version's PDF with the organisation's certificate (settings), check it like an upload,
    keep it."""
    from .signing import sign_pdf

    job = VersionPdf.objects.filter(version=version, status=JobStatus.DONE).first()
    if job is None:
        raise SignatureRefused("no_pdf", "Chưa có tệp PDF của lần gửi này; hãy tạo tệp PDF trước.")
    with tempfile.TemporaryDirectory(prefix="baocao06-sign-") as tmp:
        signed = sign_pdf(
            media(job.path),
            Path(tmp) / "signed.pdf",
            reason=f"Báo cáo {version.report.unit.name}, lần gửi {version.number}",
        )
        verdict = verify_signed_pdf(signed, version.content_hash)
        return _store(
            version=version,
            road=SignatureRoad.SERVER,
            verdict=verdict,
            source=signed,
            actor=actor,
            folder=version_folder(version),
            audit_obj=version.report,
            unit=version.report.unit,
        )


OTHER_SNAPSHOT = (
    "Tệp PDF đã ký là báo cáo tổng hợp của một lần tổng hợp khác (mã bản tổng hợp không khớp); "
    "hãy ký tệp PDF tải về từ lần tổng hợp này."
)
NO_SNAPSHOT_HASH = (
    "Tệp PDF đã ký không mang mã bản tổng hợp của hệ thống; hãy ký đúng tệp PDF báo cáo tổng hợp tải về từ trang này."
)


def do_upload_signed_national(output, upload_path: Path, *, actor) -> SignedDocument:
    """Keep the national report PDF the Secretariat's signer signed with their token, once checked as a
    unit's upload is: a valid PAdES signature from a trusted anchor over the whole file, and the
    snapshot's own hash in its keywords (written by the DOCX, compilation/outputs/docx.py). Refused →
    `SignatureRefused` (audited as `snapshot.signed_pdf_refused`), nothing kept."""
    snapshot = output.generation.snapshot
    try:
        try:
            verdict = verify_signed_pdf(upload_path, snapshot.content_hash)
        except SignatureRefused as exc:
            if exc.code == "other_version":
                raise SignatureRefused(exc.code, OTHER_SNAPSHOT, exc.detail) from None
            if exc.code == "no_hash":
                raise SignatureRefused(exc.code, NO_SNAPSHOT_HASH, exc.detail) from None
            raise
    except SignatureRefused as exc:
        record(
            "snapshot.signed_pdf_refused",
            snapshot,
            actor=actor,
            output=output.pk,
            code=exc.code,
            reason=exc.message,
        )
        raise
    return _store(
        output=output,
        road=SignatureRoad.UPLOADED,
        verdict=verdict,
        source=upload_path,
        actor=actor,
        folder=Path(output.path).parent,
        audit_obj=snapshot,
        unit=None,
    )


def do_sign_national_on_server(output, *, actor) -> SignedDocument:
    """Sign a national report PDF (an `OutputFile` of kind pdf) with the organisation's certificate."""
    from .signing import sign_pdf

    snapshot = output.generation.snapshot
    with tempfile.TemporaryDirectory(prefix="baocao06-sign-") as tmp:
        signed = sign_pdf(
            media(output.path), Path(tmp) / "signed.pdf", reason=f"Báo cáo tổng hợp, lần tổng hợp {snapshot.number}"
        )
        verdict = verify_signed_pdf(signed, None)
        return _store(
            output=output,
            road=SignatureRoad.SERVER,
            verdict=verdict,
            source=signed,
            actor=actor,
            folder=Path(output.path).parent,
            audit_obj=snapshot,
            unit=None,
        )
