"""Reading a part from a plain form post (the no-JavaScript path of the report page).

Field names: `f:<field>` for a narrative field; `r:<row>:<column>` for a table cell and
`g:<row>` for the group of a free row. Row order is the order of the fields in the post.
"""

from __future__ import annotations

MAX_REVISION = 2**31 - 1  # a part's revision counts saves; nothing sane is larger


def parse_revision(value) -> int | None:
    """The base revision a client sent (a JSON integer, or digits in a form post); None for anything
    else — negative, fractional, huge, boolean, missing — which the view answers with 400."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        value = int(value)
    if isinstance(value, int) and 0 <= value <= MAX_REVISION:
        return value
    return None


def part_from_post(view, key: str, post) -> dict:
    if key not in view.table_index:
        return {"fields": {name[2:]: value for name, value in post.items() if name.startswith("f:")}}
    rows: dict[str, dict] = {}
    for name in post:
        if name.startswith("r:"):
            _, row, column = name.split(":", 2)
            values = post.getlist(name)
            entry = rows.setdefault(row, {"key": row, "values": {}})
            entry["values"][column] = values if len(values) > 1 else values[0]
        elif name.startswith("g:"):
            row = name[2:]
            rows.setdefault(row, {"key": row, "values": {}})["group"] = post.get(name)
    return {"rows": list(rows.values())}
