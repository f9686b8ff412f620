"""DOCX → PDF with LibreOffice headless (PDF/A-2b), run on the background worker.

Each conversion gets its own LibreOffice profile in a temporary folder (`-env:UserInstallation`), so
two conversions at once never share a profile lock and nothing a conversion leaves behind survives
it; a conversion that runs past `BAOCAO06_PDF_TIMEOUT` seconds is killed with its process group.
LibreOffice's PDF export writes the document's title, subject and keywords (DOCX core properties)
into the PDF's Info dictionary and XMP metadata: that is how a unit report's version hash travels
into its PDF (documents/unit_report.py) and back out of a signed copy (documents/signatures.py).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

# writer_pdf_Export's filter options: SelectPdfVersion 2 = PDF/A-2b (1 = PDF/A-1b, 3 = PDF/A-3b).
PDF_A2B_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'


class PdfConversionError(RuntimeError):
    """LibreOffice did not produce a PDF (missing, timed out, or failed); the message is Vietnamese."""


def soffice_binary() -> str:
    configured = getattr(settings, "BAOCAO06_SOFFICE", "") or ""
    found = configured or shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise PdfConversionError(
            "Không tìm thấy LibreOffice (soffice) để tạo tệp PDF. Cài gói libreoffice-writer-nogui "
            "hoặc đặt BAOCAO06_SOFFICE."
        )
    return found


def docx_to_pdf(docx: Path, pdf: Path, *, timeout: float | None = None) -> Path:
    """Convert `docx` to a PDF/A-2b file at `pdf` (written whole or not at all); return `pdf`."""
    timeout = timeout or float(getattr(settings, "BAOCAO06_PDF_TIMEOUT", 180))
    binary = soffice_binary()
    with tempfile.TemporaryDirectory(prefix="baocao06-pdf-") as work:
        work_dir = Path(work)
        source = work_dir / "in" / "document.docx"
        source.parent.mkdir()
        shutil.copyfile(docx, source)
        out_dir = work_dir / "out"
        command = [
            binary,
            f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            PDF_A2B_FILTER,
            "--outdir",
            str(out_dir),
            str(source),
        ]
        env = {**os.environ, "HOME": str(work_dir), "SAL_USE_VCLPLUGIN": "svp"}
        process = subprocess.Popen(  # noqa: S603 - a fixed command, the file name is ours
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        try:
            _out, err = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfConversionError(f"LibreOffice không tạo xong tệp PDF trong {timeout:.0f} giây.") from None
        produced = out_dir / "document.pdf"
        if process.returncode != 0 or not produced.exists() or produced.stat().st_size == 0:
            detail = err.decode("utf-8", "replace").strip()[-300:]
            raise PdfConversionError(f"LibreOffice không tạo được tệp PDF (mã {process.returncode}). {detail}")
        pdf.parent.mkdir(parents=True, exist_ok=True)
        partial = pdf.with_name(pdf.name + ".part")
        shutil.copyfile(produced, partial)
        partial.replace(pdf)
    return pdf
