"""Reading a part from a plain form post (the no-JavaScript path of the report page).

Field names: `f:<field>` for a narrative field; `r:<row>:<column>` for a table cell and
`g:<row>` for the group of a free row. Row order is the order of the fields in the post.
"""

from __future__ import annotations


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
