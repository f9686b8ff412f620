"""Checking a signed PDF (PAdES) before it is kept: size first, then pyHanko in a bounded child process.

An uploaded PDF is hostile until checked, like a workbook: its size is refused from the request before
it is read (the view's body limit) and again here; it is then parsed only in a child process
(`documents/pdfcheck.py`) with limited address space (`BAOCAO06_SIGNED_PDF_MEMORY_MB`), CPU time
(`BAOCAO06_SIGNED_PDF_CPU_SECONDS`) and wall-clock time (`BAOCAO06_SIGNED_PDF_TIMEOUT`); a child that
runs out of any of them is a refusal. Nothing in the file is run. The signature is validated against
the trust anchors the operator configures (`BAOCAO06_SIGNATURE_TRUST_ROOTS`, with
`BAOCAO06_SIGNATURE_INTERMEDIATES`), and the version hash embedded in the PDF's metadata must be the
version's own (documents/unit_report.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .pdfcheck import MESSAGES


class SignatureRefused(Exception):
    """The file is not kept; `message` says why, in Vietnamese."""

    def __init__(self, code: str, message: str | None = None, detail: str = ""):
        self.code = code
        self.message = message or MESSAGES.get(code, "Hệ thống không nhận tệp PDF đã ký này.")
        self.detail = detail
        super().__init__(self.message)


@dataclass(frozen=True)
class Verdict:
    signer: str
    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime | None
    not_after: dt.datetime | None
    signed_at: dt.datetime | None
    summary: str


def max_bytes() -> int:
    return int(settings.BAOCAO06_SIGNED_PDF_MAX_BYTES)


def too_large_message() -> str:
    return f"Tệp PDF đã ký lớn hơn {max_bytes() // (1024 * 1024)} MB; hệ thống không nhận tệp này."


def _limits() -> None:  # runs in the child, before pyHanko is imported
    memory = int(settings.BAOCAO06_SIGNED_PDF_MEMORY_MB) * 1024 * 1024
    cpu = int(settings.BAOCAO06_SIGNED_PDF_CPU_SECONDS)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def trust_roots() -> list[str]:
    return list(settings.BAOCAO06_SIGNATURE_TRUST_ROOTS)


def verify_signed_pdf(path: Path, expected_hash: str | None) -> Verdict:
    """The signature's facts when `path` is a validly signed PDF of the version with `expected_hash`
    (None: no hash is required, for the national report); `SignatureRefused` otherwise."""
    if path.stat().st_size > max_bytes():
        raise SignatureRefused("too_large", too_large_message())
    roots = trust_roots()
    if not roots:
        raise SignatureRefused(
            "no_anchors",
            "Hệ thống chưa được cấu hình chứng thư gốc tin cậy (BAOCAO06_SIGNATURE_TRUST_ROOTS); "
            "chưa thể kiểm tra chữ ký số.",
        )
    request = {
        "path": str(path),
        "trust_roots": roots,
        "intermediates": list(settings.BAOCAO06_SIGNATURE_INTERMEDIATES),
        "expected_hash": expected_hash,
    }
    root = Path(settings.BASE_DIR)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(root), "LANG": "C.UTF-8"}
    try:
        result = subprocess.run(
            [sys.executable, "-B", "-m", "baocao06.documents.pdfcheck"],
            input=json.dumps(request).encode(),
            capture_output=True,
            timeout=float(settings.BAOCAO06_SIGNED_PDF_TIMEOUT),
            preexec_fn=_limits,
            cwd=root,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SignatureRefused("too_complex", detail="timeout") from None
    if result.returncode != 0:
        raise SignatureRefused("too_complex", detail=f"exit {result.returncode}")
    try:
        answer = json.loads(result.stdout.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise SignatureRefused("too_complex", detail="no answer") from None
    if not answer.get("ok"):
        raise SignatureRefused(answer.get("code", "invalid"), answer.get("message"), answer.get("detail", ""))

    def when(value):
        return dt.datetime.fromisoformat(value) if value else None

    return Verdict(
        signer=answer["signer"],
        subject=answer["subject"],
        issuer=answer["issuer"],
        serial=answer["serial"],
        not_before=when(answer.get("not_before")),
        not_after=when(answer.get("not_after")),
        signed_at=when(answer.get("signed_at")),
        summary=answer.get("summary", ""),
    )


# The request body a signed-PDF upload may have (the view's own limit, BodyLimitMiddleware): the largest
# file allowed by default and the form around it; a smaller BAOCAO06_SIGNED_PDF_MAX_BYTES is checked again.
SIGNED_PDF_BODY_LIMIT = 20 * 1024 * 1024 + 64 * 1024
