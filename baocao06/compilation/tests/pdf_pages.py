"""Reading a PDF LibreOffice wrote, just enough for the page tests: the pages in order and the
bookmarks (the document's outline) with the page each points to. No PDF library is installed; the
objects LibreOffice writes for the page tree and the outline are plain (not in object streams)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
REF = re.compile(rb"(\d+) 0 R")


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(source: Path) -> Path:
    """Convert with LibreOffice headless (its own throwaway profile); the PDF beside the source."""
    binary = soffice()
    if binary is None:
        raise AssertionError("LibreOffice (soffice) is required: apt-get install libreoffice-writer-nogui")
    profile = Path(tempfile.gettempdir()) / f"lo-{uuid.uuid4().hex}"
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [binary, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
             "--outdir", str(source.parent), str(source)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = source.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.exists():
        raise AssertionError(f"LibreOffice did not convert: {result.stdout} {result.stderr}")
    return pdf


def _objects(raw: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(raw)}


def _title(body: bytes) -> str | None:
    match = re.search(rb"/Title\s*<([0-9A-Fa-f\s]+)>", body)
    if match:
        data = bytes.fromhex(match.group(1).decode().replace(" ", "").replace("\n", ""))
        return data.decode("utf-16-be").lstrip("\ufeff") if data.startswith(b"\xfe\xff") else data.decode("latin-1")
    match = re.search(rb"/Title\s*\((.*?)\)", body, re.S)
    return match.group(1).decode("latin-1") if match else None


def pages_and_bookmarks(pdf: Path) -> tuple[int, list[tuple[str, int]]]:
    """(number of pages, [(bookmark title, 1-based page)] in outline order)."""
    objects = _objects(pdf.read_bytes())
    root = next(n for n, body in objects.items() if re.search(rb"/Type\s*/Catalog", body))
    pages_ref = int(re.search(rb"/Pages\s+(\d+) 0 R", objects[root]).group(1))
    order: list[int] = []

    def walk(number: int) -> None:
        body = objects[number]
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
        if kids and re.search(rb"/Type\s*/Pages", body):
            for ref in REF.findall(kids.group(1)):
                walk(int(ref))
        else:
            order.append(number)

    walk(pages_ref)
    index = {number: i + 1 for i, number in enumerate(order)}
    marks = []
    for body in objects.values():
        title = _title(body)
        dest = re.search(rb"/Dest\s*\[\s*(\d+) 0 R", body)
        if title is not None and dest:
            marks.append((title, index.get(int(dest.group(1)), 0)))
    marks.sort(key=lambda mark: mark[1])
    return len(order), marks
