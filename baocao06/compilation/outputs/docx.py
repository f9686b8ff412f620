"""The national report as a DOCX laid out to Decree 30/2020/NĐ-CP, annex I (docs/national-format.md,
"The national report (DOCX)").

Figures come only from the national dict; the round's layout gives the outline's headings, the
appendices' titles and column labels. Narrative of central bodies, corporations and provinces is
printed in full, attributed to its unit; for communes each section says how many reported it (the
full texts are in the JSON and the workbook) — at national scale that keeps the file readable and the
rendering within seconds.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree

from baocao06.core.vietnamese import format_number, long_date, short_date
from baocao06.rounds.document import DOCUMENT_DEFAULTS, subject_line

from .. import charts
from . import appendices as appendix_tables
from .decree30 import MARGINS_MM, PAGE_MM
from .decree30 import borderless as _borderless
from .decree30 import page_field as _page_field
from .decree30 import page_setup as _page
from .decree30 import rule as _rule
from .decree30 import setup_styles as _setup_styles
from .decree30 import text_width_twips as _text_width_twips
from .summaries import section_summaries
from .wordxml import TABLE_STYLE, clean, paragraph, table_pieces

MOTTO_1 = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO_2 = "Độc lập - Tự do - Hạnh phúc"
PROVISIONAL = "TẠM TÍNH"
DETAILED_OFF = {"communes"}  # unit groups whose narrative is counted, not printed
CHART_WIDTH = Cm(16)
INTRO_GROUPS = {
    "ministries": "bộ, ngành",
    "central": "cơ quan trung ương",
    "corporations": "tập đoàn, tổng công ty",
    "provinces": "tỉnh, thành phố",
    "communes": "xã, phường, đặc khu",
}

Progress = Callable[[int, str], None]


def write_docx(
    data: dict,
    layout,
    path_or_stream,
    *,
    progress: Progress | None = None,
    issued_on: dt.date | None = None,
    number: str | None = None,
    addressees: list[str] | None = None,
    recipients: list[str] | None = None,
    signer: str | None = None,
    with_charts: bool = True,
    document: dict | None = None,
    draft: dict | None = None,
    content_hash: str | None = None,
) -> None:
    """Write the national report of `data` (the national dict) to a path or a binary stream.

    `document` is how the report is issued (rounds/document.py: issuer, number, date, subject,
    addressees, "Nơi nhận", signer; the defaults where missing); `issued_on`, `number`, `addressees`,
    `recipients` and `signer` override it. The date is today when neither gives one; a blank number is
    printed "…" for the clerk. The file's bytes depend only on the arguments: zip entries carry a fixed
    time and the document's properties the issue date.

    `draft` is the approved national text (compilation/drafting_actions.py `approved_body`:
    `{"sections": {key: text}, "unit_annex": bool}`): the body is then that text, its figure
    references printed from `data`, and the units' own paragraphs go to the optional annex
    "Tổng hợp ý kiến của các đơn vị" after the appendices. Without it the body lists the units'
    paragraphs under each section, as before drafting existed.

    `content_hash` (the snapshot's) goes into the keywords as `baocao06-version-<hash>`, as a unit
    report carries its version's: a signed PDF of the report is checked against its snapshot
    (documents/actions.py `do_upload_signed_national`).
    """
    report = progress or (lambda percent, step: None)
    settings = {**DOCUMENT_DEFAULTS, **(document or {})}
    for name, value in (("number", number), ("addressees", addressees), ("recipients", recipients)):
        if value:
            settings[name] = value
    if signer:
        settings["signer"] = signer
    if not issued_on and settings.get("issued_on"):
        issued_on = dt.date.fromisoformat(settings["issued_on"])
    issued_on = issued_on or dt.date.today()
    writer = _Writer(data, layout, issued_on, settings)
    if content_hash:
        from baocao06.documents.unit_report import version_keyword

        writer.doc.core_properties.keywords = version_keyword(content_hash)
    report(0, "Chuẩn bị tài liệu")
    writer.front_matter(settings.get("number"), settings.get("addressees") or DOCUMENT_DEFAULTS["addressees"])
    report(5, "Phần mở đầu")
    if draft is not None:
        writer.drafted(draft.get("sections") or {}, report, with_charts)
    else:
        writer.narrative(report, with_charts)
    writer.closing(settings.get("recipients") or [], settings.get("signer"))
    report(60, "Phụ lục")
    writer.appendices(report)
    if draft is not None and draft.get("unit_annex"):
        writer.unit_annex()
    report(95, "Ghi tệp")
    raw = io.BytesIO()
    writer.doc.save(raw)
    with writer.table_file:
        _write_reproducible(raw.getvalue(), path_or_stream, writer.tables, writer.table_file)
    report(100, "Hoàn thành")


_TABLE_MARK = re.compile(rb"<!--baocao06-table-(\d+)-->")


def _write_reproducible(raw: bytes, path_or_stream, tables=None, table_file=None) -> None:
    """Re-pack the DOCX with fixed entry times so the same input gives the same bytes; the appendix
    tables kept apart (`_Writer.add_table`: (start, length) in `table_file`) take the place of their
    markers in the document's XML, copied from the file a piece at a time."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(info.filename)
            if not (tables and info.filename == "word/document.xml"):
                target.writestr(entry, data)
                continue
            with target.open(entry, "w") as stream:
                done = 0
                for mark in _TABLE_MARK.finditer(data):
                    stream.write(data[done : mark.start()])
                    start, length = tables[int(mark.group(1))]
                    table_file.seek(start)
                    while length > 0:
                        piece = table_file.read(min(length, 1 << 20))
                        stream.write(piece)
                        length -= len(piece)
                    done = mark.end()
                stream.write(data[done:])
    if isinstance(path_or_stream, str | Path):
        Path(path_or_stream).write_bytes(out.getvalue())
    else:
        path_or_stream.write(out.getvalue())


# --- Styles -------------------------------------------------------------------------------------


def _subject(title: str | None) -> str:
    """What the report is about: the round's title without a leading "Báo cáo"."""
    title = " ".join((title or "kết quả triển khai Đề án 06").split())
    if title.lower().startswith("báo cáo "):
        title = title[len("báo cáo ") :]
    return _lower_first(title)


def _lower_first(title: str) -> str:
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


class _Writer:
    def __init__(self, data: dict, layout, issued_on: dt.date, settings: dict | None = None):
        self.settings = {**DOCUMENT_DEFAULTS, **(settings or {})}
        self.data = data
        self.layout = layout
        self.issued_on = issued_on
        self.units = {u["key"]: u for u in data.get("units") or []}
        self.doc = Document()
        _setup_styles(self.doc)
        self.body = self.doc.element.body
        self.sentinel = self.body.sectPr  # body paragraphs go before it: O(1) per paragraph
        self.headings = {level: self.doc.styles[f"Heading {level}"] for level in range(1, 5)}
        self.chart_count = 0
        self.tables: list[tuple[int, int]] = []  # (start, length) in `table_file`: see `add_table`
        self.table_file = tempfile.TemporaryFile()  # noqa: SIM115 - write_docx closes it (the GC, on an error)
        props = self.doc.core_properties
        stamp = dt.datetime.combine(issued_on, dt.time())
        props.created = props.modified = props.last_printed = stamp
        props.author = props.last_modified_by = self.settings["issuer_full"]
        props.title = clean((data.get("round") or {}).get("title") or "")
        props.revision = 1
        props.comments = ""

    # --- helpers -----------------------------------------------------------------------------

    def add(self, element) -> None:
        self.sentinel.addprevious(element)

    def add_table(self, pieces) -> None:
        """An appendix table (`wordxml.table_pieces`: the XML lxml would write for it in the document),
        put in the body as a marker; its text goes to a temporary file, spliced in when the file is
        written (`_write_reproducible`). Moving a parsed table into the document makes lxml look up the
        `xml` namespace of every `xml:space` attribute through a list that grows with each one:
        quadratic, 20 s for the national PL01's 40,000 open tasks; parsing it at all took seconds more,
        and holding the tables' text (hundreds of MB) in memory was most of the generation's peak."""
        start = self.table_file.tell()
        buffer, size = [], 0
        for piece in pieces:
            buffer.append(piece)
            size += len(piece)
            if size > 1 << 20:
                self.table_file.write("".join(buffer).encode())
                buffer, size = [], 0
        self.table_file.write("".join(buffer).encode())
        self.tables.append((start, self.table_file.tell() - start))
        self.add(etree.Comment(f"baocao06-table-{len(self.tables) - 1}"))

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

    def group_of(self, key: str) -> str:
        unit = self.units.get(key) or {}
        if unit.get("kind") == "commune":
            return "communes"
        return unit.get("group") or ""

    # --- front matter ------------------------------------------------------------------------

    def front_matter(self, number: str | None, addressees: list[str]) -> None:
        section = self.doc.sections[0]
        _page(section)
        section.different_first_page_header_footer = True
        self._headers(section)
        self._header_table(number)
        if self.data.get("provisional"):
            notice = f"{PROVISIONAL} — số liệu chưa được Thư ký Tổ công tác tiếp nhận hết"
            self.para(notice, "Centered", bold=True, size=15)
        self._addressees(addressees)
        for text in self._intro():
            self.para(text)
        if charts.has_figures(self.data, "completeness"):
            self.chart(charts.completeness_chart(self.data), "Tình hình báo cáo của các đơn vị được giao")

    def _headers(self, section) -> None:
        header = section.header
        # An explicit, empty first-page header: Word and LibreOffice then agree page 1 has no number.
        section.first_page_header.is_linked_to_previous = False
        p = header.paragraphs[0]
        p.style = "Centered"
        _page_field(p)
        if self.data.get("provisional"):
            for target in (header, section.first_page_header):
                mark = target.add_paragraph() if target is header else target.paragraphs[0]
                mark.style = "Centered"
                mark.add_run(PROVISIONAL).bold = True

    def _header_table(self, number: str | None) -> None:
        round_ = self.data.get("round") or {}
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
            return p

        doc = self.settings
        parent = doc.get("issuer_parent") or ""
        line(left, parent or doc["issuer"], size=13, first=True, bold=not parent)
        if parent:
            line(left, doc["issuer"], bold=True, size=13)
        _rule(left, 2.5, widths[0])
        line(left, f"Số: {doc.get('number') or number or '…'}/{doc['symbol']}", size=13)
        line(right, MOTTO_1, bold=True, size=13, first=True)
        line(right, MOTTO_2, bold=True, size=14)
        _rule(right, 5.8, widths[1])
        line(right, long_date(self.issued_on, doc["place"]), italic=True, size=14)
        # A báo cáo (Decree 30, annex I): the kind of document, then its subject; no letter's "V/v".
        self.para("", "Centered")
        kind = self.para("BÁO CÁO", "Centered", bold=True)
        kind.paragraph_format.space_after = Pt(0)
        kind.paragraph_format.keep_with_next = True
        subject = self.para(subject_line(doc, round_.get("title")), "Centered", bold=True)
        subject.paragraph_format.space_after = Pt(0)
        _rule(self.doc, 3.0, (PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]) / 10)
        self.para("", "Centered")

    def _addressees(self, addressees: list[str]) -> None:
        if len(addressees) == 1:
            self.para(f"Kính gửi: {addressees[0]}.", "Centered")
            return
        p = self.para("Kính gửi:", "Centered")
        p.paragraph_format.space_after = Pt(0)
        for index, name in enumerate(addressees):
            end = "." if index == len(addressees) - 1 else ";"
            item = self.para(f"- {name}{end}", "Centered")
            item.alignment = WD_ALIGN_PARAGRAPH.LEFT
            item.paragraph_format.left_indent = Cm(5.5)
            item.paragraph_format.space_after = Pt(0)
        self.para("", "Centered")

    def _intro(self) -> list[str]:
        round_ = self.data.get("round") or {}
        completeness = self.data.get("completeness") or {}
        included, assigned = completeness.get("included", 0), completeness.get("assigned", 0)
        counts: dict[str, int] = {}
        for unit in self.data.get("units") or []:
            group = self.group_of(unit["key"])
            counts[group] = counts.get(group, 0) + 1
        parts = [f"{format_number(n)} {INTRO_GROUPS.get(g, g)}" for g, n in counts.items() if n]
        dispatch = round_.get("dispatch_number")
        basis = f"Công văn số {dispatch}" + (
            f" ngày {short_date(dt.date.fromisoformat(round_['dispatch_date']))}" if round_.get("dispatch_date") else ""
        )
        period = ""
        if round_.get("data_from") and round_.get("data_to"):
            period = (
                f" (số liệu từ ngày {short_date(dt.date.fromisoformat(round_['data_from']))}"
                f" đến ngày {short_date(dt.date.fromisoformat(round_['data_to']))})"
            )
        texts = [
            f"Thực hiện {basis if dispatch else 'chỉ đạo của Thủ tướng Chính phủ'}, trên cơ sở báo cáo của "
            f"{format_number(included)}/{format_number(assigned)} đơn vị được giao báo cáo"
            + (f" (gồm {', '.join(parts)})" if parts else "")
            + f"{period}, {self.settings['issuer_full']} báo cáo {_subject(round_.get('title'))} như sau:"
        ]
        missing = len(completeness.get("not_included") or [])
        if missing:
            texts.append(
                f"Còn {format_number(missing)} đơn vị chưa được tổng hợp (chưa gửi báo cáo hoặc báo cáo chưa được chấp "
                "nhận); danh sách tại tệp tổng hợp kèm theo."
            )
        if self.data.get("provisional"):
            texts.append(
                f"Đây là số liệu {PROVISIONAL}: gồm cả các báo cáo đang chờ thẩm định, chưa được Thư ký Tổ công tác "
                "tiếp nhận; số liệu chính thức sẽ được tổng hợp khi các báo cáo được tiếp nhận."
            )
        return texts

    # --- outline -----------------------------------------------------------------------------

    def chart(self, figure, caption: str) -> None:
        self.chart_count += 1
        p = self.para("", "Centered")
        p.paragraph_format.keep_with_next = True
        p.add_run().add_picture(io.BytesIO(charts.png(figure)), width=CHART_WIDTH)
        figure.clear()
        self.para(f"Biểu đồ {self.chart_count}. {caption}", "Centered", italic=True, size=12)

    def narrative(self, report: Progress, with_charts: bool) -> None:
        sections = self.data.get("narrative") or []
        summaries = section_summaries(self.data, self.layout)
        total = len(sections) or 1
        for index, section in enumerate(sections):
            level = min(int(section.get("depth") or 0) + 1, 4)
            self.para(_heading_text(section), self.headings[level])
            summary = summaries.get(section["key"])
            if summary:
                for text in summary.paragraphs:
                    self.para(text)
                if with_charts:
                    for name, caption, build in summary.charts:
                        if charts.has_figures(self.data, name):
                            self.chart(build(self.data), caption)
            self._unit_paragraphs(section)
            report(5 + int(55 * (index + 1) / total), f"Mục {section.get('number') or section['key']}")

    def drafted(self, texts: dict[str, str], report: Progress, with_charts: bool) -> None:
        """The body as the Secretariat wrote it: each section's approved text, figure references
        printed from the snapshot; a heading only when it or a section under it has text."""
        from ..drafting import figures, render

        catalogue = figures(self.data)
        sections = self.data.get("narrative") or []
        summaries = section_summaries(self.data, self.layout) if with_charts else {}
        written = [bool((texts.get(s["key"]) or "").strip()) for s in sections]
        total = len(sections) or 1
        for index in _with_content(sections, written):
            section = sections[index]
            self.para(_heading_text(section), self.headings[min(int(section.get("depth") or 0) + 1, 4)])
            for line in render(texts.get(section["key"]) or "", catalogue).splitlines():
                if line.strip():
                    self.add(paragraph([(line.strip(), "")]))
            summary = summaries.get(section["key"])
            if summary and written[index]:
                for name, caption, build in summary.charts:
                    if charts.has_figures(self.data, name):
                        self.chart(build(self.data), caption)
            report(5 + int(55 * (index + 1) / total), f"Mục {section.get('number') or section['key']}")

    def unit_annex(self) -> None:
        """The optional annex of the units' own paragraphs, section by section."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        _page(section)
        section.different_first_page_header_footer = False
        _outline_level(self.para("PHỤ LỤC", "Centered", bold=True))
        self.para("TỔNG HỢP Ý KIẾN CỦA CÁC ĐƠN VỊ", "Centered", bold=True)
        self.para(
            f"(Kèm theo Báo cáo số {self.settings.get('number') or '…'}/{self.settings['symbol']} "
            f"{long_date(self.issued_on)} của {self.settings['issuer_full']})",
            "Centered",
            italic=True,
            size=12,
        )
        sections = self.data.get("narrative") or []
        for index in _with_content(sections, [bool(s.get("paragraphs")) for s in sections]):
            item = sections[index]
            self.para(_heading_text(item), self.headings[min(int(item.get("depth") or 0) + 1, 4)])
            self._unit_paragraphs(item, note_empty=False)

    def _unit_paragraphs(self, section: dict, *, note_empty: bool = True) -> None:
        paragraphs = section.get("paragraphs") or []
        fields = {p.get("field") for p in paragraphs}
        communes: set[str] = set()
        for item in paragraphs:
            if self.group_of(item["key"]) in DETAILED_OFF:
                communes.add(item["key"])
                continue
            lines = [line.strip() for line in str(item.get("text") or "").splitlines() if line.strip()]
            if not lines:
                continue
            name = item.get("name") or item["key"]
            label = f" ({item['field_label']})" if len(fields) > 1 and item.get("field_label") else ""
            self.add(paragraph([(name, "b"), (f"{label}: ", ""), (lines[0], "")]))
            for line in lines[1:]:
                self.add(paragraph([(line, "")]))
        if communes:
            self.add(
                paragraph(
                    [
                        (
                            f"{format_number(len(communes))} đơn vị cấp xã đã báo cáo mục này; "
                            "nội dung đầy đủ trong tệp phụ lục/JSON.",
                            "i",
                        )
                    ]
                )
            )
        elif note_empty and not paragraphs and self._expects_input(section["key"]):
            self.add(paragraph([("Chưa có đơn vị nào báo cáo nội dung mục này.", "i")]))

    def _expects_input(self, key: str) -> bool:
        section = self.layout.section_index.get(key) if self.layout is not None else None
        return bool(section and section.has_input)

    # --- closing -----------------------------------------------------------------------------

    def closing(self, recipients: list[str], signer: str | None) -> None:
        self.para("")
        table = self.doc.add_table(rows=1, cols=2)
        table.autofit = False
        _borderless(table)
        widths = (8.0, 8.5)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        left, right = table.rows[0].cells
        left.width, right.width = Cm(widths[0]), Cm(widths[1])
        p = left.paragraphs[0]
        p.style = TABLE_STYLE
        run = p.add_run("Nơi nhận:")
        run.bold = run.italic = True
        run.font.size = Pt(12)
        for item in recipients:
            q = left.add_paragraph(style=TABLE_STYLE)
            q.add_run(f"- {clean(item)}").font.size = Pt(11)
        for index, text in enumerate(self.settings.get("signer_lines") or DOCUMENT_DEFAULTS["signer_lines"]):
            q = right.paragraphs[0] if index == 0 else right.add_paragraph()
            q.style = "Centered"
            q.paragraph_format.space_after = Pt(0)
            q.add_run(text).bold = True
        for _ in range(4):
            right.add_paragraph(style="Centered")
        q = right.add_paragraph(style="Centered")
        q.add_run(clean(signer) if signer else "……………………").bold = True

    # --- appendices --------------------------------------------------------------------------

    def appendices(self, report: Progress) -> None:
        groups = {key: self.group_of(key) for key in self.units}
        found = appendix_tables.appendices(self.data, self.layout, groups)
        round_ = self.data.get("round") or {}
        for index, appendix in enumerate(found):
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            _page(section, appendix.orientation)
            # Every appendix page is numbered (the first-page rule is for the report's first page).
            section.different_first_page_header_footer = False
            _outline_level(self.para(appendix.heading, "Centered", bold=True))
            self.para(appendix.title, "Centered", bold=True)
            issued = long_date(self.issued_on)
            self.para(
                f"(Kèm theo Báo cáo số {self.settings.get('number') or '…'}/{self.settings['symbol']} {issued} "
                f"của {self.settings['issuer_full']})" + (f" — {PROVISIONAL}" if self.data.get("provisional") else ""),
                "Centered",
                italic=True,
                size=12,
            )
            self.add_table(table_pieces(appendix.table, _text_width_twips(appendix.orientation)))
            for caption, extra in appendix.more:
                self.para("")
                self.para(caption, "Centered", bold=True)
                self.add_table(table_pieces(extra, _text_width_twips(appendix.orientation)))
            report(
                60 + int(35 * (index + 1) / max(1, len(found))), f"{appendix.heading} ({round_.get('definition', '')})"
            )


def _outline_level(p, level: int = 0) -> None:
    """Put a centred appendix heading in the document's outline (Word's navigation pane, the PDF's
    bookmarks) without making it a Word heading."""
    ppr = p._p.get_or_add_pPr()
    element = OxmlElement("w:outlineLvl")
    element.set(qn("w:val"), str(level))
    ppr.insert_element_before(element, "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _with_content(sections: list[dict], filled: list[bool]) -> list[int]:
    """Indexes of the sections that have content or a section under them (by depth) that has."""
    kept = []
    for index, section in enumerate(sections):
        depth = int(section.get("depth") or 0)
        below = index + 1
        while below < len(sections) and int(sections[below].get("depth") or 0) > depth:
            below += 1
        if any(filled[index:below]):
            kept.append(index)
    return kept


def _heading_text(section: dict) -> str:
    number, title = section.get("number"), section.get("title") or ""
    if number and not number.startswith("("):
        return f"{number}. {title}"
    return f"{number} {title}" if number else title
