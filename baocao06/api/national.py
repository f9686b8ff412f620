"""National tables of a round for the API, summed from the reports' current submitted versions.

PROVISIONAL: issue 4 builds the compile engine (national tables from a frozen snapshot of accepted
data). Until it lands this small function sums what units submitted, so the API endpoint exists and is
tested; the lead reconciles it with the compile engine, which then replaces `provisional_national_tables`.
"""

from __future__ import annotations

from decimal import Decimal

from baocao06.definitions import cells
from baocao06.reports.models import Report

SUMMED = {"integer", "money"}


def provisional_national_tables(round_) -> dict:
    layout = round_.get_layout()
    contents = [
        r.current_version.content
        for r in Report.objects.filter(round=round_, current_version__isnull=False).select_related("current_version")
    ]
    tables = [_table(table, contents) for table in layout.tables]
    return {
        "round_id": round_.pk,
        "title": round_.title,
        "reports": len(contents),
        "note": "Tạm tính từ các bản đã gửi gần nhất của đơn vị (chưa qua tiếp nhận).",
        "tables": tables,
    }


def _summed_columns(table) -> list[str]:
    # A formula reading the round's settings (CP27's annual costs) is not linear in its inputs: its
    # national figure is the sum of what each unit's submission computed, not the formula over sums.
    def summed(c):
        formula = table.formulas.get(c["key"])
        return not formula or bool(formula.setting_names)

    return [
        c["key"]
        for c in table.columns
        if c["type"] in SUMMED and summed(c) and not c.get("item_field") and c.get("role") != "label"
    ]


def _with_formulas(table, values: dict[str, Decimal | None]) -> dict:
    out = dict(values)
    for key in table.formula_order:
        formula = table.formulas[key]
        if set(formula.names) <= set(out) and not formula.baseline_names:
            out[key] = formula.evaluate(out)
    return {k: cells.to_json(v) for k, v in out.items()}


def _table(table, contents: list[dict]) -> dict:
    columns = _summed_columns(table)
    sums: dict[str, dict[str, Decimal]] = {}
    counts: dict[str, int] = {}
    free: dict[str, int] = {}
    everything: dict[str, Decimal] = {}  # every row, free rows included, for the totals
    for content in contents:
        for row in (content.get("tables", {}).get(table.key) or {}).get("rows", []):
            for column in columns:
                value = (row.get("values") or {}).get(column)
                if isinstance(value, int | float):
                    everything[column] = everything.get(column, Decimal(0)) + Decimal(str(value))
            if row.get("key") not in table.row_index:
                free[row.get("group") or ""] = free.get(row.get("group") or "", 0) + 1
                continue
            values = row.get("values") or {}
            if not any(values.get(c) is not None for c in columns):
                continue
            counts[row["key"]] = counts.get(row["key"], 0) + 1
            target = sums.setdefault(row["key"], {})
            for column in columns:
                if isinstance(values.get(column), int | float):
                    target[column] = target.get(column, Decimal(0)) + Decimal(str(values[column]))
    rows = []
    for group in table.groups:
        for row in group.rows:
            if row.heading or row.key not in sums:
                continue
            values = {c: sums[row.key].get(c) for c in columns}
            rows.append(
                {
                    "key": row.key,
                    "number": row.number,
                    "label": row.label,
                    "units": counts[row.key],
                    "values": _with_formulas(table, values),
                }
            )
    totals = []
    for total in table.totals:
        values = {column: everything.get(column) for column in total["sum"]}
        totals.append(
            {
                "key": total["key"],
                "label": total["label"],
                "units": len(contents),
                "values": _with_formulas(table, values),
            }
        )
    return {"key": table.key, "title": table.title, "rows": rows, "free_rows": free, "totals": totals}
