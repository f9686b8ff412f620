"""The national tables as canonical JSON and as a ZIP of CSV files (docs/national-format.md).

Both are deterministic: the same dict always gives the same bytes (sorted keys; fixed ZIP timestamps
and file order), so a file's sha-256 identifies its content. CSV cells go through `core.safe_export`:
UTF-8 with a byte-order mark, and a text starting with = + - @ tab, CR or NUL gets a leading apostrophe.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable

from baocao06.core.safe_export import csv_bytes

ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def canonical_json(data: dict) -> bytes:
    """The compact canonical form used for hashing a snapshot's data."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def json_bytes(data: dict) -> bytes:
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, allow_nan=False) + "\n").encode()


def write_json(data: dict, path, layout=None) -> None:
    """The national dict as JSON; with the round's layout, also `appendices`: each appendix the DOCX
    and the workbook print, with its number by the one rule of outputs/numbering.py."""
    if layout is not None:
        from .appendices import appendices
        from .numbering import listing

        data = {**data, "appendices": listing(data, layout, appendices(data, layout, {}))}
    with open(path, "wb") as out:
        out.write(json_bytes(data))


def write_csv_zip(data: dict, path, layout=None) -> None:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in csv_files(data, layout):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)


def csv_files(data: dict, layout=None) -> list[tuple[str, bytes]]:
    """(file name, CSV bytes) of every national table, in a fixed order. The tracker, list and matrix
    files are named by the tables the definition's compilation block gives those parts (outputs/parts.py;
    4709: PL02, PL06, PL07), by the part's name without a layout."""
    from .parts import table_key

    services = {s.get("table"): s for s in data.get("services") or []}
    # One file per service table the definition has, named by its key (4709: PL03, PL04, PL05).
    files = [(f"{key}.csv", _services(entry)) for key, entry in services.items()]
    rankings = data.get("rankings") or {}
    files.append(("rankings_provinces.csv", _rankings(rankings.get("provinces") or [])))
    files.append(("rankings_ministries.csv", _rankings(rankings.get("ministries") or [])))
    files.append(("tasks_by_unit.csv", _tasks(data.get("tasks") or {})))
    files.append((f"{table_key(layout, 'tracker')}.csv", _pl02(data.get("pl02") or [])))
    files.append((f"{table_key(layout, 'list')}.csv", _pl06(data.get("pl06") or [], _declared(layout, "list"))))
    files.append((f"{table_key(layout, 'matrix')}.csv", _pl07(data.get("pl07") or [])))
    # The definition's other list and matrix tables, by their keys.
    files += [
        (f"{e['table']}.csv", _pl06(e.get("groups") or [], _declared(layout, table=e["table"])))
        for e in data.get("more_lists") or []
    ]
    files += [(f"{e['table']}.csv", _pl07(e.get("rows") or [])) for e in data.get("more_matrices") or []]
    return files


def _keys(dicts: Iterable[dict | None], first: Iterable[str] = ()) -> list[str]:
    keys = list(dict.fromkeys(first))
    for mapping in dicts:
        for key in mapping or {}:
            if key not in keys:
                keys.append(key)
    return keys


COMPUTED = ("cost_before", "cost_after", "saving", "cut_rate", "units")


def _services(entry: dict | None) -> bytes:
    entry = entry or {}
    rows = [("fixed", r) for r in entry.get("rows") or []] + [("free", r) for r in entry.get("free_rows") or []]
    if entry.get("total"):
        rows.append(("total", entry["total"]))
    columns = _keys((r.get("values") for _, r in rows), (c["key"] for c in entry.get("columns") or []))
    header = ["row_type", "key", "number", "group", "label", "units", *columns, "baseline_rate", "change"]
    header += [f"computed_{k}" for k in COMPUTED]
    out = []
    for kind, row in rows:
        values = row.get("values") or {}
        computed = row.get("computed_savings") or {}
        out.append(
            [kind, row.get("key"), row.get("number"), row.get("group"), row.get("label"), row.get("units")]
            + [values.get(c) for c in columns]
            + [row.get("baseline_rate"), row.get("change")]
            + [computed.get(k) for k in COMPUTED]
        )
    return csv_bytes(header, out)


def _rankings(entries: list[dict]) -> bytes:
    columns = _keys(entries, ("rank", "key", "name", "total", "online", "rate", "savings_total"))
    return csv_bytes(columns, ([e.get(c) for c in columns] for e in entries))


def _tasks(tasks: dict) -> bytes:
    national = tasks.get("national") or {}
    units = tasks.get("by_unit") or []
    results = _keys(
        [national.get("by_result")] + [u.get("by_result") for u in units],
        (r["value"] for r in tasks.get("results") or []),
    )
    origins = _keys([national.get("by_origin")] + [u.get("by_origin") for u in units])
    header = ["row_type", "key", "name", "rows"] + [f"result_{k}" for k in results] + [f"origin_{k}" for k in origins]

    def line(kind, entry, key, name):
        by_result, by_origin = entry.get("by_result") or {}, entry.get("by_origin") or {}
        return (
            [kind, key, name, entry.get("rows")]
            + [by_result.get(k, 0) for k in results]
            + [by_origin.get(k, 0) for k in origins]
        )

    rows = [line("unit", u, u.get("key"), u.get("name")) for u in units]
    rows.append(line("national", national, "", "Toàn quốc"))
    return csv_bytes(header, rows)


def _pl02(tasks: list[dict]) -> bytes:
    results = _keys(t.get("by_result") for t in tasks)
    header = ["row_type", "task", "number", "group", "title", "lead", "due", "common", "answers"]
    header += [f"result_{k}" for k in results] + ["unit_key", "unit_name", "unit_result", "cause"]
    rows = []
    for t in tasks:
        by_result = t.get("by_result") or {}
        base = [
            t.get("key"),
            t.get("number"),
            t.get("group"),
            t.get("title"),
            t.get("lead"),
            t.get("due"),
            1 if t.get("common") else 0,
            t.get("answers"),
        ]
        lead = t.get("lead_answer") or {}
        rows.append(
            [
                "task",
                *base,
                *[by_result.get(k) for k in results],
                lead.get("key"),
                lead.get("name"),
                lead.get("result"),
                lead.get("cause"),
            ]
        )
        for unit in t.get("not_done") or []:
            rows.append(
                [
                    "not_done",
                    t.get("key"),
                    *[None] * (7 + len(results)),
                    unit.get("key"),
                    unit.get("name"),
                    "not_done",
                    unit.get("cause"),
                ]
            )
    return csv_bytes(header, rows)


def _declared(layout, part: str | None = None, table: str | None = None) -> list[str]:
    """The column keys of a table in the definition's order (the list table of the compilation block
    when `part` is given); none without a layout."""
    from .parts import table_key

    tables = getattr(layout, "table_index", None)
    if not tables:
        return []
    spec = tables.get(table or table_key(layout, part))
    return [c["key"] for c in spec.columns] if spec is not None else []


def _pl06(groups: list[dict], declared: list[str] | None = None) -> bytes:
    """A list table: the definition's columns first, then any other key a row carries."""
    entries = [(g, u, r) for g in groups for u in g.get("units") or [] for r in u.get("rows") or []]
    columns = _keys((r for _, _, r in entries), declared or ())
    header = ["group", "group_title", "unit_key", "unit_name", *columns]
    rows = [
        [g.get("group"), g.get("title"), u.get("key"), u.get("name"), *[r.get(c) for c in columns]]
        for g, u, r in entries
    ]
    return csv_bytes(header, rows)


def _pl07(entries: list[dict]) -> bytes:
    header = ["row_type", "key", "number", "label", "heading", "column", "unit_key", "unit_name", "text", "count"]
    rows = []
    for e in entries:
        base = [e.get("key"), e.get("number"), e.get("label"), 1 if e.get("heading") else 0]
        rows.append(["row", *base, None, None, None, None, None])
        for column, items in (e.get("cells") or {}).items():
            for item in items:
                rows.append(["text", *base, column, item.get("key"), item.get("name"), item.get("text"), None])
        for cause, count in (e.get("causes") or {}).items():
            rows.append(["cause", *base, cause, None, None, None, count])
    return csv_bytes(header, rows)
