"""The national appendices' repeated table headers have no vertical merges (LibreOffice cuts a merged
header cell short where the header repeats on a new page): a column outside a header group is a label
cell over an empty one with the border between them dropped, as in a unit's report."""

from __future__ import annotations

import io
import re
import zipfile

from django.test import SimpleTestCase

from baocao06.compilation.outputs.docx import write_docx

from .national_fixture import layout_4709, national_data

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class NationalHeaderTests(SimpleTestCase):
    def test_grouped_headers_are_two_rows_without_vertical_merges(self):
        from lxml import etree

        out = io.BytesIO()
        write_docx(national_data(), layout_4709(), out, with_charts=False)
        with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
            body = archive.read("word/document.xml")
        self.assertNotIn(b"w:vMerge", body)
        tree = etree.fromstring(body)
        grouped = 0
        for table in tree.iter(f"{W}tbl"):
            rows = [tr for tr in table.iter(f"{W}tr") if tr.find(f"{W}trPr/{W}tblHeader") is not None]
            if len(rows) != 2:
                continue
            grouped += 1

            def columns(tr):
                # each header cell with the grid columns it covers, its text and its dropped border
                at, cells = 0, []
                for tc in tr.findall(f"{W}tc"):
                    span = tc.find(f"{W}tcPr/{W}gridSpan")
                    width = int(span.get(f"{W}val")) if span is not None else 1
                    edge = tc.find(f"{W}tcPr/{W}tcBorders")
                    dropped = [etree.QName(e).localname for e in edge] if edge is not None else []
                    text = "".join(t.text or "" for t in tc.iter(f"{W}t"))
                    cells.append((at, width, text, dropped))
                    at += width
                return cells

            top, bottom = columns(rows[0]), columns(rows[1])
            below = {at: (width, text, dropped) for at, width, text, dropped in bottom}
            self.assertEqual(sum(w for _, w, _, _ in top), len(bottom), "the second row has one cell per column")
            for at, width, text, dropped in top:
                if width > 1:  # a group's label over its columns' own labels
                    self.assertEqual(dropped, [])
                    for column in range(at, at + width):
                        self.assertTrue(below[column][1].strip(), (text, column))
                        self.assertEqual(below[column][2], [])
                else:  # a column outside any group: its label on top, an open empty cell below
                    self.assertTrue(text.strip())
                    self.assertEqual(dropped, ["bottom"], text)
                    self.assertEqual((below[at][1], below[at][2]), ("", ["top"]), text)
        self.assertGreater(grouped, 0, "4709's appendices have grouped headers (PL03's savings)")
        self.assertTrue(re.search(rb'<w:gridSpan w:val="[2-9]"/>', body))
