"""Seeded, realistic report content for the demo and the national-scale benchmark.

It reads any layout the engine can read (no appendix-specific code paths): values come from the
column type, with a few hints from column keys for magnitudes (applications, online share,
savings) in the ranges of BRIEF.md §5. Tables whose formulas read the round's settings (compliance
costs, CP27) are filled for a few rows of some units only, as units cost only some services; hours
before are 8–16 and after 1–4, so computed savings are in the billions of đồng. The same seed always
gives the same content.
"""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

import yaml

from baocao06.core.vietnamese import format_number
from baocao06.definitions.layout import Section, TableView, UnitView

# Approximate population in millions (2023) of the provinces that weigh most; others ~1.3 M.
POPULATION = {
    "P01": 8.5,
    "P79": 9.4,
    "P38": 3.7,
    "P40": 3.4,
    "P74": 2.8,
    "P75": 3.3,
    "P31": 2.1,
    "P66": 1.9,
    "P30": 1.9,
    "P36": 1.9,
    "P89": 1.9,
    "P24": 1.9,
    "P64": 1.6,
    "P80": 1.7,
    "P82": 1.8,
    "P49": 1.5,
    "P52": 1.5,
    "P92": 1.3,
    "P48": 1.2,
    "P46": 1.2,
    "P22": 1.4,
    "P68": 1.3,
    "P91": 1.7,
}

_PHRASES = yaml.safe_load((Path(__file__).parent / "phrases.yaml").read_text(encoding="utf-8"))
SENTENCES: dict[str, list[str]] = _PHRASES["sentences"]
SENTENCES_BY_KIND: dict[str, dict[str, list[str]]] = _PHRASES.get("sentences_by_kind") or {}
FIELD_SENTENCES: dict[str, str] = _PHRASES["field_sentences"]
CELL_TEXT: dict[str, list[str]] = _PHRASES["cell_text"]
TASKS: list[str] = _PHRASES["tasks"]
SERVICES_206: list[str] = _PHRASES["services_206"]


# The words of the period a report covers (the first half of 2024 unless the round says otherwise).
FIRST_HALF_2024 = {
    "period": "6 tháng đầu năm 2024",
    "next": "6 tháng cuối năm",
    "prior": "cùng kỳ năm 2023",
    "baseline": "tháng 12/2023",
    "year": 2024,
}


def period_words(round_) -> dict:
    """The period words of a round: "6 tháng đầu năm 2024" / "năm 2026", what follows, what it compares with."""
    year = round_.year
    if round_.period_kind == "h1":
        period, following = f"6 tháng đầu năm {year}", "6 tháng cuối năm"
    elif round_.period_kind == "h2":
        period, following = f"6 tháng cuối năm {year}", f"năm {year + 1}"
    else:
        period, following = f"năm {year}", f"năm {year + 1}"
    prior = f"cùng kỳ năm {year - 1}" if round_.period_kind in {"h1", "h2"} else f"năm {year - 1}"
    return {"period": period, "next": following, "prior": prior, "baseline": f"tháng 12/{year - 1}", "year": year}


class Filler:
    """Fills one unit's report from a seeded random source."""

    def __init__(self, view: UnitView, seed: int, unit_name: str, period: dict | None = None):
        self.view = view
        self.period = period or FIRST_HALF_2024
        self.rng = random.Random(f"{seed}:{view.unit_key}")
        self.unit_name = unit_name
        self.weight = POPULATION.get(view.unit_key, 1.3) / 1.3 if view.unit_kind == "province" else 0.6

    # --- narrative --------------------------------------------------------------------------

    def _fill(self, template: str) -> str:
        rng = self.rng
        return template.format(
            unit=self.unit_name,
            n1=rng.randint(3, 25),
            n2=format_number(rng.randint(20, 900)),
            n3=format_number(rng.randint(5_000, 900_000)),
            pct1=format_number(Decimal(rng.randint(20, 90)) / 10),
            pct2=format_number(Decimal(rng.randint(550, 960)) / 10),
            money=format_number(rng.randint(5, 900) * 100_000_000),
            period=self.period["period"],
            next=self.period["next"],
            prior=self.period["prior"],
            baseline=self.period["baseline"],
        )

    def section(self, section: Section) -> dict:
        banks = {**SENTENCES, **SENTENCES_BY_KIND.get(self.view.unit_kind, {})}
        matching = [k for k in banks if section.key == k or section.key.startswith(k + ".")]
        bank = banks[max(matching, key=len)] if matching else banks["II"]
        fields = {}
        for spec in section.fields:
            if spec["key"] in FIELD_SENTENCES:
                fields[spec["key"]] = FIELD_SENTENCES[spec["key"]]
            else:
                count = self.rng.randint(min(2, len(bank)), min(3, len(bank)))
                fields[spec["key"]] = " ".join(self._fill(s) for s in self.rng.sample(bank, count))
        return {"fields": fields}

    # --- tables -----------------------------------------------------------------------------

    def table(self, table_view: TableView) -> dict:
        table = table_view.table
        if any(f.setting_names for f in table.formulas.values()):
            return self._cost_table(table_view)
        rows = []
        for group in table_view.groups:
            for row in group.rows:
                if not row.heading:
                    rows.append({"key": row.key, "values": self._row_values(table, fixed=True)})
            if group.free_rows and self._wants_free_rows(table):
                for index in range(self.rng.randint(*self._free_row_count(table))):
                    values = self._row_values(table, fixed=False)
                    rows.append({"key": f"n{group.group.key}{index}", "group": group.group.key, "values": values})
        return {"rows": rows}

    def _cost_table(self, table_view: TableView) -> dict:
        """Compliance-cost inputs for a few services of about half the units."""
        rng = self.rng
        fixed = [row for group in table_view.groups for row in group.rows if not row.heading]
        if not fixed or rng.random() < 0.5:
            return {"rows": []}
        chosen = rng.sample(fixed, min(len(fixed), rng.randint(2, 5)))
        return {"rows": [{"key": row.key, "values": self._cost_values(table_view.table)} for row in chosen]}

    def _cost_values(self, table) -> dict:
        rng = self.rng
        steps = [c for c in table.columns if c["key"].startswith("hours") and not c.get("formula")]
        before_hours = rng.uniform(8, 16)
        after_hours = rng.uniform(1, 4)
        fees = rng.choice([0, 20_000, 50_000, 100_000, 200_000])
        values: dict = {}
        for column in table.columns:
            key = column["key"]
            if column.get("formula") or column.get("role") == "label" or column.get("item_field"):
                continue
            after = key.endswith("after")
            if column in steps:
                share = (before_hours if not after else after_hours) / max(1, len(steps) // 2)
                values[key] = format_number(Decimal(str(round(share * rng.uniform(0.7, 1.3), 1))))
            elif key.startswith("fees"):
                values[key] = format_number(fees if not after else fees // 2)
            elif key.startswith("other"):
                values[key] = format_number(rng.randint(10, 50) * 10_000 if not after else rng.randint(0, 5) * 10_000)
            elif key.startswith("times"):
                values[key] = "1"
            elif key.startswith("subjects"):
                values[key] = format_number(int(rng.randint(2_000, 60_000) * self.weight))
        return values

    def free_row_values(self, table) -> dict:
        """The values of one free row a unit would type (used for rows carried from a previous round)."""
        return self._row_values(table, fixed=False)

    def _wants_free_rows(self, table) -> bool:
        # Task lists and not-yet-integrated services are common; extra service rows less so.
        return self.rng.random() < (0.9 if table.key in {"PL01", "PL05"} else 0.45)

    def _free_row_count(self, table) -> tuple[int, int]:
        return (4, 9) if table.key == "PL01" else (1, 4)

    def _row_values(self, table, fixed: bool) -> dict:
        rng = self.rng
        values: dict = {}
        total = int(rng.randint(800, 40_000) * self.weight)
        online = int(total * rng.uniform(0.35, 0.95))
        saving = online * rng.randint(25, 120) * 1000
        for column in table.columns:
            key, kind = column["key"], column["type"]
            if not table.is_input(column) or (fixed and (column.get("role") == "label" or column.get("item_field"))):
                continue
            if column.get("role") == "label":
                values[key] = rng.choice(SERVICES_206 if "service" in key else TASKS)
            elif kind in {"integer", "money"}:
                values[key] = format_number(self._number(key, total, online, saving))
            elif kind in {"number", "percent"}:
                low = -30 if column.get("min") is None else 0
                values[key] = format_number(Decimal(rng.randint(low, 150)) / 10)
            elif kind == "choice":
                values[key] = self._choice(column)
            elif kind == "multichoice":
                values[key] = [c["value"] for c in rng.sample(column["choices"], rng.randint(1, 2))]
            elif kind == "deadline":
                values[key] = f"Quý {rng.choice(['I', 'II', 'III', 'IV'])}/{self.period['year']}"
            elif kind == "date":
                values[key] = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{self.period['year']}"
            else:
                values[key] = self._text(key, column)
        # Rules such as "a cause is required when not done" must hold in generated data.
        for rule in table.rules:
            for name in rule.get("require") or []:
                if not values.get(name):
                    values[name] = rng.choice(CELL_TEXT["cause"])
        return values

    def _number(self, key: str, total: int, online: int, saving: int) -> int:
        if key == "online":
            return online
        if key == "total":
            return total
        if "citizen" in key:
            return saving * 7 // 10 // 1000 * 1000
        if "state" in key:
            return saving * 3 // 10 // 1000 * 1000
        if "saving" in key:
            return saving
        return self.rng.randint(1, 500)

    def _choice(self, column) -> str:
        values = [c["value"] for c in column["choices"]]
        weights = {
            "completed": 50,
            "done": 60,
            "recurring": 17,
            "in_progress": 27,
            "not_completed": 6,
            "not_done": 40,
            "carried_over": 35,
            "new": 65,
        }
        return self.rng.choices(values, weights=[weights.get(v, 10) for v in values])[0]

    def _text(self, key: str, column) -> str:
        for hint, options in CELL_TEXT.items():
            if hint in key:
                return self.rng.choice(options)
        label = column["label"].lower()
        if "người dân" in label or "citizen" in key:
            return "Giảm thời gian đi lại, không phải xuất trình giấy tờ khi thực hiện thủ tục."
        if "doanh nghiệp" in label or "business" in key:
            return "Rút ngắn thời gian xác thực khách hàng, giảm chi phí tuân thủ."
        if "chính phủ" in label or "government" in key:
            return "Dữ liệu được cập nhật thường xuyên, phục vụ chỉ đạo, điều hành kịp thời."
        return self.rng.choice(CELL_TEXT["solution"])

    def report(self, completeness: float = 1.0) -> dict[str, dict]:
        """Every part of the report; with completeness < 1, only that share of parts (a draft)."""
        parts = {}
        for key in self.view.part_keys:
            if completeness < 1 and self.rng.random() > completeness:
                continue
            if key in self.view.table_index:
                parts[key] = self.table(self.view.table_index[key])
            else:
                parts[key] = self.section(self.view.layout.section_index[key])
        return parts
