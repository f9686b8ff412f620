"""The national workbook: every sheet, every figure of the national dict in its place, safe text."""

from __future__ import annotations

import tempfile
from pathlib import Path

import openpyxl
from django.test import SimpleTestCase

from baocao06.compilation.outputs.unit_sheets import sheet_name
from baocao06.compilation.outputs.xlsx import write_workbook
from baocao06.test import BaseTestCase

from . import fixture_tables
from .fixture_tables import FORMULA

# 4709's national sheets, in order: the summary, its tables by the compilation block's roles, the rankings.
NATIONAL_SHEETS = ("Tổng hợp", "PL01", "PL02", "PL03", "PL04", "PL05", "PL06", "PL07", "Xếp hạng")
SERVICE_EXTRA = ["baseline_rate", "change"]
COMPUTED = ["saving", "cost_before", "cost_after", "cut_rate", "units"]


def rows_of(ws) -> list[tuple]:
    return list(ws.iter_rows(values_only=True))


def header_index(ws, first: str) -> int:
    """0-based index of the header row whose first cell is `first`."""
    return next(i for i, row in enumerate(rows_of(ws)) if row and row[0] == first)


class WorkbookTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.layout = cls.round.get_layout()

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def build(self, data=None, units=None):
        data = data or fixture_tables.national()
        path = Path(self.tmp.name) / "national.xlsx"
        steps = []
        write_workbook(
            data,
            self.layout,
            units if units is not None else fixture_tables.unit_tables(),
            path,
            progress=lambda fraction, step: steps.append(fraction),
        )
        self.steps = steps
        return data, openpyxl.load_workbook(path)

    def assert_value(self, cell_value, expected, where):
        if expected is None or expected == "":
            self.assertIn(cell_value, (None, ""), where)
        elif isinstance(expected, int | float) and not isinstance(expected, bool):
            self.assertIsInstance(cell_value, int | float, where)
            self.assertAlmostEqual(cell_value, expected, places=6, msg=where)
        else:
            self.assertEqual(cell_value, expected, where)

    def test_it_has_every_national_sheet_then_a_sheet_per_unit(self):
        data, book = self.build()
        units = [u["key"] for u in data["units"]]
        self.assertEqual(book.sheetnames, list(NATIONAL_SHEETS) + units)
        self.assertEqual(self.steps[-1], 1.0)
        self.assertEqual(self.steps, sorted(self.steps))

    def test_every_service_figure_is_in_its_place(self):
        data, book = self.build()
        for entry in data["services"]:
            ws = book[entry["table"]]
            rows = rows_of(ws)
            top = header_index(ws, "Mã")
            keys = [c["key"] for c in entry["columns"]]
            body = rows[top + 1 :]
            expected = [(r, False) for r in entry["rows"]] + [(r, False) for r in entry["free_rows"]]
            expected.append((entry["total"], True))
            for row, total in expected:
                if total:
                    found = [r for r in body if r[2] == "TỔNG SỐ TIỀN TIẾT KIỆM"]
                elif row.get("key"):
                    found = [r for r in body if r[0] == row["key"]]
                else:
                    found = [r for r in body if r[2] == row["label"] and r[3] == row["units"]]
                self.assertEqual(len(found), 1, (entry["table"], row))
                cells = found[0]
                where = f"{entry['table']} {row.get('key') or row.get('label')}"
                if not total:
                    self.assertEqual(cells[1], row.get("number"), where)
                    self.assertEqual(cells[2], row["label"], where)
                self.assert_value(cells[3], row["units"], where)
                for i, key in enumerate(keys):
                    self.assert_value(cells[4 + i], row["values"].get(key), f"{where} {key}")
                extra = 4 + len(keys)
                for i, key in enumerate(SERVICE_EXTRA):
                    self.assert_value(cells[extra + i], row.get(key), f"{where} {key}")
                self.assert_value(cells[extra + 2], row["values"].get("savings_total"), f"{where} typed saving")
                computed = row.get("computed_savings") or {}
                for i, key in enumerate(COMPUTED):
                    self.assert_value(cells[extra + 3 + i], computed.get(key), f"{where} computed {key}")

    def test_a_zero_total_leaves_the_rate_empty_and_numbers_are_numbers(self):
        _, book = self.build()
        row = next(r for r in book["PL03"].iter_rows() if r[0].value == "DA06-03")
        self.assertEqual((row[4].value, row[5].value, row[6].value), (0, 0, None))
        self.assertEqual(row[4].data_type, "n")
        self.assertEqual(row[4].number_format, "#,##0")
        self.assertEqual(
            next(r for r in book["PL03"].iter_rows() if r[0].value == "DA06-01")[6].number_format, "#,##0.00"
        )

    def test_every_task_figure_per_unit_and_the_national_total(self):
        data, book = self.build()
        ws = book["PL01"]
        rows = rows_of(ws)
        top = header_index(ws, "STT")
        header = rows[top]
        tasks = data["tasks"]
        labels = {r["value"]: r["label"] for r in tasks["results"]}
        origin_labels = {"carried_over": "Tồn 2023 chuyển sang", "new": "Mới giao năm 2024"}
        body = rows[top + 1 :]
        entries = [(u["key"], u) for u in tasks["by_unit"]] + [(None, tasks["national"])]
        for key, entry in entries:
            cells = next(r for r in body if (r[1] == key if key else r[2] == "TOÀN QUỐC"))
            self.assertEqual(cells[3], entry["rows"])
            for value, label in labels.items():
                self.assertEqual(cells[header.index(label)], entry["by_result"].get(value, 0), (key, value))
            for value, label in origin_labels.items():
                self.assertEqual(cells[header.index(label)], entry["by_origin"].get(value, 0), (key, value))
        self.assertEqual(body[-1][2], "TOÀN QUỐC")

    def test_every_resolution_175_task_with_its_answers_and_not_done_units(self):
        data, book = self.build()
        ws = book["PL02"]
        rows = rows_of(ws)
        top = header_index(ws, "Mã")
        header = rows[top]
        done, not_done = header.index("Đã hoàn thành"), header.index("Chưa hoàn thành")
        unit_col = header.index("Đơn vị chưa hoàn thành")
        for task in data["pl02"]:
            i = next(i for i, r in enumerate(rows) if r[0] == task["key"])
            cells = rows[i]
            self.assertEqual(
                (cells[1], cells[2], cells[3] or "", cells[4]),
                (task["number"], task["title"], task["lead"], task["due"]),
            )
            self.assertEqual(cells[6], task["answers"])
            expected = task["by_result"]
            for col, value in ((done, "done"), (not_done, "not_done")):
                self.assertEqual(cells[col], expected.get(value, 0 if task["common"] else None), (task["key"], value))
            listed = [(r[unit_col], r[unit_col + 1]) for r in rows[i + 1 : i + 1 + len(task["not_done"])]]
            self.assertEqual(listed, [(u["name"], u["cause"]) for u in task["not_done"]])
            lead = task["lead_answer"]
            if lead:
                self.assertIn(lead["name"], cells[unit_col + 2])
                self.assertIn(
                    {"done": "Đã hoàn thành", "not_done": "Chưa hoàn thành"}[lead["result"]], cells[unit_col + 2]
                )
            else:
                self.assertIsNone(cells[unit_col + 2])

    def test_every_pl06_row_and_pl07_text_with_its_unit(self):
        data, book = self.build()
        body = rows_of(book["PL06"])
        listed = [r[1:8] for r in body if isinstance(r[0], int)]
        expected = [
            (u["name"], *[row[k] for k in ("service", "ministry", "locality", "progress", "cause", "solution")])
            for g in data["pl06"]
            for u in g["units"]
            for row in u["rows"]
        ]
        self.assertEqual([tuple(v or "" for v in r) for r in listed], [tuple(v or "" for v in r) for r in expected])
        ws = book["PL07"]
        rows = rows_of(ws)
        header = rows[header_index(ws, "Mã")]
        for entry in data["pl07"]:
            cells = next(r for r in rows if r[0] == entry["key"])
            self.assertEqual(cells[2], entry["label"])
            for column, items in entry["cells"].items():
                col = header.index(
                    {
                        "citizens": "Người dân",
                        "businesses": "Doanh nghiệp",
                        "government": "Chính phủ",
                        "issues": "Tồn tại",
                        "solution": "Giải pháp",
                    }[column]
                )
                self.assertEqual(cells[col].split("\n"), [f"{i['name']}: {i['text']}" for i in items])
            for cause, count in entry["causes"].items():
                label = {"legal": "Pháp lý", "data": "Dữ liệu", "people": "Nguồn lực - con người"}[cause]
                self.assertEqual(cells[header.index("Nguyên nhân: " + label)], count)

    def test_rankings_and_the_summary(self):
        data, book = self.build()
        rows = rows_of(book["Xếp hạng"])
        for group in ("provinces", "ministries"):
            for entry in data["rankings"][group]:
                cells = next(r for r in rows if r[1] == entry["key"])
                self.assertEqual(
                    cells[:7],
                    tuple(entry[k] for k in ("rank", "key", "name", "total", "online", "rate", "savings_total")),
                )
        summary = rows_of(book["Tổng hợp"])
        texts = [v for r in summary for v in r if isinstance(v, str)]
        self.assertFalse(any("TẠM TÍNH" in t for t in texts))
        for unit in data["units"]:
            cells = next(r for r in summary if r[1] == unit["key"] and r[2] == unit["name"])
            self.assertEqual(cells[6], unit["version"])
            self.assertEqual(cells[7], "Có" if unit["late"] else None)
        for unit in data["completeness"]["not_included"]:
            self.assertTrue(any(r[1] == unit["key"] and r[2] == unit["name"] for r in summary))
        self.assertTrue(any(r[1] == "Đơn vị được giao" and r[2] == 13 for r in summary))
        # The first sheet is read from the top: only the title row frozen; no raw keys (issue 12).
        self.assertEqual(book["Tổng hợp"].freeze_panes, "A2")
        raw = {"h1", "h2", "ministries", "provinces", "communes", "corporations", "accepted", "submitted"}
        self.assertFalse(raw & {w for t in texts for w in t.split()}, texts)
        self.assertFalse(any(t.startswith(("h1 ", "h2 ", "year ")) for t in texts), texts)

    def test_a_provisional_compilation_says_so_on_every_national_sheet(self):
        _, book = self.build(fixture_tables.national(provisional=True))
        self.assertEqual(book["Tổng hợp"]["A2"].value, "TẠM TÍNH")
        for name in NATIONAL_SHEETS:
            texts = [v for r in rows_of(book[name])[:5] for v in r if isinstance(v, str)]
            self.assertTrue(any("TẠM TÍNH" in t for t in texts), name)
        self.assertIn("TẠM TÍNH", book["P01"]["A2"].value)

    def test_text_that_looks_like_a_formula_is_stored_as_text(self):
        _, book = self.build()
        cells = [
            c for name in ("PL04", "PL06", "P01") for r in book[name].iter_rows() for c in r if isinstance(c.value, str)
        ]
        risky = [c for c in cells if c.value.startswith(("=", "+", "-", "@"))]
        self.assertTrue({FORMULA, "=1+2", "+Đẩy nhanh", "=chậm", "-Rà soát dữ liệu"} <= {c.value for c in risky})
        for cell in risky:
            self.assertEqual(cell.data_type, "s", cell.coordinate)
            self.assertTrue(cell.quotePrefix, cell.coordinate)

    def test_a_sheet_per_unit_with_its_own_values(self):
        _, book = self.build()
        for key, name, tables in fixture_tables.unit_tables():
            ws = book[key]
            self.assertEqual(ws["A1"].value, name)
            rows = rows_of(ws)
            if not tables:
                self.assertFalse(any(v for r in rows[2:] for v in r))
            pl03 = tables.get("PL03", [])
            for row in pl03:
                label = self.layout.table_index["PL03"].row_index[row["key"]].label
                cells = next(r for r in rows if r[1] == label)
                self.assertEqual(
                    cells[2:5], (row["values"]["total"], row["values"]["online"], row["values"].get("rate"))
                )
            for row in tables.get("PL01", []):
                cells = next(r for r in rows if r[1] == row["values"]["content"])
                self.assertIn(
                    {"completed": "Hoàn thành", "not_completed": "Chưa hoàn thành"}[row["values"]["result"]], cells
                )
            for row in tables.get("PL07", []):
                cells = next(r for r in rows if r[1] == "76 DVC")
                self.assertIn(row["values"]["citizens"], cells)
                self.assertIn("Pháp lý; Dữ liệu", cells)
            for row in tables.get("PL05", []):
                cells = next(r for r in rows if r[1] == row["values"]["service"])
                self.assertEqual(cells[2:5], tuple(row["values"][k] for k in ("total", "online", "rate")))

    def test_a_unit_keyed_like_a_national_sheet_gets_a_name_of_its_own(self):
        units = fixture_tables.unit_tables()
        _key, name, tables = units[0]
        units[0] = ("pl02", name, tables)  # a unit whose key is a national sheet's name in another case
        _data, book = self.build(units=units)
        self.assertEqual(book.sheetnames[: len(NATIONAL_SHEETS)], list(NATIONAL_SHEETS))
        self.assertEqual(book.sheetnames[len(NATIONAL_SHEETS)], "pl02~2")
        self.assertEqual(rows_of(book["pl02~2"])[0][0], name)


class SheetNameTest(SimpleTestCase):
    def test_names_are_safe_short_and_unique_regardless_of_case(self):
        taken = {"pl01"}
        self.assertEqual(sheet_name("P01", taken), "P01")
        self.assertEqual(sheet_name("p01", taken), "p01~2")
        self.assertEqual(sheet_name("PL01", taken), "PL01~2")
        self.assertEqual(sheet_name("A/B:C*D?", taken), "A_B_C_D_")
        long = sheet_name("X" * 40, taken)
        self.assertEqual(len(long), 31)
        self.assertEqual(len(sheet_name("X" * 40, taken)), 31)
        self.assertEqual(sheet_name("'History'", taken), "History~2")


class AssembleTest(SimpleTestCase):
    def test_the_rows_are_copied_deflated_as_written_and_the_file_checks(self):
        """`assemble` puts a sheet's deflated rows into the file as they are (compressing them again
        took most of the national workbook's last step); the member still passes zip's CRC check."""
        import io
        import zipfile

        from baocao06.compilation.outputs.rows import Label, Sheet, Styles, Workbook, assemble

        skeleton = io.BytesIO()
        book = Workbook(skeleton, {"in_memory": True})
        styles = Styles(book, {"text": {}}, {})
        sheet = Sheet(book, book.add_worksheet("A"), styles)
        for n in range(2000):
            sheet.row([(Label("Nhãn"), "text"), (f"dòng {n} & <x>", "text"), (n, None), (n / 7, None)])
        sheet.finish()
        rows = b"".join(book.bodies[0][1])
        book.close()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "a.xlsx"
            assemble(skeleton.getvalue(), book.bodies, path)
            self.assertIn(rows, path.read_bytes())
            with zipfile.ZipFile(path) as archive:
                self.assertIsNone(archive.testzip())
            values = list(openpyxl.load_workbook(path)["A"].values)
        self.assertEqual(len(values), 2000)
        self.assertEqual(values[1999][:3], ("Nhãn", "dòng 1999 & <x>", 1999))
        self.assertAlmostEqual(values[1999][3], 1999 / 7)
