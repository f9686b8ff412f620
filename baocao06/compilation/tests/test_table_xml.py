"""The national DOCX splices its appendix tables as text (`wordxml.table_xml`) instead of parsing them:
the text must be exactly what lxml writes for the parsed table, whatever the units typed."""

from __future__ import annotations

from django.test import SimpleTestCase
from docx.oxml import parse_xml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from baocao06.compilation.outputs.wordxml import Column, Row, TableSpec, table_element, table_xml

DECLARATION = ' xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)) | st.sampled_from("\r\n\t &<>\"'"),
    max_size=30,
)
rows = st.lists(
    st.builds(
        Row,
        cells=st.lists(texts | st.sampled_from(["", "1.234", "0"]), min_size=1, max_size=4),
        kind=st.sampled_from(["data", "group", "subgroup", "total"]),
        bold_first=st.booleans(),
    ),
    max_size=8,
)


def lxml_text(xml: str) -> str:
    return etree.tostring(parse_xml(xml), encoding="unicode")


class TableXmlTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(rows=rows, grouped=st.booleans())
    def test_the_text_is_what_lxml_writes_for_the_parsed_table(self, rows, grouped):
        columns = [
            Column("a", "STT", "center", 0.5),
            Column("b", "Đơn vị & <nhiệm vụ>", "left", 3),
            Column("c", "Tổng", "right"),
            Column("d", "Trực tuyến", "right"),
        ]
        header = [{"label": "Hồ sơ", "columns": ["c", "d"]}] if grouped else []
        spec = TableSpec(columns, rows, header)
        declared = table_xml(spec, 14000, declare=True)
        self.assertEqual(declared, lxml_text(declared))
        self.assertEqual(table_xml(spec, 14000), declared.replace(DECLARATION, "", 1))
        self.assertEqual(lxml_text(declared), etree.tostring(table_element(spec, 14000), encoding="unicode"))

    def test_carriage_returns_empty_lines_and_markup_in_a_cell(self):
        spec = TableSpec([Column("a", "A")], [Row(["x\r\n\ny & <z>"])])
        declared = table_xml(spec, 9000, declare=True)
        self.assertIn("&#13;", declared)
        self.assertIn('<w:t xml:space="preserve"/>', declared)
        self.assertEqual(declared, lxml_text(declared))
