"""Figures across rounds on the units of the later round (issue 11): an earlier round's service
figures are re-aggregated onto the units valid in the later one through `Unit.successor`
(rounds/succession.py), so Hà Giang + Tuyên Quang of 2024 compare with the Tuyên Quang of 2026 and
MPI with Finance.

Figures are the service tables of the definition's `compilation.services` block (total, online,
savings), read from the stored values (`VersionValue`) of the current version of every submitted or
accepted report of a round, summed per unit and service (a service = table + merge key, the
catalogue row or a free row's folded label). Nothing here names an appendix.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum

from baocao06.rounds.succession import SuccessionMap

from .engine import _rate, _selected
from .models import VersionValue

FIGURES = ("total", "online", "savings")


def _block(round_) -> dict | None:
    return (round_.get_layout().compilation or {}).get("services")


def unit_figures(round_, unit_ids=None, without_kinds=()) -> dict[int, dict[tuple[str, str], dict[str, Decimal]]]:
    """{unit id: {(table, service): {total|online|savings: sum}}} of the round's sent versions (only
    of `unit_ids` when given; without units of `without_kinds`)."""
    block = _block(round_)
    if not block:
        return {}
    columns = {block["total"]: "total", block["online"]: "online", block["savings"]: "savings"}
    reports = _selected(round_, provisional=True)
    if unit_ids is not None:
        reports = reports.filter(unit_id__in=list(unit_ids))
    if without_kinds:
        reports = reports.exclude(unit__kind__in=list(without_kinds))
    ids = list(reports.values_list("current_version_id", flat=True))  # the versions select_versions takes
    values = VersionValue.objects.filter(
        version_id__in=ids, part__in=list(block["tables"]), column__in=list(columns), number__isnull=False
    )
    rows = values.values_list("unit_id", "part", "merge_key", "column").annotate(total=Sum("number")).order_by()
    figures: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for unit_id, part, merge_key, column, total in rows:
        figures[unit_id][(part, merge_key)][columns[column]] = total
    return figures


def _labels(round_) -> dict[tuple[str, str], str]:
    labels = {}
    layout = round_.get_layout()
    for key in (_block(round_) or {}).get("tables") or []:
        table = layout.table_index.get(key)
        if table:
            labels |= {(key, row_key): row.label for row_key, row in table.row_index.items()}
    return labels


def _with_rate(figures: dict) -> dict:
    out = {name: figures.get(name) for name in FIGURES}
    out["rate"] = _rate(figures.get("online"), figures.get("total"))
    return out


def _change(a: dict, b: dict) -> dict:
    change = {}
    for name in (*FIGURES, "rate"):
        change[name] = b[name] - a[name] if a[name] is not None and b[name] is not None else None
    return change


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(round(value, 4))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def compare(a, b, without_kinds=()) -> dict:
    """Round `a`'s figures mapped onto the units of round `b` (its assigned units, but those of
    `without_kinds`), with `b`'s and the change (b − a; the rate change in percentage points).
    JSON-ready (docs/data-formats.md)."""
    successions = SuccessionMap(b.reference_date)
    a_figures, b_figures = unit_figures(a, without_kinds=without_kinds), unit_figures(b, without_kinds=without_kinds)
    reports = b.reports.exclude(unit__kind__in=list(without_kinds))
    assigned = list(reports.select_related("unit").order_by("unit__kind_order", "unit__sort_key"))
    assigned_ids = {r.unit_id for r in assigned}
    mapped: dict[int, dict[tuple[str, str], dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    sources: dict[int, list[int]] = defaultdict(list)
    unmapped = []
    for unit_id, services in a_figures.items():
        target = successions.target_pk(unit_id)
        if target not in assigned_ids:
            unmapped.append(successions.by_pk[unit_id].key)
            continue
        sources[target].append(unit_id)
        for service, figures in services.items():
            into = mapped[target][service]
            for name, value in figures.items():
                into[name] = into.get(name, Decimal(0)) + value
    labels = _labels(a) | _labels(b)
    units = []
    for report in assigned:
        unit = report.unit
        services = []
        keys = sorted(set(mapped.get(unit.pk, {})) | set(b_figures.get(unit.pk, {})))
        totals_a: dict[str, Decimal] = {}
        totals_b: dict[str, Decimal] = {}
        for key in keys:
            fa, fb = mapped.get(unit.pk, {}).get(key, {}), b_figures.get(unit.pk, {}).get(key, {})
            for into, figures in ((totals_a, fa), (totals_b, fb)):
                for name, value in figures.items():
                    into[name] = into.get(name, Decimal(0)) + value
            ra, rb = _with_rate(fa), _with_rate(fb)
            label = labels.get(key) or key[1].lstrip("~")
            services.append(
                {"table": key[0], "service": key[1], "label": label, "a": ra, "b": rb, "change": _change(ra, rb)}
            )
        ta, tb = _with_rate(totals_a), _with_rate(totals_b)
        units.append(
            {
                "key": unit.key,
                "name": unit.name,
                "kind": unit.kind,
                "from": sorted(successions.by_pk[pk].key for pk in sources.get(unit.pk, [])),
                "from_names": [
                    successions.by_pk[pk].name
                    for pk in sorted(sources.get(unit.pk, []), key=lambda pk: successions.by_pk[pk].key)
                ],
                "total": {"a": ta, "b": tb, "change": _change(ta, tb)},
                "services": services,
            }
        )
    mapping = []
    for unit in units:
        for key in unit["from"]:
            if key != unit["key"]:
                old = successions.by_key[key]
                mapping.append({"from": key, "from_name": old.name, "to": unit["key"], "to_name": unit["name"]})
    return _plain(
        {
            "a": {"id": a.pk, "title": a.title, "date": a.reference_date.isoformat()},
            "b": {"id": b.pk, "title": b.title, "date": b.reference_date.isoformat()},
            "figures": list(FIGURES),
            "mapping": mapping,
            "not_mapped": sorted(unmapped),
            "units": units,
        }
    )


def ranked(result: dict) -> list[dict]:
    """The units of a comparison with both rounds' online rate and rank (1 = highest; equal rates
    share a rank), highest rate in the later round first."""
    units = [dict(u) for u in result["units"]]
    for unit in units:  # the earlier units summed into it, when it is not just itself
        merged = [name for key, name in zip(unit["from"], unit["from_names"], strict=True) if key != unit["key"]]
        unit["merged"] = merged
    for side in ("a", "b"):
        rates = [u["total"][side]["rate"] for u in units if u["total"][side]["rate"] is not None]
        for unit in units:
            rate = unit["total"][side]["rate"]
            unit[f"rank_{side}"] = None if rate is None else 1 + sum(1 for r in rates if r > rate)
    units.sort(key=lambda u: (u["rank_b"] is None, u["rank_b"] or 0))
    return units


def unit_history(unit, day) -> dict:
    """Every round's figures for `unit` and the units it succeeds on `day` (Hà Giang and Tuyên
    Quang for the new Tuyên Quang), oldest round first."""
    from baocao06.reports.models import Report
    from baocao06.rounds.models import Round

    successions = SuccessionMap(day)
    members = {unit.pk} | {u.pk for u in successions.predecessors(unit)}
    rounds = []
    for round_ in Round.objects.light().order_by("data_to", "pk"):
        reports = list(
            Report.objects.filter(round=round_, unit_id__in=members).select_related("unit").order_by("unit__sort_key")
        )
        if not reports:
            continue
        totals: dict[str, Decimal] = {}
        for services in unit_figures(round_, unit_ids=members).values():
            for figures in services.values():
                for name, value in figures.items():
                    totals[name] = totals.get(name, Decimal(0)) + value
        rounds.append(
            {
                "round": round_,
                "reports": reports,
                "figures": _with_rate(totals) if totals else None,
            }
        )
    return {
        "unit": unit,
        "members": sorted(successions.by_pk[pk].name for pk in members if pk != unit.pk),
        "rounds": rounds,
    }
