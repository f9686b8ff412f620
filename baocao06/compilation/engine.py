"""The national compilation: a round's national tables from a set of submitted versions.

`national_tables(round_, version_ids)` computes everything from `VersionValue` rows with a handful of
SQL aggregates and from each version's summary (summaries.py: its tasks, tracker answers, free rows'
names and ranking sums, made at submission) — a constant number of queries, whatever the number of
units — and writes nothing;
`compile_round` chooses the versions, stores the snapshot with its hash and audits it. What each
table means comes from the definition's `compilation:` block (docs/definition-format.md), never from
code that knows an appendix. The output format is docs/national-format.md.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from decimal import Decimal
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import Count, Max, Q, Sum

from baocao06.audit.actions import record
from baocao06.core import clock, collector
from baocao06.core.vietnamese import collation_key
from baocao06.definitions import cells, expressions, taskrows
from baocao06.definitions.expressions import _ratio
from baocao06.reports.models import Report, ReportStatus, ReportVersion
from baocao06.rounds.settings import baseline_figures, round_settings
from baocao06.units.kinds import CENTRAL_KINDS, UnitKind

from . import summaries
from .concurrent import on_own_connection
from .levels import counted_label
from .models import PartKind, Snapshot, SnapshotVersion, VersionValue
from .outputs.tabular import canonical_json
from .sums import keep as keep_sums
from .sums import round_sums, services_parts
from .values import free_row_labels

FORMAT = "baocao06/national"
FORMAT_VERSION = 1
SUMMED = frozenset({"integer", "money"})
GROUP_TITLES = {
    "ministries": "Bộ, ngành Trung ương",
    "corporations": "Tập đoàn, tổng công ty",
    "provinces": "Tỉnh, thành phố",
    "communes": "Xã, phường, đặc khu",
}
# Texts (lists, matrix cells, narrative) are gathered from the units that report to the Working Group
# directly; communes' texts stay in their own reports, and the national report counts them.
DIRECT_GROUPS = frozenset({"ministries", "corporations", "provinces"})


def unit_group(kind: str) -> str:
    if kind in CENTRAL_KINDS:
        return "ministries"
    if kind == UnitKind.CORPORATION:
        return "corporations"
    if kind == UnitKind.PROVINCE:
        return "provinces"
    return "communes"


def content_hash(data) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _json(value):
    if value is None:
        return None
    if isinstance(value, Decimal):
        return cells.to_json(value)
    if isinstance(value, float):
        return cells.to_json(Decimal(repr(value)))
    return value


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _rate(online, total) -> Decimal | None:
    """Online rate in %, two decimals, half up; None when the total is zero or missing."""
    return _ratio(online, total)


# --- Choosing the versions ------------------------------------------------------------------------


def _selected(round_, provisional: bool):
    statuses = [ReportStatus.ACCEPTED] + ([ReportStatus.SUBMITTED] if provisional else [])
    return Report.objects.filter(round=round_, status__in=statuses, current_version__isnull=False)


def select_versions(round_, *, provisional: bool = False) -> list[int]:
    """Final: the current version of every accepted report. Provisional: of every submitted or
    accepted report (a returned report's version was sent back and is left out)."""
    selected = _selected(round_, provisional).order_by("current_version_id")
    return list(selected.values_list("current_version_id", flat=True))


def has_versions(round_, *, provisional: bool = False) -> bool:
    """Whether `select_versions` would find anything (one cheap query, for refusing a request at once)."""
    return _selected(round_, provisional).exists()


# --- The national tables --------------------------------------------------------------------------


class _Early:
    """The compile's biggest reads, started on other connections while this one goes on (PostgreSQL,
    outside a transaction: another connection sees only committed data, and a compile reads submitted
    versions, which never change). `get(name, read)` returns what was started under `name`, or runs
    `read` here when nothing was (SQLite, a caller's transaction, tests)."""

    WORKERS = 2

    def __init__(self, enabled: bool):
        self.pool = ThreadPoolExecutor(self.WORKERS, thread_name_prefix="compile") if enabled else None
        self.started: dict[str, Future] = {}

    def start(self, name: str, read: Callable[[], object]) -> None:
        if self.pool is not None:
            self.started[name] = self.pool.submit(on_own_connection, read)

    def get(self, name: str, read: Callable[[], object]):
        future = self.started.pop(name, None)
        return read() if future is None else future.result()

    def close(self) -> None:
        if self.pool is not None:
            for future in self.started.values():
                future.cancel()
            self.pool.shutdown(wait=True)


class _Compiler:
    def __init__(self, round_, version_ids: list[int], provisional: bool):
        self.round = round_
        self.ids = sorted(version_ids)
        self.provisional = provisional
        self.layout = round_.get_layout()
        self.block = self.layout.compilation or {}
        self.values = VersionValue.objects.filter(version_id__in=self.ids)
        self._sums: list[tuple] | None = None
        self.sums_read = None  # what number_sums read (sums.Read), for the round's next base
        self._summaries: dict[int, dict] | None = None
        self.early = _Early(False)

    # units -----------------------------------------------------------------------------------
    def load_units(self) -> None:
        rows = (
            ReportVersion.objects.filter(pk__in=self.ids)
            .values_list(
                "pk",
                "number",
                "content_hash",
                "late",
                "report__status",
                "report__unit_id",
                "report__unit__key",
                "report__unit__name",
                "report__unit__kind",
                "report__unit__kind_order",
                "report__unit__sort_key",
            )
            .order_by("report__unit__kind_order", "report__unit__sort_key", "report__unit__key")
        )
        self.units = []
        self.unit_by_id: dict[int, dict] = {}
        for pk, number, digest, late, status, unit_id, key, name, kind, _order, _sort in rows:
            unit = {
                "key": key,
                "name": name,
                "kind": kind,
                "group": unit_group(kind),
                "status": status,
                "version": number,
                "content_hash": digest,
                "late": late,
            }
            self.units.append(unit)
            self.unit_by_id[unit_id] = unit | {"_position": len(self.units), "_version": pk}
        self.unit_of_version = {u["_version"]: unit_id for unit_id, u in self.unit_by_id.items()}
        self.direct_ids = [uid for uid, u in self.unit_by_id.items() if u["group"] in DIRECT_GROUPS]
        # By version, not by unit: the (version, kind, part) index then answers without reading texts.
        self.direct_versions = sorted(u["_version"] for u in self.unit_by_id.values() if u["group"] in DIRECT_GROUPS)
        self.other_versions = sorted(u["_version"] for u in self.unit_by_id.values() if u["group"] not in DIRECT_GROUPS)

    def unit_ref(self, unit_id: int) -> dict:
        unit = self.unit_by_id[unit_id]
        return {"key": unit["key"], "name": unit["name"]}

    def unit_order(self, unit_id: int) -> int:
        return self.unit_by_id[unit_id]["_position"]

    def completeness(self) -> dict:
        by_status = dict(
            Report.objects.filter(round=self.round).values_list("status").annotate(n=Count("id")).order_by()
        )
        included = {u["key"] for u in self.units}
        missing = (
            Report.objects.filter(round=self.round)
            .exclude(unit__key__in=included)
            .order_by("unit__kind_order", "unit__sort_key", "unit__key")
            .values_list("unit__key", "unit__name", "status")
        )
        return {
            "assigned": sum(by_status.values()),
            "included": len(self.units),
            "by_status": {status: by_status.get(status, 0) for status in ReportStatus.values},
            "not_included": [{"key": k, "name": n, "status": s} for k, n, s in missing],
        }

    # services --------------------------------------------------------------------------------
    def baseline_rates(self) -> dict[tuple[str, str], Decimal]:
        """Baseline online rate per (table, row): figures entered for the round, else the previous
        round's latest final snapshot."""
        rates: dict[tuple[str, str], Decimal] = {}
        self.baseline_source: dict[tuple[str, str], str] = {}
        previous = getattr(self.round, "previous", None)
        if previous is not None:
            snapshot = (
                Snapshot.objects.filter(round=previous, provisional=False).order_by("-number").only("data").first()
            )
            for table in (snapshot.data.get("services") if snapshot else None) or []:
                for row in table["rows"]:
                    if row["values"].get("rate") is not None:
                        rates[(table["table"], row["key"])] = _dec(row["values"]["rate"])
                        self.baseline_source[(table["table"], row["key"])] = "previous"
        for table_key, rows in baseline_figures(self.round).items():
            for row_key, figures in rows.items():
                rate = _rate(_dec(figures.get("online")), _dec(figures.get("total")))
                if rate is not None:
                    rates[(table_key, row_key)] = rate
                    self.baseline_source[(table_key, row_key)] = "baseline"
        return rates

    def services(self) -> list[dict]:
        block = self.block.get("services")
        if not block:
            return []
        tables = [self.layout.table_index[k] for k in block["tables"]]
        costs = self.block.get("costs")
        sums: dict[tuple[str, str, str], dict[str, Decimal]] = defaultdict(dict)
        counts: dict[tuple[str, str, str], int] = defaultdict(int)
        # Counted once: a column counted at the provinces (ministries) leaves out the other level's
        # figures of the same row; they are kept aside and printed as "not counted".
        aside = self.not_counted(tables)
        self.aside = defaultdict(dict)
        for part, group, merge, column, total, n in self.number_sums():
            left = aside.get((part, group, merge, column))
            if left is not None:
                self.aside[(part, group, merge)][column] = left[0]
                total, n = _dec(total) - left[0], n - left[1]
                if n <= 0:
                    continue
            sums[(part, group, merge)][column] = _dec(total)
            counts[(part, group, merge)] = max(counts[(part, group, merge)], n)
        free_labels = free_row_labels(
            label for summary in self.summaries().values() for label in summary["free_labels"]
        )
        # A unit reports a service table when it gives the applications of at least one row.
        table_units: dict[str, int] = defaultdict(int)
        for summary in self.summaries().values():
            for key in summary["service_tables"]:
                table_units[key] += 1
        computed = {}
        if costs:
            cost_table = self.layout.table_index[costs["table"]]
            for (part, _group, merge), figures in sums.items():
                if part == costs["table"]:
                    computed[merge] = self._cost_figures(cost_table, costs, figures) | {
                        "_units": counts[(part, _group, merge)]
                    }
        baseline = self.baseline_rates()
        settings = round_settings(self.round)
        return [
            self._service_table(table, block, sums, counts, free_labels, table_units, computed, baseline, settings)
            for table in tables
        ]

    def not_counted(self, tables) -> dict[tuple[str, str, str, str], tuple[Decimal, int]]:
        """The figures the national total leaves out, by (table, group, row, column): for a column
        counted by provinces, the ministries' figures; counted by ministries, everyone else's."""
        wanted = [(t.key, c["key"], c["counted_by"]) for t in tables for c in t.columns if c.get("counted_by")]
        if not wanted:
            return {}
        out: dict[tuple[str, str, str, str], tuple[Decimal, int]] = {}
        for level in ("provinces", "ministries"):
            columns = [(t, c) for t, c, by in wanted if by == level]
            left = sorted(
                u["_version"]
                for u in self.unit_by_id.values()
                if (u["group"] == "ministries") == (level == "provinces")
            )
            if not columns or not left:
                continue
            chosen = Q()
            for table_key, column in columns:
                chosen |= Q(part=table_key, column=column)
            rows = (
                VersionValue.objects.filter(version_id__in=left, number__isnull=False)
                .filter(chosen)
                .values_list("part", "group", "merge_key", "column")
                .annotate(total=Sum("number"), n=Count("id"))
                .order_by()
            )
            for part, group, merge, column, total, n in rows:
                out[(part, group, merge, column)] = (_dec(total), n)
        return out

    def _change_against(self, table_key: str, rows: list[dict]) -> str | None:
        sources = {
            getattr(self, "baseline_source", {}).get((table_key, r["key"])) for r in rows if r.get("change") is not None
        } - {None}
        if not sources:
            return None
        return sources.pop() if len(sources) == 1 else "mixed"

    def _cost_figures(self, table, costs, figures: dict) -> dict:
        out = {c: figures.get(c) for c in costs["columns"]}
        if costs.get("rate"):
            out[costs["rate"]] = table.formulas[costs["rate"]].evaluate(out)
        return out

    def _with_formulas(self, table, values: dict[str, Decimal | None]) -> dict[str, Decimal | None]:
        out = dict(values)
        for key in table.formula_order:
            formula = table.formulas[key]
            if not formula.baseline_names and set(formula.names) <= set(out):
                out[key] = formula.evaluate(out)
        return out

    def _service_table(self, table, block, sums, counts, free_labels, table_units, computed, baseline, settings):
        summed = [c["key"] for c in table.columns if c["type"] in SUMMED and not c.get("formula")]
        counted_by = any(c.get("counted_by") for c in table.columns)
        costs = self.block.get("costs")
        rows, free_rows = [], []
        totals: dict[str, Decimal] = {}
        computed_total: dict[str, Decimal] = {}
        typed_rows = set()

        def values_of(key) -> dict[str, Decimal | None]:
            found = sums.get(key, {})
            values = {c: found.get(c) for c in summed}
            for column, value in values.items():
                if value is not None:
                    totals[column] = totals.get(column, Decimal(0)) + value
            return self._with_formulas(table, values)

        for group in table.groups:
            for layout_row in group.rows:
                key = (table.key, group.key, layout_row.key)
                if layout_row.heading or key not in sums:
                    continue
                values = values_of(key)
                base = baseline.get((table.key, layout_row.key))
                rate = values.get("rate")
                row = {
                    "key": layout_row.key,
                    "number": layout_row.number,
                    "label": layout_row.label,
                    "group": group.key,
                    "units": counts[key],
                    "values": {k: _json(v) for k, v in values.items()},
                    "baseline_rate": _json(base),
                    "change": _json(
                        (rate - base).quantize(Decimal("0.01")) if rate is not None and base is not None else None
                    ),
                    "computed_savings": None,
                }
                if counted_by:
                    row["not_counted"] = {c: _json(v) for c, v in self.aside.get(key, {}).items()}
                if values.get(block["savings"]) is not None:
                    typed_rows.add(layout_row.key)
                if costs and layout_row.key in computed:
                    figures = computed[layout_row.key]
                    row["computed_savings"] = {c: _json(v) for c, v in figures.items() if c != "_units"} | {
                        "units": figures["_units"]
                    }
                    for column in costs["columns"]:
                        if figures.get(column) is not None:
                            computed_total[column] = computed_total.get(column, Decimal(0)) + figures[column]
                    if figures.get(costs["saving"]) is not None and layout_row.key not in typed_rows:
                        computed_total["_untyped_saving"] = (
                            computed_total.get("_untyped_saving", Decimal(0)) + figures[costs["saving"]]
                        )
                rows.append(row)
        free_keys = sorted(
            (key for key in sums if key[0] == table.key and key[2].startswith("~")),
            key=lambda key: (key[1], collation_key(free_labels.get((table.key, key[2]), key[2]))),
        )
        for key in free_keys:
            values = values_of(key)
            free_rows.append(
                {
                    "label": free_labels.get((table.key, key[2]), key[2][1:2].upper() + key[2][2:]),
                    "group": key[1],
                    "units": counts[key],
                    "values": {k: _json(v) for k, v in values.items()},
                }
            )
        total_values = self._with_formulas(table, {c: totals.get(c) for c in summed})
        typed = total_values.get(block["savings"])
        rule = settings["savings_rule"]
        if not costs:
            chosen = typed
        elif rule == "computed":
            chosen = computed_total.get(costs["saving"])
        elif rule == "typed_else_computed":
            extra = computed_total.get("_untyped_saving")
            chosen = typed if extra is None else (typed or Decimal(0)) + extra
        else:
            chosen = typed
        return {
            "table": table.key,
            "number": table.number,
            "printed_as": table.printed_as,
            "title": table.title,
            "columns": [
                {"key": c["key"], "label": c["label"], "type": c["type"], "unit": c.get("unit")}
                | ({"counted_at": counted_label(c)} if counted_label(c) else {})
                for c in table.columns
                if c["type"] in SUMMED | {"percent"} and c["key"] in total_values
            ],
            "rows": rows,
            "free_rows": free_rows,
            # What "change" is measured against: the 12/2023 figures entered, the previous round's
            # rates, both (row by row), or nothing (None).
            "change_against": self._change_against(table.key, rows),
            "total": {
                "units": table_units.get(table.key, 0),
                "values": {k: _json(v) for k, v in total_values.items()},
                "computed_savings": (
                    {
                        c: _json(v)
                        for c, v in self._cost_figures(
                            self.layout.table_index[costs["table"]], costs, computed_total
                        ).items()
                    }
                    if costs and any(r["computed_savings"] for r in rows)
                    else None
                ),
                "savings": _json(chosen),
                "savings_rule": rule,
            },
        }

    def number_sums(self) -> list[tuple]:
        """The service tables' numbers summed by (table, group, row, column), read once (sums.py)."""
        if self._sums is None:
            self._sums = self.early.get("sums", self._read_sums)
        return self._sums

    def _read_sums(self) -> list[tuple]:
        self.sums_read = round_sums(self.round, self.ids, services_parts(self.block))
        return self.sums_read.rows

    # rankings --------------------------------------------------------------------------------
    def rankings(self) -> dict:
        block = self.block.get("services")
        if not block:
            return {"provinces": [], "ministries": []}
        per_unit: dict[int, dict[str, Decimal]] = defaultdict(dict)
        # By version (one per unit), from the versions' summaries (summaries.py).
        for version_id, summary in self.summaries().items():
            for column, total in summary["ranked"].items():
                per_unit[self.unit_of_version[version_id]][column] = Decimal(total)
        out = {}
        for name, group in (("provinces", "provinces"), ("ministries", "ministries")):
            entries = []
            for unit_id, unit in self.unit_by_id.items():
                if unit["group"] != group:
                    continue
                figures = per_unit.get(unit_id, {})
                total, online = figures.get(block["total"]), figures.get(block["online"])
                entries.append(
                    {
                        "key": unit["key"],
                        "name": unit["name"],
                        "total": _json(total),
                        "online": _json(online),
                        "rate": _rate(online, total),
                        "savings_total": _json(figures.get(block["savings"])),
                        "_order": unit["_position"],
                    }
                )
            entries.sort(key=lambda e: (e["rate"] is None, -(e["rate"] or 0), e["_order"]))
            rank, previous = 0, object()
            for position, entry in enumerate(entries, start=1):
                if entry["rate"] != previous:
                    rank, previous = position, entry["rate"]
                entry["rank"] = rank
                entry["rate"] = _json(entry["rate"])
                del entry["_order"]
            out[name] = entries
        return out

    def summaries(self) -> dict[int, dict]:
        """Each version's summary (summaries.py: its tasks, tracker answers, free rows' names, service
        tables and ranking sums), read once."""
        if self._summaries is None:
            self._summaries = self.early.get("summaries", self._read_summaries)
        return self._summaries

    def _read_summaries(self) -> dict[int, dict]:
        return summaries.read(self.ids, self.layout, self.round.layout_hash)

    # tasks -----------------------------------------------------------------------------------
    def tasks(self) -> dict | None:
        key = self.block.get("tasks")
        if not key:
            return None
        table = self.layout.table_index[key]
        counted = self.block.get("task_counts") or []
        per_unit: dict[int, dict] = defaultdict(lambda: {"rows": 0, **{f"by_{c}": {} for c in counted}})
        national = {"rows": 0, **{f"by_{c}": {} for c in counted}}
        for version_id, summary in self.summaries().items():
            found = summary["tasks"]
            if not found["counts"] and not found["rows"]:
                continue
            unit = per_unit[self.unit_of_version[version_id]]
            for column, text, n in found["counts"]:
                bucket = unit[f"by_{column}"]
                bucket[text] = bucket.get(text, 0) + n
                national[f"by_{column}"][text] = national[f"by_{column}"].get(text, 0) + n
            if found["rows"]:
                unit["rows"] = found["rows"]
                national["rows"] += found["rows"]
        choices = {c: table.column_index[c].get("choices") or [] for c in counted}
        return {
            "table": key,
            "open": self.open_tasks(table),
            "choices": {c: [{"value": ch["value"], "label": ch["label"]} for ch in choices[c]] for c in counted},
            "results": [{"value": ch["value"], "label": ch["label"]} for ch in choices.get("result", [])],
            "national": national,
            "by_unit": [
                {**self.unit_ref(unit_id), **per_unit[unit_id]} for unit_id in sorted(per_unit, key=self.unit_order)
            ],
        }

    def open_tasks(self, table) -> list[dict]:
        """The tasks not finished (the table's `tasks.open`), each with who, what and when: the unit, its
        `record` fields (title, lead, documents, due, result) and the days overdue at the round's
        cut-off (`tasks.overdue`). Most overdue first, then in unit order, then in the order of the
        unit's table. Empty when the table's rows are not tasks. Which tasks are open was found when
        each version was summarised (summaries.py)."""
        spec = table.tasks or {}
        if not spec.get("record") and not spec.get("open"):
            return []
        record_columns = dict(spec.get("record") or {})
        reference = self.round.data_to
        # `tasks.overdue` reads a few columns (the result): it is evaluated once per distinct answer.
        can_be_overdue = self._per_answer(table, spec.get("overdue"), taskrows.can_be_overdue)
        # The same answers recur across ~40,000 open tasks (a result, a due time, a lead unit): each
        # shown once, and the days overdue (which, the task checked, depend only on its due time) too.
        shown: dict[tuple, str] = {}
        late: dict = {}
        due = spec.get("due")
        found = []
        for version_id, summary in self.summaries().items():
            unit_id = self.unit_of_version[version_id]
            names = summary["tasks"]["names"]
            for position, *answers in summary["tasks"]["open"]:
                # A missing answer is None, as `.get` gives it; numbers come back as `Decimal`.
                values = dict(zip(names, answers, strict=True))
                if any(type(v) is dict for v in answers):
                    values = {n: summaries.load_value(v) for n, v in values.items()}
                entry = {**self.unit_ref(unit_id)}
                for name, column in record_columns.items():
                    value = values.get(column)
                    if value in (None, ""):
                        entry[name] = ""
                        continue
                    try:
                        entry[name] = shown[(column, value)]
                    except KeyError:
                        entry[name] = shown[(column, value)] = cells.display(table.column_index[column], value)
                    except TypeError:  # a list (multiple choice): not kept
                        entry[name] = cells.display(table.column_index[column], value)
                days = None
                if reference and can_be_overdue(values):
                    when = values.get(due) if due else None
                    try:
                        days = late[when]
                    except KeyError:
                        days = late[when] = taskrows.overdue_days(table, values, reference, checked=True)
                    except TypeError:
                        days = taskrows.overdue_days(table, values, reference, checked=True)
                entry["overdue_days"] = days
                found.append((-(days or 0), self.unit_order(unit_id), entry.get("title"), position, entry))
        found.sort(key=itemgetter(0, 1, 2, 3))
        return [task[4] for task in found]

    @staticmethod
    def _per_answer(table, source: str | None, test):
        """`test(table, values)` remembered by the values of the columns `source` reads."""
        names = sorted(expressions.parse(source).names) if source else []
        known: dict = {}
        if len(names) == 1:  # the usual case (the result): the answer itself is the key
            (name,) = names

            def check_one(values: dict) -> bool:
                answer = values.get(name)
                try:
                    return known[answer]
                except KeyError:
                    known[answer] = found = test(table, values)
                    return found

            return check_one

        def check(values: dict) -> bool:
            answer = tuple(values.get(name) for name in names)
            if answer not in known:
                known[answer] = test(table, values)
            return known[answer]

        return check

    # Resolution 175 tracker ------------------------------------------------------------------
    def tracker(self) -> list[dict]:
        block = self.block.get("tracker")
        if not block:
            return []
        table = self.layout.table_index[block["table"]]
        # Each version's answers, from its summary (summaries.py): the result's counts by row, and only
        # what the tracker shows: answers other than done, every cause, and the lead units' answers.
        counts: dict[str, dict[str, int]] = defaultdict(dict)
        answers: dict[tuple[str, int], dict] = {}
        for version_id, summary in self.summaries().items():
            unit_id = self.unit_of_version[version_id]
            for row, text, n in summary["tracker"]["counts"]:
                counts[row][text] = counts[row].get(text, 0) + n
            for row, result, cause in summary["tracker"]["answers"]:
                answers[(row, unit_id)] = {block["result"]: result, block["cause"]: cause}
        by_row: dict[str, list[tuple[int, dict]]] = defaultdict(list)
        for (row, unit_id), answer in answers.items():
            by_row[row].append((unit_id, answer))
        unit_ids = {u["key"]: uid for uid, u in self.unit_by_id.items()}
        out = []
        for group in table.groups:
            for layout_row in group.rows:
                if layout_row.heading:
                    continue
                leads = [t[5:] for t in (layout_row.audience or []) if t.startswith("unit:")]
                lead_answer = None
                if leads:
                    lead_id = next((unit_ids[k] for k in leads if k in unit_ids), None)
                    answer = answers.get((layout_row.key, lead_id)) if lead_id else None
                    if answer:
                        lead_answer = {
                            **self.unit_ref(lead_id),
                            "result": answer.get(block["result"]),
                            "cause": answer.get(block["cause"]),
                        }
                not_done = sorted(
                    (
                        (unit_id, answer)
                        for unit_id, answer in by_row.get(layout_row.key, [])
                        if answer.get(block["result"]) not in (None, block["done"])
                    ),
                    key=lambda pair: self.unit_order(pair[0]),
                )
                found = counts.get(layout_row.key, {})
                out.append(
                    {
                        "key": layout_row.key,
                        "number": layout_row.number,
                        "group": group.key,
                        "title": layout_row.label,
                        "lead": layout_row.values.get("lead"),
                        "due": layout_row.values.get("due"),
                        # Every fixed value of the task's row (coordinating units, directing documents…).
                        "fields": {k: v for k, v in layout_row.values.items() if v not in (None, "")},
                        "common": not leads,
                        "answers": sum(found.values()),
                        "by_result": dict(sorted(found.items())),
                        "not_done": [
                            {**self.unit_ref(uid), "cause": answer.get(block["cause"])} for uid, answer in not_done
                        ],
                        "lead_answer": lead_answer,
                    }
                )
        return out

    # texts -----------------------------------------------------------------------------------
    def _direct_values(self, **filters):
        return VersionValue.objects.filter(version_id__in=self.direct_versions, **filters)

    def lists(self) -> list[dict]:
        keys = self.block.get("lists") or []
        if not keys:
            return []
        rows: dict[tuple[str, int], dict[tuple[int, str], dict]] = defaultdict(dict)
        for part, unit_id, position, row, column, text in self._direct_values(
            kind=PartKind.TABLE, part__in=keys
        ).values_list("part", "unit_id", "position", "row", "column", "text"):
            entry = rows[(part, unit_id)].setdefault((position, row), {})
            entry[column] = f"{entry[column]}; {text}" if column in entry else text
        out = []
        for key in keys:
            table = self.layout.table_index[key]
            groups = []
            for group in ("ministries", "corporations", "provinces"):
                units = [
                    {**self.unit_ref(uid), "rows": [rows[(key, uid)][pos] for pos in sorted(rows[(key, uid)])]}
                    for uid in sorted(self.direct_ids, key=self.unit_order)
                    if self.unit_by_id[uid]["group"] == group and rows.get((key, uid))
                ]
                if units:
                    groups.append({"group": group, "title": GROUP_TITLES[group], "units": units})
            out.append({"table": key, "title": table.title, "groups": groups})
        return out

    def matrix(self) -> list[dict]:
        keys = self.block.get("matrix") or []
        out = []
        for key in keys:
            table = self.layout.table_index[key]
            counted = [c["key"] for c in table.columns if c["type"] in {"choice", "multichoice"}]
            text_columns = [c["key"] for c in table.columns if c["type"] == "text" and c.get("role") != "label"]
            cells_by_row: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
            for row, unit_id, column, text in self._direct_values(
                kind=PartKind.TABLE, part=key, column__in=text_columns
            ).values_list("row", "unit_id", "column", "text"):
                cells_by_row[row][column].append((self.unit_order(unit_id), {**self.unit_ref(unit_id), "text": text}))
            choice_counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
            for row, column, text, n in (
                self.values.filter(kind=PartKind.TABLE, part=key, column__in=counted)
                .values_list("row", "column", "text")
                .annotate(n=Count("id"))
                .order_by()
            ):
                choice_counts[row][column][text] = n
            rows = []
            for group in table.groups:
                for layout_row in group.rows:
                    found = cells_by_row.get(layout_row.key, {})
                    rows.append(
                        {
                            "key": layout_row.key,
                            "number": layout_row.number,
                            "label": layout_row.label,
                            "heading": layout_row.heading,
                            "level": layout_row.level,
                            "cells": {
                                column: [entry for _, entry in sorted(found[column], key=lambda e: e[0])]
                                for column in text_columns
                                if found.get(column)
                            },
                            "causes": {
                                value: n
                                for column in counted
                                for value, n in sorted(choice_counts.get(layout_row.key, {}).get(column, {}).items())
                            },
                        }
                    )
            out.append({"table": key, "title": table.title, "rows": rows})
        return out

    def narrative(self) -> list[dict]:
        paragraphs: dict[str, list[tuple]] = defaultdict(list)
        for part, unit_id, column, text in self._direct_values(kind=PartKind.SECTION).values_list(
            "part", "unit_id", "column", "text"
        ):
            paragraphs[part].append((unit_id, column, text))
        communes = self.early.get("communes", self._read_communes)
        out = []

        def walk(sections):
            for section in sections:
                field_order = {f["key"]: i for i, f in enumerate(section.fields)}
                field_labels = {f["key"]: f["label"] for f in section.fields}
                found = sorted(
                    paragraphs.get(section.key, []),
                    key=lambda p: (self.unit_order(p[0]), field_order.get(p[1], 99), p[1]),
                )
                out.append(
                    {
                        "key": section.key,
                        "number": section.number,
                        "title": section.title,
                        "depth": section.depth,
                        "tables": list(section.tables),
                        "paragraphs": [
                            {
                                **self.unit_ref(unit_id),
                                "field": field,
                                "field_label": field_labels.get(field, field),
                                "text": text,
                            }
                            for unit_id, field, text in found
                        ],
                        "communes": communes.get(section.key, 0),
                    }
                )
                walk(section.children)

        walk(self.layout.sections)
        return out

    def _read_communes(self) -> dict[str, int]:
        """How many of the other units (communes) wrote in each section."""
        return dict(
            VersionValue.objects.filter(version_id__in=self.other_versions, kind=PartKind.SECTION)
            .values_list("part")
            .annotate(n=Count("version", distinct=True))
            .order_by()
        )

    # the whole -------------------------------------------------------------------------------
    def run(self) -> dict:
        self.early = _Early(connection.vendor == "postgresql" and not connection.in_atomic_block)
        try:
            return self._run()
        finally:
            self.early.close()
            self.early = _Early(False)

    def _start_early(self) -> None:
        """The two longest reads (the services' sums, ~1.9 s of a national compile; the versions'
        summaries, needed first) start at once on two other connections; the rest is worked out here
        meanwhile, the services last."""
        if self.block.get("services"):
            self.early.start("sums", self._read_sums)
        self.early.start("summaries", self._read_summaries)

    def _run(self) -> dict:
        self._start_early()
        self.load_units()
        # Started once the units are known; it waits for a free connection (the sums, when kept from
        # the last compile, are read in ~0.1 s).
        self.early.start("communes", self._read_communes)
        round_ = self.round
        # Worked out in this order (what reads on this connection first, while the summaries and the
        # sums are read elsewhere; the services last, their reads having had the most time), then put
        # in the document's order.
        lists, matrices = self.lists(), self.matrix()
        narrative, completeness = self.narrative(), self.completeness()
        tracker, tasks = self.tracker(), self.tasks()
        services = self.services()
        rankings = self.rankings()
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "provisional": self.provisional,
            "round": {
                "id": round_.pk,
                "title": round_.title,
                "definition": f"{self.layout.key}/{self.layout.version}",
                "period_kind": round_.period_kind,
                "year": round_.year,
                "data_from": round_.data_from.isoformat(),
                "data_to": round_.data_to.isoformat(),
                "deadline": round_.deadline.date().isoformat(),
                "dispatch_number": round_.dispatch_number,
                "dispatch_date": round_.dispatch_date.isoformat() if round_.dispatch_date else None,
            },
            "settings": {k: _json(v) for k, v in round_settings(round_).items()},
            "units": self.units,
            "completeness": completeness,
            "services": services,
            "rankings": rankings,
            "tasks": tasks,
            "pl02": tracker,
            "pl06": (lists or [{"groups": []}])[0]["groups"],
            "pl07": (matrices or [{"rows": []}])[0]["rows"],
            # The definition's other `lists` and `matrix` tables, each as {table, title, groups | rows}.
            "more_lists": lists[1:],
            "more_matrices": matrices[1:],
            "narrative": narrative,
        } | self.levels()

    def levels(self) -> dict:
        """With level rounds under the round: how many accepted lower units each consolidated figure
        rests on (`levels.lower_counts`) and the level each column is counted at; nothing otherwise, so
        a round without levels compiles (and hashes) as before."""
        if self.round.owner_id is not None or not self.round.level_rounds.exists():
            return {}
        from .levels import counted_levels, lower_counts

        return {
            "levels": {"lower_counts": lower_counts(self.round, self.layout), "counted": counted_levels(self.layout)}
        }


def national_tables(round_, version_ids, *, provisional: bool = False, keep: bool = False) -> dict:
    """The national tables of `round_` from exactly `version_ids`. No writes, unless `keep`: then the
    services' sums are stored as the round's base for the next compile (sums.py)."""
    compiler = _Compiler(round_, list(version_ids), provisional)
    with collector.paused():  # millions of short-lived objects (core/collector.py)
        data = compiler.run()
    if keep and compiler.sums_read is not None:
        keep_sums(round_, compiler.sums_read)
    return data


def compile_round(round_, *, provisional: bool = False, actor=None, version_ids=None, data=None) -> Snapshot:
    """Compile the round now: choose the versions (unless given), store the snapshot and its hash, audit it.

    `data` is `national_tables` of exactly `version_ids`, when the caller has it. The tables are read
    before the transaction that stores them: outside one, `national_tables` reads on several
    connections at once (PostgreSQL). What it reads (submitted versions and their values) never
    changes, and each statement saw its own moment of the database inside the transaction too (READ
    COMMITTED), so nothing is less consistent for it."""
    ids = select_versions(round_, provisional=provisional) if version_ids is None else sorted(version_ids)
    if data is None:
        data = national_tables(round_, ids, provisional=provisional, keep=True)
    with transaction.atomic():
        number = (Snapshot.objects.filter(round=round_).aggregate(n=Max("number"))["n"] or 0) + 1
        snapshot = Snapshot.objects.create(
            round=round_,
            number=number,
            provisional=provisional,
            created_at=clock.now(),
            created_by=actor if getattr(actor, "pk", None) else None,
            data=data,
            content_hash=content_hash(data),
        )
        SnapshotVersion.objects.bulk_create(
            [
                SnapshotVersion(snapshot=snapshot, version_id=pk, unit_id=unit_id, status=status)
                for pk, unit_id, status in ReportVersion.objects.filter(pk__in=ids).values_list(
                    "pk", "report__unit_id", "report__status"
                )
            ],
            batch_size=2000,
        )
        record(
            "round.compiled",
            round_,
            actor=actor,
            snapshot=number,
            provisional=provisional,
            versions=len(ids),
            content_hash=snapshot.content_hash,
        )
    return snapshot
