"""The Decree 30/2020 page of every document the system writes (the national report and each unit's
report): Times New Roman 14 pt, A4 with its margins, the heading and table styles, the borderless
header table, the short rules under the issuer and the motto, the page number field."""

from __future__ import annotations

from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Mm, Pt, RGBColor

from .wordxml import TABLE_STYLE, TWIPS_PER_MM

FONT = "Times New Roman"
BODY_PT = 14
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)


def set_fonts(rpr) -> None:
    """Times New Roman for every script, with the theme fonts of the template removed."""
    fonts = rpr.get_or_add_rFonts()
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), FONT)


def setup_styles(doc) -> None:
    styles = doc.styles
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            set_fonts(rpr)
    normal = styles["Normal"]
    set_fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(BODY_PT)
    fmt = normal.paragraph_format
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.first_line_indent = Cm(1)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(6)
    fmt.line_spacing = 1.15
    for level in range(1, 5):
        style = styles[f"Heading {level}"]
        set_fonts(style.element.get_or_add_rPr())
        style.font.size = Pt(BODY_PT)
        style.font.bold = True
        style.font.italic = level >= 3
        style.font.color.rgb = RGBColor(0, 0, 0)
        hfmt = style.paragraph_format
        hfmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        hfmt.first_line_indent = Cm(1)
        hfmt.left_indent = Cm(0)
        hfmt.space_before = Pt(6)
        hfmt.space_after = Pt(6)
        hfmt.keep_with_next = True
    for name, size in ((TABLE_STYLE, 11), ("Centered", BODY_PT)):
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(size)
        sfmt = style.paragraph_format
        sfmt.first_line_indent = Cm(0)
        sfmt.space_after = Pt(0) if name == TABLE_STYLE else Pt(6)
        sfmt.line_spacing = 1.0
        sfmt.alignment = WD_ALIGN_PARAGRAPH.LEFT if name == TABLE_STYLE else WD_ALIGN_PARAGRAPH.CENTER


def page_setup(section, orientation: str = "portrait") -> None:
    width, height = PAGE_MM
    landscape = orientation == "landscape"
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (Mm(height), Mm(width)) if landscape else (Mm(width), Mm(height))
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def text_width_twips(orientation: str) -> int:
    width = PAGE_MM[1] if orientation == "landscape" else PAGE_MM[0]
    return int((width - MARGINS_MM["left"] - MARGINS_MM["right"]) * TWIPS_PER_MM)


def borderless(table) -> None:
    borders = parse_xml(
        f"<w:tblBorders {nsdecls('w')}>"
        + "".join(f'<w:{edge} w:val="nil"/>' for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
        + "</w:tblBorders>"
    )
    tblpr = table._tbl.tblPr
    tblpr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")


def rule(cell, length_cm: float, cell_cm: float) -> None:
    """A short horizontal rule, centred in a cell (or the body, given the document and the text
    width): an empty paragraph with a top border."""
    p = cell.add_paragraph()
    ppr = p._p.get_or_add_pPr()
    # The border goes in first: python-docx then inserts spacing and indents after it, in schema order.
    ppr.append(
        parse_xml(f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>')
    )
    p.style = "Centered"
    side = Cm(max(0.0, (cell_cm - length_cm) / 2))
    p.paragraph_format.left_indent = side
    p.paragraph_format.right_indent = side
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(4)


def page_field(paragraph) -> None:
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
