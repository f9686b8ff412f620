"""What a part says, independent of how it was typed: "1000" and "1.000" say the same thing.

An import compares the signature of each part read from a workbook with the current draft's and with
the one recorded at export, to write only what changed and never overwrite newer work by accident.
Free rows are compared by group, order and values, not by their keys (new rows get keys on import).
"""

from __future__ import annotations

import hashlib
import json

from baocao06.definitions import cells
from baocao06.definitions.layout import UnitView
from baocao06.definitions.validation import clean_section, clean_table


def part_signature(view: UnitView, key: str, data: dict | None, context: dict | None = None) -> str:
    """`context`: the round's engine context (rounds/settings.py), which decides what is typed."""
    if key in view.table_index:
        result = clean_table(view.table_index[key], data, **(context or {}))
        invalid = {(p.row, p.column) for p in result.problems if p.code == "invalid"}
        payload: list = []
        for row in result.rows:
            if row.heading or (not row.fixed and row.is_empty):
                continue
            values = {}
            for column in sorted(row.editable):
                if (row.key, column) in invalid:
                    values[column] = ["typed", str(row.raw.get(column))]
                elif row.values.get(column) is not None:
                    values[column] = cells.to_json(row.values[column])
            payload.append([row.key if row.fixed else f"+{row.group}", values])
    else:
        payload, _ = clean_section(view.layout.section_index[key], data)
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:24]
