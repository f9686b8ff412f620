"""The national DOCX opens in LibreOffice: converting it to PDF succeeds.

LibreOffice is a requirement of the test suite (`make browser` installs it); without it this test
fails and says so, rather than skipping, so that a broken DOCX cannot pass unnoticed.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from django.test import SimpleTestCase

from baocao06.compilation.outputs.docx import write_docx

from .national_fixture import layout_4709, national_data


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class LibreOfficeTests(SimpleTestCase):
    def test_libreoffice_converts_the_national_report_to_pdf(self):
        binary = soffice()
        self.assertIsNotNone(
            binary, "LibreOffice (soffice) is required: run `make browser` or apt-get install libreoffice-writer-nogui"
        )
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "bao-cao.docx"
            write_docx(national_data(provisional=True), layout_4709(), source, issued_on=dt.date(2024, 6, 20))
            profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
            try:
                result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                    [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                     "--outdir", tmp, str(source)],
                    capture_output=True, text=True, timeout=120, check=False,
                )  # fmt: skip
            finally:
                shutil.rmtree(profile, ignore_errors=True)
            pdf = Path(tmp) / "bao-cao.pdf"
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertTrue(pdf.exists(), f"no PDF: {result.stdout} {result.stderr}")
            content = pdf.read_bytes()
            self.assertTrue(content.startswith(b"%PDF"))
            self.assertGreater(len(content), 10_000)
