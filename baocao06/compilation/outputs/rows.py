"""Fast rows on an XlsxWriter skeleton: the national workbook's cells as ready XML.

A national workbook holds ~4 million cells on ~3,400 sheets. XlsxWriter's cell API costs ~6 µs a
cell (~25 s), and its `constant_memory` mode keeps two temporary files per sheet (~20 s more on an
ordinary disk). So XlsxWriter builds only the skeleton, in memory: every sheet with its settings
(column widths, frozen panes, print setup, repeated header rows), the styles, the shared strings, the
package parts. The rows are written here as XML (~1 µs a cell), compressed in memory as each sheet is
written (raw deflate), and `assemble` puts each sheet's rows into the skeleton's empty `<sheetData/>`
while it copies the skeleton into the final .xlsx, the deflated rows as they are (not compressed a
second time). Memory holds the compressed rows (~1/8 of the XML).

Safety is the same as the house exporters (`core.safe_export`, `workbooks.export`): a text is only
ever an inline or shared *string* cell, never a formula, and a text starting with = + - @ tab, CR,
LF or NUL also carries Excel's quote prefix, so it stays text when someone edits the cell.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
import zlib
from decimal import Decimal

import xlsxwriter
from xlsxwriter.exceptions import DuplicateWorksheetName, InvalidWorksheetName
from xlsxwriter.utility import xl_col_to_name

RISKY_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
CELL_LIMIT = 32_767  # characters an Excel cell holds
_ESCAPED = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_LETTERS = [xl_col_to_name(i) for i in range(256)]
_INVALID_NAME = re.compile(r"[\[\]:*?/\\]")


class Workbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook with a sheet-name check that stays fast for thousands of sheets.

    XlsxWriter compares each new name with every sheet already added (quadratic: ~10 s for 3,400
    sheets); this keeps the same rules with a set of the names taken, case ignored like Excel.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._names_taken: set[str] = set()
        self.bodies: dict[int, tuple[str, list[bytes]]] = {}  # sheet index → (used range, compressed rows)

    def _check_sheetname(self, sheetname, is_chartsheet=False):
        if not sheetname or len(sheetname.encode("utf-16-le")) > 62 or _INVALID_NAME.search(sheetname):
            raise InvalidWorksheetName(f"Tên trang không hợp lệ: {sheetname!r}")
        if sheetname.startswith("'") or sheetname.endswith("'"):
            raise InvalidWorksheetName(f"Tên trang không hợp lệ: {sheetname!r}")
        if sheetname.casefold() in self._names_taken:
            raise DuplicateWorksheetName(f"Tên trang đã dùng: {sheetname!r}")
        self._names_taken.add(sheetname.casefold())
        self.sheetname_count += 1
        return sheetname


class Label(str):
    """A text repeated across many cells (row labels, headers, unit names): stored once, as a
    shared string. Texts units typed are written inline so that memory stays bounded."""

    __slots__ = ()


def xml_text(text: str) -> str:
    """A text as the content of <t>: control characters as Excel's _xHHHH_, XML escaped."""
    if len(text) > CELL_LIMIT:
        text = text[:CELL_LIMIT]
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


class Styles:
    """Named XlsxWriter formats as ready ` s="N"` attributes, each with a quote-prefixed twin for risky text."""

    def __init__(self, book, specs: dict[str, dict], base: dict):
        self.attr: dict[str | None, str] = {None: ""}
        for name, spec in specs.items():
            plain = book.add_format({**base, **spec})._get_xf_index()
            quoted = book.add_format({**base, **spec, "quote_prefix": True})._get_xf_index()
            self.attr[name] = f' s="{plain}"'
            self.attr[name + "_q"] = f' s="{quoted}"'
        self.attr["_q"] = self.attr["text_q"]


class Sheet:
    """Rows written in order (0-based), each a list of (value, style name) or None per column."""

    FLUSH = 1 << 20  # characters buffered before they are compressed
    # The rows' deflate level, which is also the file's (`assemble` copies them): level 3 costs ~1.2×
    # level 1's time for a ~10 % smaller file; level 6 (what zipfile gave before) ~3×, for 14 % less.
    LEVEL = 3

    def __init__(self, book, worksheet, styles: Styles, *, shared: bool = True):
        self.book = book
        self.ws = worksheet
        self.attr = styles.attr
        # Without shared strings (the unit sheets, possibly written by a second process that has no
        # string table) a Label is written inline, its XML made once per distinct text.
        self.shared = book.str_table._get_shared_string_index if shared else None
        self._inline: dict[str, str] = {}
        self.next_row = 0
        self.max_col = -1
        self._buffer: list[str] = []
        self._size = 0
        self._zip = zlib.compressobj(self.LEVEL, zlib.DEFLATED, -15)  # raw deflate: `assemble` copies it as it is
        self._chunks: list[bytes] = []

    def write(self, xml: str) -> None:
        self._buffer.append(xml)
        self._size += len(xml)
        if self._size > self.FLUSH:
            self._flush()

    def _flush(self) -> None:
        if self._buffer:
            self._chunks.append(self._zip.compress("".join(self._buffer).encode()))
            self._buffer, self._size = [], 0

    def row(self, cells, *, height: float | None = None) -> int:
        """Write the next row; returns its 0-based index."""
        r = self.next_row
        self.next_row = r + 1
        number = str(r + 1)
        attr = self.attr
        out = []
        last = -1
        for col, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            kind = type(value)
            ref = _LETTERS[col] + number
            if kind is Label:
                if not value:
                    if style:
                        out.append(f'<c r="{ref}"{attr[style]}/>')
                        last = col
                    continue
                if value.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                if self.shared is None:
                    inline = self._inline.get(value)
                    if inline is None:
                        space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                        inline = self._inline[value] = f' t="inlineStr"><is><t{space}>{xml_text(value)}</t></is></c>'
                    out.append(f'<c r="{ref}"{attr[style]}{inline}')
                    last = col
                    continue
                index = self.shared(value[:CELL_LIMIT])
                out.append(f'<c r="{ref}"{attr[style]} t="s"><v>{index}</v></c>')
            elif kind is int:
                out.append(f'<c r="{ref}"{attr[style]}><v>{value}</v></c>')
            elif kind is str:
                if not value:
                    if style:
                        out.append(f'<c r="{ref}"{attr[style]}/>')
                        last = col
                    continue
                if value.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                space = ' xml:space="preserve"' if value[0].isspace() or value[-1].isspace() else ""
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t{space}>{xml_text(value)}</t></is></c>')
            elif kind is float or kind is Decimal:
                value = float(value)
                if not math.isfinite(value):
                    continue
                out.append(f'<c r="{ref}"{attr[style]}><v>{value:.16G}</v></c>')
            elif value is None:
                if style:
                    out.append(f'<c r="{ref}"{attr[style]}/>')
                    last = col
                continue
            elif kind is bool:
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t>{"Có" if value else "Không"}</t></is></c>')
            else:  # anything else (a subclass of int or str): as text
                text = str(value)
                if text.startswith(RISKY_START):
                    style = f"{style or ''}_q"
                out.append(f'<c r="{ref}"{attr[style]} t="inlineStr"><is><t>{xml_text(text)}</t></is></c>')
            last = col
        if out or height:
            extra = f' ht="{height}" customHeight="1"' if height else ""
            self.write(f'<row r="{number}"{extra}>{"".join(out)}</row>')
            if last > self.max_col:
                self.max_col = last
        return r

    def body(self) -> tuple[str, list[bytes]]:
        """The sheet's used range and compressed rows (see `assemble`)."""
        self._flush()
        # A sync flush ends the rows on a byte boundary without a final block, so `assemble` can put
        # them between the compressed head and tail of the sheet's XML as one deflate stream.
        self._chunks.append(self._zip.flush(zlib.Z_SYNC_FLUSH))
        last = f"{_LETTERS[max(self.max_col, 0)]}{max(self.next_row, 1)}"
        return (f"A1:{last}" if last != "A1" else "A1", self._chunks)

    def finish(self) -> None:
        """Hand the sheet's compressed rows and used range to the workbook (see `assemble`)."""
        self.book.bodies[self.ws.index] = self.body()


def assemble(skeleton: bytes, bodies: dict[int, tuple[str, list[bytes]]], path, compresslevel: int = 1) -> None:
    """The final .xlsx: the skeleton's parts, each sheet's `<sheetData/>` replaced by its rows.

    The rows are already deflated (`Sheet`): they are copied into the zip as they are, between the
    deflated head and tail of the sheet's XML, and only read back (decompressed) for the member's CRC;
    compressing ~400 MB of national XML a second time took longer than writing it."""
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            body = _SHEET_PART.fullmatch(info.filename)
            entry = bodies.get(int(body.group(1)) - 1) if body else None
            out = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            out.compress_type = zipfile.ZIP_DEFLATED
            if entry is None:
                target.writestr(out, data)
                continue
            ref, chunks = entry
            head, tail = data.decode().split("<sheetData/>", 1)
            head = head.replace('<dimension ref="A1"/>', f'<dimension ref="{ref}"/>', 1)
            head_bytes, tail_bytes = head.encode() + b"<sheetData>", b"</sheetData>" + tail.encode()
            with target.open(out, "w", force_zip64=True) as stream:
                if not isinstance(getattr(stream, "_compressor", None), type(zlib.compressobj())):
                    _recompress(stream, head_bytes, chunks, tail_bytes)  # another zipfile than 3.11's
                    continue
                crc, size = zlib.crc32(head_bytes), len(head_bytes)
                rows = zlib.decompressobj(-15)
                for chunk in chunks:
                    piece = rows.decompress(chunk)
                    crc, size = zlib.crc32(piece, crc), size + len(piece)
                crc, size = zlib.crc32(tail_bytes, crc), size + len(tail_bytes)
                start, end = (zlib.compressobj(Sheet.LEVEL, zlib.DEFLATED, -15) for _ in range(2))
                stream._compressor = _Deflated()
                stream.write(start.compress(head_bytes) + start.flush(zlib.Z_SYNC_FLUSH))
                for chunk in chunks:
                    stream.write(chunk)
                stream.write(end.compress(tail_bytes) + end.flush())
                # zipfile counted the deflated bytes as the content: the member's own CRC and size
                stream._crc, stream._file_size = crc, size
            chunks.clear()


class _Deflated:
    """A compressor for zipfile's member writer that passes already deflated bytes through."""

    def compress(self, data) -> bytes:
        return data

    def flush(self) -> bytes:
        return b""


def _recompress(stream, head: bytes, chunks: list[bytes], tail: bytes) -> None:
    stream.write(head)
    rows = zlib.decompressobj(-15)
    for chunk in chunks:
        stream.write(rows.decompress(chunk))
    stream.write(rows.flush() + tail)


_SHEET_PART = re.compile(r"xl/worksheets/sheet(\d+)\.xml")
