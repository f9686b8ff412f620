"""Which of the definition's tables plays which part in the national outputs, read from the
definition's `compilation` block (docs/definition-format.md) — never from table names in code.

Roles: `tasks` (the task table: per-unit counts and the unfinished tasks), `tracker` (the Resolution
175 style tracker), `list` (the first `lists` table), `matrix` (the first `matrix` table) and
`services` (the service tables, in order). The national dict's `pl02`/`pl06`/`pl07` keys hold the
tracker, list and matrix whatever their tables are called (format 1 of docs/national-format.md).
"""

from __future__ import annotations


def _block(layout) -> dict:
    return (getattr(layout, "compilation", None) or {}) if layout is not None else {}


def table_key(layout, role: str, data: dict | None = None) -> str:
    """The key of the table playing `role`; the role's name when the definition has none."""
    block = _block(layout)
    if role == "tasks":
        found = block.get("tasks") or ((data or {}).get("tasks") or {}).get("table")
    elif role == "tracker":
        found = (block.get("tracker") or {}).get("table")
    elif role in {"list", "matrix"}:
        found = next(iter(block.get("lists" if role == "list" else "matrix") or []), None)
    else:
        raise KeyError(role)
    return found or role


def service_keys(layout, data: dict | None = None) -> list[str]:
    """The service tables, in the definition's order (else as the national dict lists them)."""
    tables = (_block(layout).get("services") or {}).get("tables")
    if tables:
        return list(tables)
    return [s["table"] for s in (data or {}).get("services") or []]
