"""Plain dicts for API responses, built from the same engine results the report page shows."""

from __future__ import annotations

import re

from baocao06.definitions.layout import UnitView
from baocao06.definitions.validation import blocking, clean_part, table_content, validate_report
from baocao06.reports.actions import context_for, view_for
from baocao06.reports.models import ReportPart

_ETAG = re.compile(r'^(?:W/)?"(\d{1,9})"$')


def etag(revision: int) -> str:
    return f'"{revision}"'


def revision_from_etag(header: str) -> int | None:
    """The revision named by an If-Match header (the first entity tag of a list)."""
    first = header.split(",")[0].strip()
    match = _ETAG.match(first)
    return int(match.group(1)) if match else None


def round_out(round_, report) -> dict:
    return {
        "id": round_.pk,
        "title": round_.title,
        "period_kind": round_.period_kind,
        "year": round_.year,
        "data_from": round_.data_from,
        "data_to": round_.data_to,
        "deadline": round_.deadline,
        "status": round_.status,
        "dispatch_number": round_.dispatch_number,
        "report_id": report.pk if report else None,
        "report_status": report.status if report else None,
    }


def version_out(version) -> dict:
    return {
        "number": version.number,
        "submitted_at": version.submitted_at,
        "late": version.late,
        "content_hash": version.content_hash,
    }


def report_out(report) -> dict:
    view = view_for(report)
    stored = {p.key: p for p in report.parts.all()}
    parts = []
    for key in view.part_keys:
        part = stored.get(key)
        is_table = key in view.table_index
        title = view.table_index[key].table.title if is_table else view.layout.section_index[key].heading
        parts.append(
            {
                "key": key,
                "kind": "table" if is_table else "section",
                "title": title,
                "revision": part.revision if part else 0,
                "etag": etag(part.revision if part else 0),
                "updated_at": part.updated_at if part else None,
            }
        )
    return {
        "id": report.pk,
        "round_id": report.round_id,
        "round_title": report.round.title,
        "unit_key": report.unit.key,
        "unit_name": report.unit.name,
        "status": report.status,
        "status_label": report.get_status_display(),
        "editable": report.is_editable,
        "deadline": report.round.deadline,
        "submitted_at": report.submitted_at,
        "late": report.late,
        "parts": parts,
        "versions": [version_out(v) for v in report.versions.order_by("number")],
    }


def part_out(
    view: UnitView,
    key: str,
    part: ReportPart | None,
    *,
    changed: bool | None = None,
    context: dict | None = None,
    cleaned: tuple | None = None,
) -> dict:
    """One part as the API shows it; `context` is the round's engine context (rounds/settings.py).
    `cleaned` is the engine's (clean, problems) of this very data when the caller has it already."""
    data = part.data if part else ({"rows": []} if key in view.table_index else {"fields": {}})
    clean, problems = cleaned if cleaned is not None else clean_part(view, key, data, **(context or {}))
    if key in view.table_index:
        values = table_content(clean)
        ignored = [
            {"part": i.part, "row": i.row, "column": i.column, "reason": i.reason}
            for i in getattr(clean, "ignored", [])
        ]
    else:
        values, ignored = {"fields": {k: v for k, v in clean.items() if v}}, []
    return {
        "key": key,
        "kind": "table" if key in view.table_index else "section",
        "revision": part.revision if part else 0,
        "etag": etag(part.revision if part else 0),
        "updated_at": part.updated_at if part else None,
        "changed": changed,
        "data": data,
        "values": values,
        "problems": [p.as_dict() for p in problems],
        "ignored": ignored,
    }


def stale_body(view: UnitView, key: str, part: ReportPart | None, message: str) -> dict:
    return {
        "code": "precondition_failed",
        "error": message,
        "current": {
            "revision": part.revision if part else 0,
            "etag": etag(part.revision if part else 0),
            "data": part.data if part else {},
        },
    }


def check_out(report) -> dict:
    view = view_for(report)
    parts = {p.key: p.data for p in report.parts.all()}
    problems = validate_report(view, parts, final=True, **context_for(report))
    blockers = blocking(problems)
    return {"ok": not blockers, "blocking": len(blockers), "problems": [p.as_dict() for p in problems]}


def _column(table, column: dict) -> dict:
    out = {
        k: column.get(k)
        for k in (
            "key",
            "label",
            "type",
            "role",
            "unit",
            "hint",
            "min",
            "max",
            "decimals",
            "max_length",
            "formula",
            "fallback",
            "item_field",
        )
    }
    out["required"] = bool(column.get("required"))
    out["choices"] = [{"value": c["value"], "label": c["label"]} for c in column.get("choices") or []]
    out["input"] = table.is_input(column)
    return out


def definition_out(view: UnitView) -> dict:
    layout = view.layout
    parts = set(view.part_keys)
    sections = [
        {
            "key": s.key,
            "number": s.number,
            "title": s.title,
            "parent": s.parent_key,
            "depth": s.depth,
            "guidance": s.guidance,
            "fields": [
                {k: f.get(k) for k in ("key", "label", "max_length", "hint")} | {"required": bool(f.get("required"))}
                for f in s.fields
            ]
            if s.key in parts
            else [],
            "tables": [t for t in s.tables if t in view.table_index],
            "is_part": s.key in parts,
        }
        for s in view.sections()
    ]
    tables = []
    for table_view in view.tables:
        table = table_view.table
        tables.append(
            {
                "key": table.key,
                "number": table.number,
                "title": table.title,
                "printed_as": table.printed_as,
                "section": table.section,
                "columns": [_column(table, c) for c in table.columns],
                "header": [{"label": h["label"], "columns": h["columns"]} for h in table.header],
                "groups": [
                    {
                        "key": g.group.key,
                        "number": g.group.number,
                        "title": g.group.title,
                        "free_rows": g.free_rows,
                        "max_free_rows": g.group.max_free_rows,
                        "rows": [
                            {
                                "key": r.key,
                                "number": r.number,
                                "label": r.label,
                                "level": r.level,
                                "heading": r.heading,
                                "values": r.values,
                            }
                            for r in g.rows
                        ],
                    }
                    for g in table_view.groups
                ],
                "totals": [{"key": t["key"], "label": t["label"], "sum": t["sum"]} for t in table.totals],
                "rules": [
                    {
                        "key": r["key"],
                        "message": r["message"],
                        "check": r.get("check"),
                        "when": r.get("when"),
                        "require": r.get("require") or [],
                        "columns": r.get("columns") or [],
                        "severity": r.get("severity") or "error",
                    }
                    for r in table.rules
                ],
            }
        )
    return {"key": layout.key, "version": layout.version, "title": layout.title, "sections": sections, "tables": tables}
