"""One unit's report, from one submitted version, as a DOCX laid out to Decree 30/2020/NĐ-CP (annex I).

The header names the unit as issuer (documents/issuers.py), then "BÁO CÁO" and the subject, "Kính
gửi: Tổ công tác triển khai Đề án 06", the sections with the unit's texts, "Nơi nhận" and the signer;
each appendix table of the definition that addresses the unit follows on its own page, in the
orientation the definition gives it. Nothing here names a section or a table: the outline and the
columns come from the round's layout, the values from the version's content.

The version's content hash is written into the document's properties — the keywords
(`baocao06-version-<sha256>`, carried by LibreOffice into the PDF's Info dictionary and XMP metadata)
and a custom property `baocao06-version` — so a signed PDF can be matched to its version
(documents/signatures.py).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt

from baocao06.compilation.outputs.decree30 import borderless as _borderless
from baocao06.compilation.outputs.decree30 import page_field as _page_number
from baocao06.compilation.outputs.decree30 import page_setup as _page
from baocao06.compilation.outputs.decree30 import rule as _rule
from baocao06.compilation.outputs.decree30 import setup_styles as _setup_styles
from baocao06.compilation.outputs.decree30 import text_width_twips as _text_width_twips
from baocao06.compilation.outputs.wordxml import TABLE_STYLE, TWIPS_PER_MM, Column, Row, TableSpec, clean, table_element
from baocao06.core.vietnamese import long_date, short_date
from baocao06.reports.presenters import version_sections

from .issuers import Issuer, issuer_for

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
ADDRESSEE = "Tổ công tác triển khai Đề án 06"
RECIPIENTS = ["Như trên;", "Lưu: VT."]
KEYWORD_PREFIX = "baocao06-version-"
CUSTOM_PROPERTY = "baocao06-version"
NUMERIC = {"integer", "money", "number", "percent"}
STT_MM = 12
NUMBER_MIN_MM = 14
DIGIT_MM = 2.0  # a digit or a dot at 11 pt Times New Roman, with room to spare
LETTER_MM = 2.2
TEXT_MIN_MM = 20


def version_keyword(content_hash: str) -> str:
    return f"{KEYWORD_PREFIX}{content_hash}"


_KEYWORD = re.compile(re.escape(KEYWORD_PREFIX) + r"([0-9a-f]{64})")


def hash_from_keywords(text: str) -> str | None:
    """The version hash written by `version_keyword` in a PDF's keywords or XMP packet, if any."""
    found = _KEYWORD.search(text or "")
    return found.group(1) if found else None


def document_name(version, extension: str) -> str:
    """The file name people save: round, unit and version, never a database id of the version."""
    report = version.report
    return f"bao-cao-ky-{report.round_id}-{report.unit.key}-lan-{version.number}.{extension}"


def write_unit_report(version, path_or_stream) -> None:
    """Write `version` (a ReportVersion, its report, round and unit loaded) as a DOCX."""
    report = version.report
    writer = _Writer(report, version)
    writer.front_matter()
    writer.sections()
    writer.closing()
    writer.appendices()
    raw = io.BytesIO()
    writer.doc.save(raw)
    _write_with_custom_property(raw.getvalue(), path_or_stream, version.content_hash)


# --- Layout helpers ---------------------------------------------------------------------------


def subject_of(title: str | None) -> str:
    """The subject line under "BÁO CÁO": the round's title without a leading "Báo cáo"."""
    title = " ".join((title or "Kết quả triển khai Đề án 06").split())
    if title.lower().startswith("báo cáo "):
        title = title[len("báo cáo ") :]
    return title[:1].upper() + title[1:]


# --- The document -----------------------------------------------------------------------------


class _Writer:
    def __init__(self, report, version):
        self.report = report
        self.version = version
        self.round = report.round
        self.issuer: Issuer = issuer_for(report.unit)
        self.issued_on = timezone.localdate(version.submitted_at)
        self.view = self.round.get_layout().view_for(report.unit)
        self.rendered = version_sections(self.view, version.content, reference=self.round.data_to)
        self.doc = Document()
        _setup_styles(self.doc)
        self.headings = {level: self.doc.styles[f"Heading {level}"] for level in range(1, 5)}
        props = self.doc.core_properties
        stamp = dt.datetime.combine(self.issued_on, dt.time())
        props.created = props.modified = props.last_printed = stamp
        props.author = props.last_modified_by = clean(self.issuer.name)
        props.title = clean(f"Báo cáo {subject_of(self.round.title)[:1].lower()}{subject_of(self.round.title)[1:]}")
        props.subject = clean(f"{report.unit.name} — lần gửi {version.number}")
        props.keywords = version_keyword(version.content_hash)
        props.comments = ""
        props.revision = 1

    def para(self, text: str = "", style=None, *, bold=False, italic=False, size=None, align=None):
        p = self.doc.add_paragraph(style=style)
        if text:
            run = p.add_run(clean(text))
            run.bold, run.italic = bold or None, italic or None
            if size:
                run.font.size = Pt(size)
        if align is not None:
            p.alignment = align
        return p

    # --- front matter ------------------------------------------------------------------------

    def front_matter(self) -> None:
        section = self.doc.sections[0]
        _page(section)
        section.different_first_page_header_footer = True
        section.first_page_header.is_linked_to_previous = False
        header = section.header.paragraphs[0]
        header.style = "Centered"
        _page_number(header)
        self._header_table()
        self.para("BÁO CÁO", "Centered", bold=True).paragraph_format.space_after = Pt(0)
        self.para(subject_of(self.round.title), "Centered", bold=True)
        self._rule_paragraph()
        self.para(f"Kính gửi: {ADDRESSEE}.", "Centered")
        self.para(self._intro())

    def _rule_paragraph(self) -> None:
        p = self.para("", "Centered")
        p._p.get_or_add_pPr().append(
            parse_xml(f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>')
        )
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Cm(6)
        p.paragraph_format.line_spacing = Pt(4)

    def _header_table(self) -> None:
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _borderless(table)
        widths = (6.5, 10.0)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        left, right = table.rows[0].cells
        left.width, right.width = Cm(widths[0]), Cm(widths[1])

        def line(cell, text, *, bold=False, italic=False, size=13, first=False):
            p = cell.paragraphs[0] if first else cell.add_paragraph()
            p.style = "Centered"
            p.paragraph_format.space_after = Pt(0)
            run = p.add_run(clean(text))
            run.bold, run.italic = bold or None, italic or None
            run.font.size = Pt(size)

        lines = self.issuer.lines
        for index, text in enumerate(lines):
            line(left, text, bold=index == len(lines) - 1, size=13 if len(text) <= 32 else 12, first=index == 0)
        _rule(left, 2.5, widths[0])
        line(left, f"Số:        /BC-{self.issuer.symbol}", size=13)
        line(right, MOTTO_1, bold=True, size=13, first=True)
        line(right, MOTTO_2, bold=True, size=14)
        _rule(right, 5.8, widths[1])
        line(right, long_date(self.issued_on, self.issuer.place), italic=True, size=14)
        self.para("", "Centered")

    def _intro(self) -> str:
        round_ = self.round
        basis = "chỉ đạo của Tổ công tác triển khai Đề án 06"
        if round_.dispatch_number:
            basis = f"Công văn số {round_.dispatch_number}"
            if round_.dispatch_date:
                basis += f" ngày {short_date(round_.dispatch_date)}"
            basis += " của Tổ công tác triển khai Đề án 06"
        period = ""
        if round_.data_from and round_.data_to:
            period = f" (số liệu từ ngày {short_date(round_.data_from)} đến ngày {short_date(round_.data_to)})"
        subject = subject_of(round_.title)
        return f"Thực hiện {basis}, {self.issuer.name} báo cáo {subject[:1].lower()}{subject[1:]}{period} như sau:"

    # --- sections ----------------------------------------------------------------------------

    def sections(self) -> None:
        for item in self.rendered["sections"]:
            section = item["section"]
            level = min(section.depth + 1, 4)
            self.para(section.heading, self.headings[level])
            fields = [(label, text) for label, text in item["fields"] if str(text or "").strip()]
            for label, text in fields:
                if len(item["fields"]) > 1:
                    self.para(f"{label}:", italic=True)
                for line in str(text).splitlines():
                    if line.strip():
                        self.para(line.strip())
            if section.has_input and not fields:
                self.para("(Không có nội dung.)", italic=True)
            tables = [t for t in section.tables if t in self.view.table_index]
            if tables:
                labels = ", ".join(self.view.table_index[t].table.label for t in tables)
                self.para(f"(Số liệu chi tiết tại {labels} kèm theo.)", italic=True)

    # --- closing -----------------------------------------------------------------------------

    def closing(self) -> None:
        # The last paragraph of text goes to the signature's page with it (a signature alone on a page
        # could sit under anything).
        body = [p for p in self.doc.paragraphs if p.text.strip()]
        if body:
            body[-1].paragraph_format.keep_with_next = True
        self.para("").paragraph_format.keep_with_next = True
        table = self.doc.add_table(rows=1, cols=2)
        table.autofit = False
        _borderless(table)
        widths = (8.0, 8.5)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        # "Nơi nhận" and the signature stay on one page: a signer never signs under an empty page top.
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        left, right = table.rows[0].cells
        left.width, right.width = Cm(widths[0]), Cm(widths[1])
        p = left.paragraphs[0]
        p.style = TABLE_STYLE
        run = p.add_run("Nơi nhận:")
        run.bold = run.italic = True
        run.font.size = Pt(12)
        for item in [f"{ADDRESSEE} (để báo cáo);", *RECIPIENTS[1:]]:
            q = left.add_paragraph(style=TABLE_STYLE)
            q.add_run(f"- {clean(item)}").font.size = Pt(11)
        for index, text in enumerate(self.issuer.signer_lines):
            q = right.paragraphs[0] if index == 0 else right.add_paragraph()
            q.style = "Centered"
            q.paragraph_format.space_after = Pt(0)
            q.add_run(text).bold = True
        for _ in range(4):
            right.add_paragraph(style="Centered")
        signer = self.version.submitted_by
        name = (getattr(signer, "full_name", "") or "").strip() if signer else ""
        right.add_paragraph(style="Centered").add_run(clean(name) or "……………………").bold = True

    # --- appendices --------------------------------------------------------------------------

    def appendices(self) -> None:
        for grid in self.rendered["tables"]:
            table = grid.table
            if not table.printed:
                continue
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            _page(section, table.orientation)
            section.different_first_page_header_footer = False
            self.para(table.label.upper(), "Centered", bold=True).paragraph_format.space_after = Pt(0)
            self.para(table.title, "Centered", bold=True)
            self.para(
                f"(Kèm theo Báo cáo số      /BC-{self.issuer.symbol} {long_date(self.issued_on)} "
                f"của {self.issuer.name})",
                "Centered",
                italic=True,
                size=12,
            )
            width = _text_width_twips(table.orientation)
            spec = table_spec(grid, width)
            if has_data(spec):
                self.doc.element.body.sectPr.addprevious(table_element(spec, width))
            else:
                self.para("(Đơn vị không có số liệu ở phụ lục này.)", "Centered", italic=True)


def table_spec(grid, width_twips: int) -> TableSpec:
    """A report grid (reports/presenters.py) as a bordered Word table: STT, then the table's columns.

    Widths in millimetres: STT and number columns as wide as their longest value or header word needs
    (a figure never breaks across lines, "1.875.552.000" stays whole), the text columns share the rest,
    the row label column the largest part."""
    table = grid.table
    rows: list[Row] = []
    for group in grid.groups:
        if group.title:
            rows.append(Row([" ".join(p for p in (group.number, group.title) if p)], kind="group"))
        free = 0
        for row in group.rows:
            if row.heading:
                rows.append(Row([row.number or "", row.label], kind="subgroup"))
                continue
            if row.number is None and not row.fixed:
                free += 1
            number = row.number if row.number is not None else str(free)
            rows.append(Row([number, *(cell.display for cell in row.cells)]))
    for total in grid.totals:
        cells = [""] + [total["label"] if index == 0 else c["value"] for index, c in enumerate(total["cells"])]
        rows.append(Row(cells, kind="total"))

    total_mm = width_twips / TWIPS_PER_MM
    labels = [column["label"] + (f" ({column['unit']})" if column.get("unit") else "") for column in table.columns]
    fixed: dict[int, float] = {}
    for index, column in enumerate(table.columns):
        if column["type"] in NUMERIC:
            longest_value = max((len(r.cells[index + 1]) for r in rows if r.kind != "group"), default=0)
            longest_word = max((len(word) for word in labels[index].split()), default=0)
            fixed[index] = max(NUMBER_MIN_MM, longest_value * DIGIT_MM + 3, longest_word * LETTER_MM + 3)
    flexible = {i: (2.6 if c.get("role") == "label" else 1.6) for i, c in enumerate(table.columns) if i not in fixed}
    room = max(total_mm - STT_MM - sum(fixed.values()), TEXT_MIN_MM * len(flexible))
    share = sum(flexible.values()) or 1
    columns = [Column("_stt", "STT", "center", STT_MM)]
    for index, column in enumerate(table.columns):
        width = fixed.get(index) or room * flexible[index] / share
        columns.append(Column(column["key"], labels[index], "right" if index in fixed else "left", width))
    # A table with more figures than the page holds is scaled down whole (its figures may then wrap).
    scale = min(1.0, total_mm / sum(c.weight for c in columns))
    for column in columns:
        column.weight *= scale
    return TableSpec(columns, rows, header_groups=list(table.header))


def has_data(spec: TableSpec) -> bool:
    return any(row.kind == "data" and any(cell.strip() for cell in row.cells[1:]) for row in spec.rows)


# --- The custom property --------------------------------------------------------------------------

_CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
    'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="%s">'
    "<vt:lpwstr>%s</vt:lpwstr></property></Properties>"
)
_CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"


def _write_with_custom_property(raw: bytes, path_or_stream, content_hash: str) -> None:
    """Re-pack the DOCX with docProps/custom.xml holding the version hash, and fixed entry times so
    the same version always gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:

        def put(name: str, data: bytes) -> None:
            entry = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)

        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/docProps/custom.xml" ContentType="{_CUSTOM_TYPE}"/></Types>'.encode(),
                )
            elif info.filename == "_rels/.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdBaocao06Custom" Type="{_CUSTOM_REL}" '
                    f'Target="docProps/custom.xml"/></Relationships>'.encode(),
                )
            put(info.filename, data)
        put("docProps/custom.xml", (_CUSTOM_XML % (CUSTOM_PROPERTY, content_hash)).encode())
    if isinstance(path_or_stream, str | Path):
        Path(path_or_stream).write_bytes(out.getvalue())
    else:
        path_or_stream.write(out.getvalue())


def custom_property(docx_bytes: bytes) -> str | None:
    """The version hash kept in a DOCX's custom properties (None when absent)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        if "docProps/custom.xml" not in archive.namelist():
            return None
        text = archive.read("docProps/custom.xml").decode("utf-8")
    found = re.search(rf'name="{re.escape(CUSTOM_PROPERTY)}"><vt:lpwstr>([0-9a-f]{{64}})<', text)
    return found.group(1) if found else None
