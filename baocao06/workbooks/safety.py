"""Checking an uploaded workbook before anything parses it (QUALITY.md, "Uploads").

Order matters: the bytes are checked as a zip archive (size, entry count, total and per-entry
uncompressed size, compression ratio, entry names, macros, external links, embedded objects), then
every XML part is streamed through defusedxml's SAX parser with DTDs, entities and external references
forbidden,
counting rows and checking cell references, all within fixed limits. Only then does openpyxl open the
file. An .xlsx never needs a DTD, so refusing one costs nothing; openpyxl itself also parses
worksheets with defusedxml, but other parts with lxml when it is installed, which is why this check
does not rely on it.

Everything is read in bounded chunks: a zip bomb stops at the limit, not at the end of the bomb.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from io import BytesIO
from xml.sax import SAXException
from xml.sax.handler import ContentHandler

from defusedxml import DefusedXmlException
from defusedxml import sax as defused_sax

MAX_FILE_BYTES = 5 * 1024 * 1024  # one unit's report is ~50–150 KB
MAX_ENTRIES = 200
MAX_TOTAL_UNCOMPRESSED = 40 * 1024 * 1024
MAX_ENTRY_UNCOMPRESSED = 25 * 1024 * 1024
MAX_RATIO = 150  # uncompressed ÷ compressed, for entries above RATIO_FLOOR
RATIO_FLOOR = 256 * 1024
MAX_SHEET_ROWS = 6_000
MAX_COLUMNS = 100  # column CV
CHUNK = 64 * 1024

FORBIDDEN_PARTS = [
    (re.compile(r"(^|/)vbaProject\.bin$", re.I), "tệp có macro (VBA) — chỉ nhận tệp .xlsx không có macro"),
    (re.compile(r"^xl/macrosheets/", re.I), "tệp có trang macro Excel 4.0 — chỉ nhận tệp .xlsx không có macro"),
    (re.compile(r"^xl/externalLinks/", re.I), "tệp có liên kết tới tệp khác (external links)"),
    (re.compile(r"^xl/activeX/", re.I), "tệp có điều khiển ActiveX"),
    (re.compile(r"^xl/embeddings/", re.I), "tệp có đối tượng nhúng (OLE)"),
    (re.compile(r"^customUI/", re.I), "tệp có giao diện tùy biến (thường đi kèm macro)"),
]
MACRO_CONTENT_TYPE = re.compile(rb"macroEnabled|vbaProject|ms-excel\.(addin|template)", re.I)
SAFE_NAME = re.compile(r"^[A-Za-z0-9_\-./\[\]]+$")
CELL_REF = re.compile(r"^([A-Z]{1,3})(\d{1,7})$")


class WorkbookRefused(Exception):
    """The file cannot be taken at all; `message` says why, in Vietnamese, for a person."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass
class ArchiveInfo:
    entries: int
    uncompressed: int
    sheets: dict[str, int]  # part name → rows counted


def check_upload(data: bytes, filename: str = "") -> ArchiveInfo:
    """Refuse anything that is not a plain, reasonably sized .xlsx; return what was counted."""
    if filename and not filename.lower().endswith(".xlsx"):
        raise WorkbookRefused("Chỉ nhận tệp Excel .xlsx (không nhận .xls, .xlsm, .csv hay tệp khác).")
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookRefused(f"Tệp quá lớn ({len(data) // 1024} KB); giới hạn {MAX_FILE_BYTES // 1024 // 1024} MB.")
    if not data.startswith(b"PK\x03\x04"):
        if data.startswith(b"\xd0\xcf\x11\xe0"):
            raise WorkbookRefused(
                "Đây là tệp Excel cũ (.xls) hoặc tệp đã đặt mật khẩu; hãy lưu lại thành .xlsx không mật khẩu."
            )
        raise WorkbookRefused("Tệp không phải là tệp Excel .xlsx hợp lệ.")
    try:
        archive = zipfile.ZipFile(BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused("Tệp .xlsx bị hỏng, không đọc được.") from None
    _check_entries(infos)
    total = 0
    sheets: dict[str, int] = {}
    for info in infos:
        if info.is_dir():
            continue
        if info.filename == "[Content_Types].xml":
            content = _read_bounded(archive, info, 1024 * 1024)
            if MACRO_CONTENT_TYPE.search(content):
                raise WorkbookRefused("Tệp có macro (.xlsm đổi tên thành .xlsx); chỉ nhận tệp .xlsx không có macro.")
        if info.filename.endswith((".xml", ".rels", ".vml")):
            total += _scan_xml(archive, info, sheets)
        else:
            total += len(_read_bounded(archive, info, MAX_ENTRY_UNCOMPRESSED))
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise WorkbookRefused("Tệp giải nén ra quá lớn (nghi là “zip bomb”); không xử lý.")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise WorkbookRefused("Tệp không phải là bảng tính Excel (.xlsx) hợp lệ.")
    return ArchiveInfo(len(infos), total, sheets)


def _check_entries(infos: list[zipfile.ZipInfo]) -> None:
    if len(infos) > MAX_ENTRIES:
        raise WorkbookRefused(f"Tệp có quá nhiều thành phần ({len(infos)}); không phải mẫu báo cáo.")
    declared = 0
    for info in infos:
        name = info.filename
        if not SAFE_NAME.match(name) or name.startswith("/") or ".." in name.split("/") or "\\" in name or ":" in name:
            raise WorkbookRefused("Tệp có thành phần với tên không hợp lệ (đường dẫn lạ); không xử lý.")
        for pattern, reason in FORBIDDEN_PARTS:
            if pattern.search(name):
                raise WorkbookRefused(f"Không nhận tệp này: {reason}.")
        if info.flag_bits & 0x1:
            raise WorkbookRefused("Tệp đã được mã hóa; hãy lưu lại không đặt mật khẩu.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise WorkbookRefused("Tệp nén theo cách không hỗ trợ.")
        if info.file_size > MAX_ENTRY_UNCOMPRESSED:
            raise WorkbookRefused("Tệp giải nén ra quá lớn (nghi là “zip bomb”); không xử lý.")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise WorkbookRefused("Tệp có tỉ lệ nén bất thường (nghi là “zip bomb”); không xử lý.")
        declared += info.file_size
    if declared > MAX_TOTAL_UNCOMPRESSED:
        raise WorkbookRefused("Tệp giải nén ra quá lớn (nghi là “zip bomb”); không xử lý.")


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read one entry, stopping as soon as it exceeds `limit` whatever its header claims."""
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limit:
                    raise WorkbookRefused("Tệp giải nén ra quá lớn (nghi là “zip bomb”); không xử lý.")
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise WorkbookRefused("Tệp .xlsx bị hỏng, không đọc được.") from None
    return bytes(out)


class _SheetCounter(ContentHandler):
    """Counts a worksheet's rows and checks cell references while the parser streams it."""

    def __init__(self, is_sheet: bool):
        super().__init__()
        self.is_sheet = is_sheet
        self.rows = 0

    def startElement(self, name, attrs):
        if not self.is_sheet:
            return
        local = name.rsplit(":", 1)[-1]
        if local == "row":
            self.rows += 1
            number = attrs.get("r")
            if self.rows > MAX_SHEET_ROWS or (number and (not number.isdigit() or int(number) > MAX_SHEET_ROWS)):
                raise WorkbookRefused(f"Một trang có quá nhiều dòng (giới hạn {MAX_SHEET_ROWS} dòng); không xử lý.")
        elif local == "c":
            ref = CELL_REF.match(attrs.get("r") or "A1")
            if ref is None or _column_number(ref.group(1)) > MAX_COLUMNS or int(ref.group(2)) > MAX_SHEET_ROWS:
                raise WorkbookRefused("Một trang có ô nằm ngoài phạm vi của mẫu báo cáo; không xử lý.")


def _scan_xml(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheets: dict[str, int]) -> int:
    """Stream one XML part through defusedxml (DTDs, entities and external references refused)."""
    is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    counter = _SheetCounter(is_sheet)
    parser = defused_sax.make_parser()
    parser.forbid_dtd = True
    parser.forbid_entities = True
    parser.forbid_external = True
    parser.setContentHandler(counter)
    size = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > MAX_ENTRY_UNCOMPRESSED:
                    raise WorkbookRefused("Tệp giải nén ra quá lớn (nghi là “zip bomb”); không xử lý.")
                parser.feed(chunk)
            parser.close()
    except DefusedXmlException:
        raise WorkbookRefused(
            "Tệp có khai báo DTD/ENTITY trong XML (có thể là tấn công “billion laughs”); không xử lý."
        ) from None
    except SAXException:
        raise WorkbookRefused(f"Tệp .xlsx bị hỏng (XML không hợp lệ ở {info.filename}).") from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise WorkbookRefused("Tệp .xlsx bị hỏng, không đọc được.") from None
    if is_sheet:
        sheets[info.filename] = counter.rows
    return size


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number
