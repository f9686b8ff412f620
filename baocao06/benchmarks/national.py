"""A national-scale round of submitted reports (QUALITY.md "National scale"), seeded, for benchmarks.

One round on the 4709 definition with communes addressed like provinces (the 2024 definition leaves
communes out; the national workload has every unit report): ~3,400 units valid on 14/12/2025, each
with ~20 narrative sections of ~2 KB and PL01–PL07 (PL01 ~30 rows, PL02 its catalogue tasks, PL03 25
services, PL04 ~30, PL05 ~25, PL06 ~10, PL07 the matrix), magnitudes as in BRIEF.md §5. Some units
are missing (no version), late, returned, or revised (returned, then a second version accepted).

Content is built directly in the canonical submitted format (docs/data-formats.md), not through the
actions: versions and their `VersionValue` rows (`compilation.values.value_tuples`) are bulk-inserted, in
one transaction, so a round that exists is complete. `build_round(units=12)` builds a small one for
tests; the same seed always gives the same content for a unit.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from baocao06.definitions import cells

TITLE = "Kỳ đo hiệu năng tổng hợp (toàn quốc)"
DEFINITION_VERSION = "bench-national"
DAY = dt.date(2025, 12, 14)
SEED = 2025
NARRATIVE_BYTES = 44_000  # per unit: ~20 sections × ~2 KB (QUALITY.md), spread over the unit's fields
BATCH = 100  # units per bulk insert


def bench_definition():
    """The 4709 definition under its own version, with communes addressed as provinces are."""
    from baocao06.definitions.loading import store_definition

    path = Path(settings.BAOCAO06_DATA_DIR) / "definitions" / "4709-2024-h1.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["version"] = DEFINITION_VERSION
    data["audiences"]["provinces"]["kinds"] = [*data["audiences"]["provinces"]["kinds"], "commune"]
    definition, _ = store_definition(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200))
    return definition


def title_for(units: int | None) -> str:
    return TITLE if units is None else f"{TITLE} — {units} đơn vị"


def existing_round(units: int | None = None):
    from baocao06.rounds.models import Round

    return Round.objects.light().filter(title=title_for(units)).first()


def _pick(units: list, count: int | None) -> list:
    """All units, or `count` of them spread over central bodies, corporations, provinces, communes."""
    if count is None:
        return units
    rng = random.Random(SEED)
    pools: dict[str, list] = {}
    for unit in units:
        family = unit.kind if unit.kind in {"corporation", "province", "commune"} else "central"
        pools.setdefault(family, []).append(unit)
    for pool in pools.values():
        rng.shuffle(pool)
    picked: list = []
    while len(picked) < count and any(pools.values()):
        for pool in pools.values():
            if pool and len(picked) < count:
                picked.append(pool.pop())
    order = {u.pk: i for i, u in enumerate(units)}
    return sorted(picked, key=lambda u: order[u.pk])


# --- content ----------------------------------------------------------------------------------


class UnitContent:
    """The canonical content of one unit's submitted version, built from a seeded random source."""

    def __init__(self, view, unit_name: str, salt: str = "", settings=None):
        from baocao06.demo.generator import CELL_TEXT, FIRST_HALF_2024, POPULATION, SENTENCES, SERVICES_206, TASKS

        self.view = view
        self.settings = settings  # the round's Circular 02/2017 settings, for formulas using setting()
        self.rng = random.Random(f"{SEED}:{view.unit_key}{salt}")
        self.unit_name = unit_name
        kind = view.unit_kind
        self.weight = (
            POPULATION.get(view.unit_key.split("-")[0], 1.3) * 3
            if kind == "province"
            else (0.08 if kind == "commune" else 1.0)
        )
        self.sentences, self.cell_text = SENTENCES, CELL_TEXT
        self.period_words = {k: v for k, v in FIRST_HALF_2024.items() if k != "year"}  # the national round is 4709's
        self.labels = {"service": SERVICES_206, "content": TASKS}

    # narrative

    def _bank(self, key: str) -> list[str]:
        best = max((k for k in self.sentences if key == k or key.startswith(k + ".")), key=len, default="II")
        return self.sentences[best] + self.sentences["II"]

    def _sentence(self, template: str) -> str:
        rng = self.rng
        return template.format(
            unit=self.unit_name,
            n1=rng.randint(3, 25),
            n2=rng.randint(20, 900),
            n3=f"{rng.randint(5_000, 900_000):,}".replace(",", "."),
            pct1=f"{rng.randint(20, 90) / 10:.1f}".replace(".", ","),
            pct2=f"{rng.randint(550, 960) / 10:.1f}".replace(".", ","),
            money=f"{rng.randint(5, 900) * 100_000_000:,}".replace(",", "."),
            **self.period_words,
        )

    def _text(self, bank: list[str], size: int) -> str:
        parts, length = [], 0
        while length < size:
            sentence = self._sentence(self.rng.choice(bank))
            parts.append(sentence)
            length += len(sentence.encode()) + 1
        return " ".join(parts)

    def sections(self) -> dict:
        specs = [(s, f) for s in self.view.input_sections() for f in s.fields]
        size = NARRATIVE_BYTES // max(1, len(specs))
        out: dict[str, dict] = {}
        for section, field in specs:
            out.setdefault(section.key, {"fields": {}})["fields"][field["key"]] = self._text(
                self._bank(section.key), size
            )
        return out

    # tables

    def _free_count(self, table, group, fixed: int) -> int:
        rng = self.rng
        key = table.key
        if key == "PL01":
            return rng.randint(12, 18) if group.group.key == "A" else rng.randint(10, 16)
        if key == "PL04":
            return max(0, rng.randint(27, 33) - fixed)
        if key == "PL05":
            return rng.randint(20, 30)
        if key == "PL06":
            return rng.randint(6, 14)
        return rng.randint(0, 3)

    def _values(self, table, row, fixed: bool) -> dict:
        """Typed values (parsed), then computed ones, as `validation._clean_row` would give them."""
        rng = self.rng
        values: dict = {}
        total = max(1, int(rng.randint(800, 40_000) * self.weight))
        online = int(total * rng.uniform(0.35, 0.95))
        saving = online * rng.randint(25_000, 120_000)
        required = {name for rule in table.rules if not rule.get("when") for name in rule.get("require") or []}
        for column in table.columns:
            key, kind = column["key"], column["type"]
            if fixed and (column.get("role") == "label" or column.get("item_field") or key in row.values):
                if column.get("role") == "label":
                    values[key] = row.label
                else:
                    value = row.values.get(column.get("item_field") or key, row.values.get(key))
                    if value is not None:
                        values[key] = value
                continue
            if column.get("formula") and column.get("fallback") != "typed":
                continue
            if column.get("role") == "label":
                values[key] = rng.choice(self.labels.get(key, self.labels["content"]))
            elif kind in {"integer", "money"}:
                if key == "total":
                    values[key] = total
                elif key == "online":
                    values[key] = online
                elif "citizen" in key:
                    values[key] = saving * 6 // 10
                elif "state" in key:
                    values[key] = saving * 3 // 10
                elif "saving" in key:
                    values[key] = saving
                else:
                    values[key] = rng.randint(1, 500)
            elif kind in {"number", "percent"}:
                value = Decimal(rng.randint(-30, 150)) / 10
                if column.get("min") is not None and value < Decimal(str(column["min"])):
                    value = -value  # the column's own lower bound (hours are never negative)
                values[key] = value
            elif kind == "choice":
                values[key] = self._choice(column)
            elif kind == "multichoice":
                order = [c["value"] for c in column["choices"]]
                picked = rng.sample(order, rng.randint(1, 2)) if rng.random() < 0.6 else []
                if picked:
                    values[key] = sorted(picked, key=order.index)
            elif kind == "deadline":
                values[key] = f"Quý {rng.choice(['I', 'II', 'III', 'IV'])}/2025"
            elif kind == "date":
                values[key] = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            elif key in required or rng.random() < 0.55:
                values[key] = self._cell_text(key)
        for rule, when, _ in table.compiled_rules:  # "a cause is required when not done" must hold
            if when is not None and when.evaluate(values):
                for name in rule.get("require") or []:
                    values.setdefault(name, rng.choice(self.cell_text["cause"]))
        for ckey in table.formula_order:
            if ckey in values:
                continue
            value = table.formulas[ckey].evaluate(values, None, self.settings)
            if value is not None:
                values[ckey] = value
        return values

    def _choice(self, column) -> str:
        weights = {"completed": 50, "done": 60, "recurring": 17, "in_progress": 27, "not_completed": 6}
        weights |= {"not_done": 40, "carried_over": 35, "new": 65}
        options = [c["value"] for c in column["choices"]]
        return self.rng.choices(options, weights=[weights.get(v, 10) for v in options])[0]

    def _cell_text(self, key: str) -> str:
        for hint, options in self.cell_text.items():
            if hint in key and any(options):
                return self.rng.choice([o for o in options if o])
        return self.rng.choice(self.cell_text["solution"])

    def table(self, table_view) -> dict:
        table = table_view.table
        rows = []
        for group in table_view.groups:
            fixed = [r for r in group.rows if not r.heading]
            filled = set(range(len(fixed)))
            if not table.printed and fixed:
                # A worksheet units fill only for the services they cost (CP27): 2–5 rows, half the units.
                picked = set(self.rng.sample(range(len(fixed)), min(len(fixed), self.rng.randint(2, 5))))
                filled = picked if self.rng.random() < 0.5 else set()
            for index, row in enumerate(fixed):
                values = self._values(table, row, True)
                if index not in filled:  # an untouched row keeps only what the catalogue gives it
                    values = {k: v for k, v in values.items() if table.column_index[k].get("role") == "label"}
                rows.append({"key": row.key, "group": row.group, "values": values})
            if group.free_rows:
                for index in range(self._free_count(table, group, len(fixed))):
                    key = f"n{group.group.key}{index}"
                    rows.append({"key": key, "group": group.group.key, "values": self._values(table, None, False)})
        totals = []
        for spec in table.totals:
            sums: dict = {}
            for ckey in spec["sum"]:
                numbers = [Decimal(str(r["values"][ckey])) for r in rows if r["values"].get(ckey) is not None]
                sums[ckey] = sum(numbers, Decimal(0)) if numbers else None
            for ckey in table.formula_order:
                formula = table.formulas[ckey]
                if set(formula.names) <= set(sums) and not formula.baseline_names:
                    sums[ckey] = formula.evaluate(sums)
            totals.append({"key": spec["key"], "values": _json(sums)})
        for row in rows:
            row["values"] = _json(row["values"])
        return {"rows": rows, "totals": totals}

    def content(self) -> dict:
        return {
            "sections": self.sections(),
            "tables": {t.key: self.table(t) for t in self.view.tables},
        }


def _json(values: dict) -> dict:
    return {k: cells.to_json(v) for k, v in values.items() if v is not None}


# --- the round --------------------------------------------------------------------------------


def _fate(rng: random.Random) -> str:
    """What happened to a unit's report: missing, returned, submitted, revised or accepted."""
    return rng.choices(["not_started", "draft", "returned", "submitted", "revised", "accepted"], [3, 3, 3, 7, 6, 78])[0]


def build_round(units: int | None = None, out=None):
    """The benchmark round (reused when it exists): returns (round, seconds spent building or None)."""
    existing = existing_round(units)
    if existing is not None:
        return existing, None
    say = out.write if out is not None else (lambda text: None)
    start = time.perf_counter()
    with override_settings(DEBUG=False), transaction.atomic():  # no query log for millions of rows
        round_ = _build(units, say, start)
    return round_, time.perf_counter() - start


def _build(count, say, start):
    from baocao06.accounts.models import GlobalRole, User
    from baocao06.compilation.models import VersionSummary
    from baocao06.compilation.summaries import summary_of
    from baocao06.compilation.values import insert as insert_values
    from baocao06.compilation.values import value_tuples
    from baocao06.reports.actions import content_hash
    from baocao06.reports.models import Report, ReportStatus, ReportVersion
    from baocao06.rounds.actions import do_open_round
    from baocao06.rounds.models import PeriodKind
    from baocao06.rounds.settings import engine_context
    from baocao06.units.models import Unit

    secretariat = User.objects.filter(global_role=GlobalRole.SECRETARIAT).first()
    deadline = timezone.make_aware(dt.datetime(2025, 12, 20, 17, 0))
    # Sorted here, not by the database: PostgreSQL's collation orders sort keys unlike SQLite's.
    units = sorted(Unit.objects.valid_on(DAY), key=lambda u: (u.kind_order, u.sort_key, u.key))
    units = _pick(units, count)
    round_ = do_open_round(
        bench_definition(),
        units=units,
        actor=secretariat,
        title=title_for(count),
        period_kind=PeriodKind.YEAR,
        year=2025,
        data_from=dt.date(2024, 12, 15),
        data_to=DAY,
        deadline=deadline,
    )
    layout = round_.get_layout()
    formula_settings = engine_context(round_)["settings"]
    reports = {r.unit_id: r for r in Report.objects.filter(round=round_)}
    say(f"  tạo kỳ {round_.title!r}: {len(units):,} đơn vị")
    total_values = 0
    for first in range(0, len(units), BATCH):
        batch = units[first : first + BATCH]
        versions, touched = [], []
        for unit in batch:
            rng = random.Random(f"{SEED}:fate:{unit.key}")  # the same fate on every database
            report, fate = reports[unit.pk], _fate(rng)
            late = rng.random() < 0.1
            when = deadline + (
                dt.timedelta(hours=rng.randint(2, 200)) if late else -dt.timedelta(hours=rng.randint(2, 300))
            )
            report.status = fate if fate not in {"revised"} else ReportStatus.ACCEPTED
            report.last_activity_at = when
            report.last_activity_by = secretariat
            touched.append(report)
            if fate in {"not_started", "draft"}:
                if fate == "not_started":
                    report.last_activity_at = report.last_activity_by = None
                continue
            view = layout.view_for(unit)
            numbers = [1, 2] if fate == "revised" else [1]
            for number in numbers:
                content = UnitContent(
                    view, unit.name, salt="" if number == 1 else f"/v{number}", settings=formula_settings
                ).content()
                submitted = when + dt.timedelta(days=3 * (number - 1))
                versions.append(
                    ReportVersion(
                        report=report,
                        number=number,
                        content=content,
                        content_hash=content_hash(content),
                        submitted_at=submitted,
                        submitted_by=secretariat,
                        late=submitted > deadline,
                    )
                )
            report.first_submitted_at, report.late = when, late
            report.submitted_at = versions[-1].submitted_at
            report.last_activity_at = versions[-1].submitted_at
        ReportVersion.objects.bulk_create(versions)
        for version in versions:
            version.report.current_version_id = version.pk  # the last one of each report wins
        per_version = [(version, value_tuples(version, layout, version.report.unit_id)) for version in versions]
        values = [v for _, rows in per_version for v in rows]
        insert_values(values, batch=5000)
        # As each submission does (values.store): the version's compile summary, from the same rows.
        VersionSummary.objects.bulk_create(
            [summary_of(v.pk, rows, layout, round_.layout_hash) for v, rows in per_version],
            batch_size=500,
        )
        total_values += len(values)
        fields = ["status", "last_activity_at", "last_activity_by", "first_submitted_at", "submitted_at", "late"]
        Report.objects.bulk_update(touched, [*fields, "current_version"], batch_size=500)
        done = first + len(batch)
        if done % 500 < BATCH or done == len(units):
            say(f"  … {done:,}/{len(units):,} đơn vị, {total_values:,} giá trị, {time.perf_counter() - start:.0f} s")
    return round_


def compile_versions(round_) -> list[int]:
    """The versions a final compilation uses: the current version of every accepted report."""
    from baocao06.reports.models import Report, ReportStatus

    return sorted(
        Report.objects.filter(round=round_, status=ReportStatus.ACCEPTED).values_list("current_version_id", flat=True)
    )
