"""The national tables as canonical JSON and as a ZIP of CSV files: complete, safe, byte-identical."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.test import SimpleTestCase

from baocao06.compilation.outputs.tabular import canonical_json, write_csv_zip, write_json

from . import fixture_tables
from .fixture_tables import FORMULA
from .national_fixture import layout_4709

FILES = [
    "PL03.csv",
    "PL04.csv",
    "PL05.csv",
    "rankings_provinces.csv",
    "rankings_ministries.csv",
    "tasks_by_unit.csv",
    "PL02.csv",
    "PL06.csv",
    "PL07.csv",
]


def cell(value) -> str:
    """A figure as the CSV writes it."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(("=", "+", "-", "@")) else text


class TabularTest(SimpleTestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.tmp = Path(directory.name)

    def csv_zip(self, data, name="national.zip") -> dict[str, list[dict]]:
        path = self.tmp / name
        write_csv_zip(data, path, layout_4709())
        with zipfile.ZipFile(path) as archive:
            self.assertEqual(archive.namelist(), FILES)
            raw = {n: archive.read(n) for n in archive.namelist()}
        for name, content in raw.items():
            self.assertTrue(content.startswith(b"\xef\xbb\xbf"), name)
        return {n: list(csv.DictReader(io.StringIO(c.decode("utf-8-sig")))) for n, c in raw.items()}

    def test_the_json_is_canonical_and_parses_back_equal(self):
        data = fixture_tables.national()
        first, second = self.tmp / "a.json", self.tmp / "b.json"
        write_json(data, first)
        shuffled = json.loads(json.dumps(data), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
        write_json(shuffled, second)
        self.assertEqual(first.read_bytes(), second.read_bytes())
        self.assertEqual(json.loads(first.read_text(encoding="utf-8")), data)
        self.assertIn("Thành phố Hà Nội", first.read_text(encoding="utf-8"))
        self.assertEqual(canonical_json(shuffled), canonical_json(data))
        self.assertEqual(json.loads(canonical_json(data)), data)
        self.assertNotIn(b"\n", canonical_json(data))
        changed = fixture_tables.national()
        changed["services"][0]["rows"][0]["values"]["total"] += 1
        self.assertNotEqual(
            hashlib.sha256(canonical_json(changed)).digest(), hashlib.sha256(canonical_json(data)).digest()
        )

    def test_the_zip_is_byte_identical_for_the_same_dict(self):
        data = fixture_tables.national()
        write_csv_zip(data, self.tmp / "a.zip")
        write_csv_zip(json.loads(json.dumps(data)), self.tmp / "b.zip")
        self.assertEqual((self.tmp / "a.zip").read_bytes(), (self.tmp / "b.zip").read_bytes())

    def test_the_tracker_list_and_matrix_files_are_named_by_the_definitions_compilation_block(self):
        data = fixture_tables.national()
        layout = layout_4709()
        block = layout.compilation
        self.assertEqual((block["tracker"]["table"], block["lists"][0], block["matrix"][0]), ("PL02", "PL06", "PL07"))
        write_csv_zip(data, self.tmp / "renamed.zip", _Renamed(layout, {"PL02": "NQ175", "PL06": "DS", "PL07": "MT"}))
        with zipfile.ZipFile(self.tmp / "renamed.zip") as archive:
            names = archive.namelist()
        self.assertEqual(names[6:], ["NQ175.csv", "DS.csv", "MT.csv"])
        write_csv_zip(data, self.tmp / "bare.zip")  # no layout: the parts' own names
        with zipfile.ZipFile(self.tmp / "bare.zip") as archive:
            self.assertEqual(archive.namelist()[6:], ["tracker.csv", "list.csv", "matrix.csv"])

    def test_every_service_row_and_figure(self):
        data = fixture_tables.national()
        files = self.csv_zip(data)
        for entry in data["services"]:
            rows = files[f"{entry['table']}.csv"]
            expected = [("fixed", r) for r in entry["rows"]] + [("free", r) for r in entry["free_rows"]]
            expected.append(("total", entry["total"]))
            self.assertEqual(len(rows), len(expected))
            for got, (kind, row) in zip(rows, expected, strict=True):
                self.assertEqual(got["row_type"], kind)
                self.assertEqual(got["label"], cell(row.get("label")))
                self.assertEqual(got["units"], cell(row["units"]))
                for column in entry["columns"]:
                    self.assertEqual(got[column["key"]], cell(row["values"].get(column["key"])), column["key"])
                self.assertEqual(got["baseline_rate"], cell(row.get("baseline_rate")))
                self.assertEqual(got["change"], cell(row.get("change")))
                self.assertEqual(got["computed_saving"], cell((row.get("computed_savings") or {}).get("saving")))

    def test_rankings_tasks_pl02_pl06_pl07(self):
        data = fixture_tables.national()
        files = self.csv_zip(data)
        for group in ("provinces", "ministries"):
            got = files[f"rankings_{group}.csv"]
            self.assertEqual(
                [{k: r[k] for k in ("rank", "key", "rate")} for r in got],
                [{k: cell(e[k]) for k in ("rank", "key", "rate")} for e in data["rankings"][group]],
            )
        tasks = files["tasks_by_unit.csv"]
        self.assertEqual(len(tasks), len(data["tasks"]["by_unit"]) + 1)
        for got, unit in zip(tasks, data["tasks"]["by_unit"], strict=False):
            self.assertEqual((got["key"], got["rows"]), (unit["key"], str(unit["rows"])))
            for value in ("completed", "not_completed", "recurring", "in_progress"):
                self.assertEqual(got[f"result_{value}"], str(unit["by_result"].get(value, 0)))
            self.assertEqual(got["origin_new"], str(unit["by_origin"]["new"]))
        self.assertEqual(tasks[-1]["rows"], str(data["tasks"]["national"]["rows"]))
        pl02 = files["PL02.csv"]
        self.assertEqual([r["task"] for r in pl02 if r["row_type"] == "task"], [t["key"] for t in data["pl02"]])
        self.assertEqual(
            [(r["task"], r["unit_key"], r["cause"]) for r in pl02 if r["row_type"] == "not_done"],
            [(t["key"], u["key"], cell(u["cause"])) for t in data["pl02"] for u in t["not_done"]],
        )
        pl06 = files["PL06.csv"]
        expected = [
            (u["key"], r["service"], cell(r["cause"]), cell(r["solution"]))
            for g in data["pl06"]
            for u in g["units"]
            for r in u["rows"]
        ]
        self.assertEqual([(r["unit_key"], r["service"], r["cause"], r["solution"]) for r in pl06], expected)
        pl07 = files["PL07.csv"]
        texts = [(r["key"], r["column"], r["unit_key"], r["text"]) for r in pl07 if r["row_type"] == "text"]
        self.assertEqual(
            texts,
            [
                (e["key"], c, i["key"], cell(i["text"]))
                for e in data["pl07"]
                for c, items in e["cells"].items()
                for i in items
            ],
        )
        causes = [(r["key"], r["column"], r["count"]) for r in pl07 if r["row_type"] == "cause"]
        self.assertEqual(causes, [(e["key"], c, str(n)) for e in data["pl07"] for c, n in e["causes"].items()])

    def test_csv_cells_cannot_become_formulas(self):
        files = self.csv_zip(fixture_tables.national())
        values = [v for rows in files.values() for row in rows for v in row.values()]
        self.assertIn("'" + FORMULA, values)
        self.assertIn("'=1+2", values)
        self.assertIn("'@chờ hướng dẫn", values)
        self.assertFalse([v for v in values if v.startswith(("=", "+", "@"))])
        self.assertIn("-3.05", values)  # a negative number stays a number


class _Renamed:
    """A layout whose compilation block names other tables for the tracker, list and matrix."""

    def __init__(self, layout, names: dict[str, str]):
        block = dict(layout.compilation)
        block["tracker"] = {**block["tracker"], "table": names[block["tracker"]["table"]]}
        block["lists"] = [names.get(k, k) for k in block["lists"]]
        block["matrix"] = [names.get(k, k) for k in block["matrix"]]
        self.compilation = block
