"""Raw WordprocessingML for the bulky parts of the national DOCX: appendix tables, unit paragraphs.

python-docx inserts every paragraph and row by scanning the parent's children for the element it
must precede, which makes thousands of rows quadratic. Here a whole table is written as one XML
string and parsed once, and paragraphs are inserted before a known element, so the national report
(3,400 units) stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

# Characters XML 1.0 refuses (lxml raises on them); text from units may carry any of them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TWIPS_PER_MM = 1440 / 25.4
TABLE_STYLE = "TableText"
# Table text is 11 pt: a digit is half an em (110 twips), a thousands dot or decimal comma a quarter.
DIGIT_TWIPS, MARK_TWIPS, CELL_PADDING_TWIPS = 110, 60, 114 + 60
SPLIT_FROM = 400  # a row with a cell this long may break across pages (else the row is kept whole)
SHORT_CELL = 64  # `table_pieces` makes a cell this long or shorter once per table


def clean(text) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


@dataclass
class Column:
    key: str
    label: str
    align: str = "left"  # left | right | center
    weight: float = 1.0


@dataclass
class Row:
    cells: list[str]
    kind: str = "data"  # data | group (one cell across the table) | subgroup | total
    bold_first: bool = False


@dataclass
class TableSpec:
    columns: list[Column]
    rows: list[Row]
    header_groups: list[dict] = field(default_factory=list)  # [{"label", "columns": [keys]}]


def _t(part: str) -> str:
    """A `w:t` exactly as lxml serialises it (`table_xml` is spliced into the document unparsed): an
    empty one closed at once, a carriage return as a character reference."""
    if not part:
        return '<w:t xml:space="preserve"/>'
    text = escape(part)
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return f'<w:t xml:space="preserve">{text}</w:t>'


def _run(text: str, *, bold=False, italic=False) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    body = "<w:br/>".join(_t(part) for part in clean(text).split("\n"))
    return f"<w:r>{rpr}{body}</w:r>"


def _cell(
    text: str, width: int, *, align="left", bold=False, italic=False, span=1, open_edge=None, no_wrap=False
) -> str:
    """A table cell; `open_edge` ("bottom" or "top") drops that border: the two halves of a header cell
    spanning both header rows (see `_header_rows`)."""
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if open_edge:  # schema order: tcBorders after gridSpan, before noWrap and vAlign
        props += f'<w:tcBorders><w:{open_edge} w:val="nil"/></w:tcBorders>'
    if no_wrap:
        props += "<w:noWrap/>"
    if open_edge == "bottom":
        props += '<w:vAlign w:val="bottom"/>'
    jc = {"left": "left", "right": "right", "center": "center"}[align]
    run = _run(text, bold=bold, italic=italic) if text else ""
    return (
        f'<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{TABLE_STYLE}"/>'
        f'<w:jc w:val="{jc}"/></w:pPr>{run}</w:p></w:tc>'
    )


def number_twips(text: str) -> int:
    """How wide a right-aligned figure prints on one line ("993.476.931.000")."""
    return sum(DIGIT_TWIPS if ch.isdigit() or ch in "-−" else MARK_TWIPS for ch in text) + CELL_PADDING_TWIPS


def _widths(columns: list[Column], total: int, rows: list[Row] | None = None) -> list[int]:
    """Widths by the columns' weights, then every right-aligned (figure) column widened to hold its
    longest figure on one line, the width taken from the text columns: money never breaks."""
    weight = sum(c.weight for c in columns) or 1
    widths = [int(total * c.weight / weight) for c in columns]
    needed = [0] * len(columns)
    for row in rows or []:
        if row.kind == "group":
            continue
        for index, column in enumerate(columns):
            if column.align == "right" and index < len(row.cells) and row.cells[index]:
                needed[index] = max(needed[index], number_twips(str(row.cells[index])))
    extra = sum(max(0, n - w) for n, w in zip(needed, widths, strict=True))
    flexible = [i for i, c in enumerate(columns) if c.align == "left"]
    room = sum(widths[i] for i in flexible)
    if extra and room > extra * 2:
        for index, need in enumerate(needed):
            widths[index] = max(widths[index], need)
        for index in flexible:
            widths[index] -= int(extra * widths[index] / room)
    widths[-1] += total - sum(widths)
    return widths


def _header_rows(spec: TableSpec, widths: list[int]) -> list[str]:
    keys = [c.key for c in spec.columns]
    group_of = {}
    for group in spec.header_groups:
        members = [k for k in group["columns"] if k in keys]
        for key in members:
            group_of[key] = (group["label"], members)
    head = "<w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
    if not group_of:
        cells = "".join(_cell(c.label, w, align="center", bold=True) for c, w in zip(spec.columns, widths, strict=True))
        return [f"<w:tr>{head}{cells}</w:tr>"]
    first, second = [], []
    for column, width in zip(spec.columns, widths, strict=True):
        if column.key in group_of:
            label, members = group_of[column.key]
            if members[0] == column.key:
                span_width = sum(widths[keys.index(k)] for k in members)
                first.append(_cell(label, span_width, align="center", bold=True, span=len(members)))
            second.append(_cell(column.label, width, align="center", bold=True))
        else:
            # Not a vertical merge: LibreOffice cuts a merged header cell short where the header repeats
            # on the next page (seen on the page images: "… so với tháng" and the rest lost). The top
            # cell holds the label, the one below is empty, the border between them is dropped: it reads
            # as one cell and every line prints on every page.
            first.append(_cell(column.label, width, align="center", bold=True, open_edge="bottom"))
            second.append(_cell("", width, open_edge="top"))
    return [f"<w:tr>{head}{''.join(first)}</w:tr>", f"<w:tr>{head}{''.join(second)}</w:tr>"]


def table_element(spec: TableSpec, width_twips: int):
    """A bordered `w:tbl` with repeated header rows; numbers right-aligned as the columns say."""
    return parse_xml(table_xml(spec, width_twips, declare=True))


def table_xml(spec: TableSpec, width_twips: int, *, declare: bool = False) -> str:
    """`table_element`'s table as XML text, exactly as lxml serialises that element, with the `w`
    namespace declared on it only if `declare` (else it is the document's: the national DOCX splices
    the text into its body without parsing it, `docx._Writer.add_table`)."""
    return "".join(table_pieces(spec, width_twips, declare=declare))


def table_pieces(spec: TableSpec, width_twips: int, *, declare: bool = False) -> Iterator[str]:
    """`table_xml` in pieces (a row or so each), for a writer that never holds a whole table."""
    widths = _widths(spec.columns, width_twips, spec.rows)
    border = 'w:val="single" w:sz="4" w:space="0" w:color="000000"'
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    declaration = f" {nsdecls('w')}" if declare else ""
    yield (
        f"<w:tbl{declaration}><w:tblPr>"
        f'<w:tblW w:w="{width_twips}" w:type="dxa"/>'
        f"<w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/>"
        f"<w:insideH {border}/><w:insideV {border}/></w:tblBorders>"
        '<w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
        'w:noHBand="0" w:noVBand="1"/>'
        f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    )
    yield from _header_rows(spec, widths)
    count = len(spec.columns)
    # The same short cell recurs (zeros, empty cells, a unit's name on each of its tasks, a due date):
    # made once. Long texts (a task's title, a cause) are seldom repeated and are not kept, so the
    # table is never held whole.
    made: dict[tuple, str] = {}
    columns = list(zip(spec.columns, widths, strict=True))
    for row in spec.rows:
        if row.kind == "group":
            title = _cell(row.cells[0], width_twips, bold=True, span=count)
            yield f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{title}</w:tr>"
            continue
        bold = row.kind in {"total", "subgroup"}
        italic = row.kind == "subgroup"
        cells = []
        row_cells, present = row.cells, len(row.cells)
        for index, (column, width) in enumerate(columns):
            text = row_cells[index] if index < present else ""
            strong = bold or (row.bold_first and index < 2)
            key = (text, index, strong, italic)
            cell = made.get(key)
            if cell is None:
                align = column.align
                cell = _cell(text, width, align=align, bold=strong, italic=italic, no_wrap=align == "right")
                if len(str(text)) <= SHORT_CELL:
                    made[key] = cell
            cells.append(cell)
        # A short row is kept on one page; a long one (a task's text, units' causes) may break.
        long = any(len(str(text or "")) >= SPLIT_FROM for text in row.cells)
        keep = "" if long else "<w:trPr><w:cantSplit/></w:trPr>"
        yield f"<w:tr>{keep}{''.join(cells)}</w:tr>"
    yield "</w:tbl>"


# --- Paragraphs ---------------------------------------------------------------------------------

W_P, W_PPR, W_R, W_RPR, W_T = qn("w:p"), qn("w:pPr"), qn("w:r"), qn("w:rPr"), qn("w:t")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def paragraph(runs: list[tuple[str, str]], style: str | None = None):
    """A `w:p` from (text, flags) runs; flags hold "b" (bold) and/or "i" (italic)."""
    p = etree.Element(W_P)
    if style:
        ppr = etree.SubElement(p, W_PPR)
        etree.SubElement(ppr, qn("w:pStyle")).set(qn("w:val"), style)
    for text, flags in runs:
        r = etree.SubElement(p, W_R)
        if flags:
            rpr = etree.SubElement(r, W_RPR)
            if "b" in flags:
                etree.SubElement(rpr, qn("w:b"))
            if "i" in flags:
                etree.SubElement(rpr, qn("w:i"))
        t = etree.SubElement(r, W_T)
        t.text = clean(text)
        t.set(XML_SPACE, "preserve")
    return p
