"""Producing a snapshot's files — JSON, CSV, the workbook, the DOCX and its PDF — with visible progress.

Files go to MEDIA_ROOT/national/<round>/<snapshot>-<generation>/ and are served only through the
access-checked download view. Everything is read from the snapshot (its data and its versions), so a
snapshot always gives the same figures.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from baocao06.jobs.progress import Progress

from .models import Generation, GenerationStatus, OutputFile, OutputKind, SnapshotVersion

logger = logging.getLogger("baocao06.compilation")

FILE_NAMES = {
    OutputKind.JSON: "national.json",
    OutputKind.CSV: "national-csv.zip",
    OutputKind.XLSX: "appendices.xlsx",
    OutputKind.DOCX: "report.docx",
    OutputKind.PDF: "report.pdf",
}


def snapshot_version_ids(snapshot) -> list[int]:
    """The snapshot's versions in the order units are listed (central bodies, provinces, communes)."""
    return list(
        SnapshotVersion.objects.filter(snapshot=snapshot)
        .order_by("unit__kind_order", "unit__sort_key", "unit__key")
        .values_list("version_id", flat=True)
    )


def write_outputs(snapshot, directory: Path, progress=None, problems: list[str] | None = None) -> dict[str, Path]:
    """Write every file of `snapshot` into `directory`; `progress(percent, step)` is told as it goes.
    A PDF LibreOffice cannot make is left out (the other files stand) and said in `problems`."""
    from baocao06.documents.pdf import PdfConversionError, docx_to_pdf
    from baocao06.rounds.document import document_settings

    from .drafting_actions import approved_body
    from .outputs.docx import write_docx
    from .outputs.tabular import write_csv_zip, write_json
    from .outputs.unit_sheets import UnitSource
    from .outputs.xlsx import write_workbook

    def tell(percent: int, step: str) -> None:
        if progress:
            progress(percent, step)

    directory.mkdir(parents=True, exist_ok=True)
    data, layout = snapshot.data, snapshot.round.get_layout()
    paths = {kind: directory / name for kind, name in FILE_NAMES.items()}
    tell(2, "Ghi bảng tổng hợp (JSON, CSV)")
    write_json(data, paths[OutputKind.JSON], layout)
    write_csv_zip(data, paths[OutputKind.CSV], layout)
    tell(10, "Ghi tệp phụ lục (XLSX)")
    write_workbook(
        data,
        layout,
        UnitSource(snapshot_version_ids(snapshot), layout, snapshot.round.layout_hash),
        paths[OutputKind.XLSX],
        progress=lambda fraction, step: tell(int(10 + fraction * 40), step),
    )
    tell(50, "Soạn báo cáo (DOCX)")
    document = document_settings(snapshot.round)
    write_docx(
        data,
        layout,
        paths[OutputKind.DOCX],
        progress=lambda p, step: tell(50 + p * 40 // 100, step),
        issued_on=None if document["issued_on"] else timezone.localdate(snapshot.created_at),
        document=document,
        draft=approved_body(snapshot),
        content_hash=snapshot.content_hash,
    )
    tell(92, "Chuyển báo cáo sang PDF (LibreOffice)")
    try:
        docx_to_pdf(paths[OutputKind.DOCX], paths[OutputKind.PDF])
    except PdfConversionError as exc:
        # The DOCX, workbook, JSON and CSV are made: they are kept, and the page says the PDF is missing
        # and why (a national DOCX of every unit's paragraphs can outlast LibreOffice's time limit).
        logger.warning("snapshot %s: no PDF: %s", snapshot.pk, exc)
        paths.pop(OutputKind.PDF)
        if problems is not None:
            problems.append(f"Chưa có bản PDF: {exc} Các tệp khác đã tạo xong; có thể tạo lại tệp để thử lại.")
    return paths


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_generation(generation_id: int) -> dict:
    """The task's work: write the files, record them, keep the progress (a background job, jobs/)."""
    generation = Generation.objects.select_related("snapshot__round").get(pk=generation_id)
    progress = Progress(Generation, generation.pk)
    if not progress.start():
        return {"generation": generation.pk, "status": generation.status}
    snapshot = generation.snapshot
    relative = Path("national") / str(snapshot.round_id) / f"{snapshot.number}-{generation.pk}"
    directory = Path(settings.MEDIA_ROOT) / relative
    try:
        problems: list[str] = []
        paths = write_outputs(snapshot, directory, progress, problems)
        with transaction.atomic():
            OutputFile.objects.filter(generation=generation).delete()
            OutputFile.objects.bulk_create(
                [
                    OutputFile(
                        generation=generation,
                        kind=kind,
                        name=path.name,
                        path=str(relative / path.name),
                        size=path.stat().st_size,
                        sha256=_sha256(path),
                    )
                    for kind, path in paths.items()
                ]
            )
            progress.done(*[problem[:200] for problem in problems[:1]])
    except Exception as exc:  # the person waiting sees the failure; the log keeps the details
        logger.exception("generation %s failed", generation.pk)
        progress.failed(exc, "Lỗi khi tạo tệp")
        raise
    return {"generation": generation.pk, "status": GenerationStatus.DONE, "files": len(paths)}
