"""What changed between two definition documents, in words a reader of the dispatch understands.

Sections, tables, columns, row groups, rows, totals, rules, audiences and fieldsets are matched by
their keys (renaming a key reads as one removed and one added); for each matched element the
attributes that differ are listed old → new with the editor's labels. Used to compare a draft with
the version it was copied from, before publishing it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .editor import label_of
from .editor_forms import COLUMN_TYPES, SCHEMAS

# Values shown by their name in the editor rather than their code.
VALUE_LABELS = {("column", "type"): dict(COLUMN_TYPES)}

ACTIONS = {"added": "Thêm", "removed": "Bỏ", "changed": "Sửa", "moved": "Chuyển"}


@dataclass
class Change:
    action: str  # added | removed | changed | moved
    what: str
    details: list[tuple[str, str, str]] = field(default_factory=list)  # (attribute, old, new)

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]


@dataclass
class Block:
    title: str
    changes: list[Change]


def show(value: Any, limit: int = 240) -> str:
    """A value as one readable line."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, str | int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _labels(kind: str) -> dict[str, str]:
    labels = {}
    for spec in SCHEMAS.get(kind, []):
        labels.setdefault(spec.name.split(".", 1)[0], spec.label)
        labels[spec.name] = spec.label
    return labels


def _attr_changes(kind: str, old: dict, new: dict, skip: set[str] = frozenset()) -> list[tuple[str, str, str]]:
    labels = _labels(kind)
    details = []
    for name in [*old, *(k for k in new if k not in old)]:
        if name in skip or old.get(name) == new.get(name):
            continue
        names = VALUE_LABELS.get((kind, name), {})
        before, after = old.get(name), new.get(name)
        if isinstance(before, str):
            before = names.get(before, before)
        if isinstance(after, str):
            after = names.get(after, after)
        details.append((labels.get(name, name), show(before), show(after)))
    return details


def _keyed(items: Any, key: str = "key") -> dict[str, dict]:
    return {
        str(item.get(key)): item
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and item.get(key) is not None
    }


def _diff_keyed(kind: str, old: dict, new: dict, what, skip=frozenset()) -> list[Change]:
    changes = []
    for key, item in new.items():
        if key not in old:
            changes.append(Change("added", what(item, key), _attr_changes(kind, {}, item, set(skip))))
        else:
            details = _attr_changes(kind, old[key], item, set(skip))
            if details:
                changes.append(Change("changed", what(item, key), details))
    for key, item in old.items():
        if key not in new:
            changes.append(Change("removed", what(item, key)))
    return changes


def _order_change(what: str, old_keys: list[str], new_keys: list[str]) -> list[Change]:
    common = [k for k in old_keys if k in new_keys]
    if common != [k for k in new_keys if k in old_keys]:
        return [Change("moved", what, [("Thứ tự", ", ".join(common), ", ".join(k for k in new_keys if k in old_keys))])]
    return []


def _sections(document: dict) -> dict[str, tuple[dict, str | None]]:
    found: dict[str, tuple[dict, str | None]] = {}

    def visit(items, parent):
        for section in items if isinstance(items, list) else []:
            if isinstance(section, dict) and section.get("key") is not None:
                found.setdefault(str(section["key"]), (section, parent))
                visit(section.get("children"), str(section["key"]))

    visit(document.get("outline"), None)
    return found


def _meta(document: dict) -> dict:
    flat = {k: v for k, v in document.items() if not isinstance(v, dict | list)}
    for name, value in (document.get("source") or {}).items():
        flat[f"source.{name}"] = value
    return flat


def compare_documents(old: dict, new: dict) -> list[Block]:
    """Blocks of changes (general, audiences, fieldsets, outline, appendices, compilation)."""
    blocks = [
        Block(
            "Thông tin chung",
            [Change("changed", "Đề cương", d)] if (d := _attr_changes("meta", _meta(old), _meta(new))) else [],
        ),
        Block(
            "Nhóm đối tượng",
            _diff_keyed(
                "audience",
                dict(old.get("audiences") or {}),
                dict(new.get("audiences") or {}),
                lambda item, key: f"Nhóm {label_of('audience', item, key)}",
            ),
        ),
        Block("Bộ trường dùng chung", _fieldsets(old, new)),
        Block("Đề cương", _outline(old, new)),
        Block("Phụ lục", _appendices(old, new)),
        Block("Tổng hợp toàn quốc", _compilation(old, new)),
    ]
    return [b for b in blocks if b.changes]


def _fieldsets(old: dict, new: dict) -> list[Change]:
    before, after = dict(old.get("fieldsets") or {}), dict(new.get("fieldsets") or {})
    changes = []
    for name in [*before, *(n for n in after if n not in before)]:
        if name not in after:
            changes.append(Change("removed", f"Bộ trường {name}"))
        elif name not in before:
            changes.append(Change("added", f"Bộ trường {name}"))
        elif before[name] != after[name]:
            changes.append(
                Change("changed", f"Bộ trường {name}", [("Các trường", show(before[name]), show(after[name]))])
            )
    return changes


def _outline(old: dict, new: dict) -> list[Change]:
    before, after = _sections(old), _sections(new)

    def what(key, section):
        return f"Mục {key} «{label_of('section', section)}»"

    changes = []
    for key, (section, parent) in after.items():
        if key not in before:
            where = f" (trong mục {parent})" if parent else ""
            changes.append(Change("added", what(key, section) + where))
            continue
        old_section, old_parent = before[key]
        details = _attr_changes("section", old_section, section, {"children"})
        if details:
            changes.append(Change("changed", what(key, section), details))
        if old_parent != parent:
            changes.append(Change("moved", what(key, section), [("Thuộc mục", show(old_parent), show(parent))]))
    for key, (section, _) in before.items():
        if key not in after:
            changes.append(Change("removed", what(key, section)))
    parents = {None} | set(after)
    for parent in parents:
        old_children = [k for k, (_, p) in before.items() if p == parent]
        new_children = [k for k, (_, p) in after.items() if p == parent]
        label = f"Các mục con của mục {parent}" if parent else "Các mục lớn"
        changes += _order_change(label, old_children, new_children)
    return changes


def _appendices(old: dict, new: dict) -> list[Change]:
    before, after = _keyed(old.get("appendices")), _keyed(new.get("appendices"))
    lists = {"columns", "header", "row_groups", "totals", "rules", "tasks"}
    changes = []
    for key, table in after.items():
        name = f"Phụ lục {key}"
        if key not in before:
            changes.append(Change("added", f"{name} «{table.get('title', '')}»"))
            continue
        old_table = before[key]
        details = _attr_changes("table", old_table, table, lists)
        if details:
            changes.append(Change("changed", name, details))
        changes += _diff_keyed(
            "column",
            _keyed(old_table.get("columns")),
            _keyed(table.get("columns")),
            lambda item, k, name=name: f"{name}: cột «{item.get('label', k)}» ({k})",
        )
        changes += _order_change(
            f"{name}: thứ tự cột", list(_keyed(old_table.get("columns"))), list(_keyed(table.get("columns")))
        )
        changes += _diff_keyed(
            "group",
            _keyed(old_table.get("row_groups")),
            _keyed(table.get("row_groups")),
            lambda item, k, name=name: f"{name}: nhóm dòng {item.get('number') or ''} {item.get('title') or k}".replace(
                "  ", " "
            ),
            skip={"rows"},
        )
        changes += _diff_keyed(
            "row",
            _rows(old_table),
            _rows(table),
            lambda item, k, name=name: f"{name}: dòng «{item.get('label', k)}» ({k})",
        )
        changes += _diff_keyed(
            "header",
            _keyed(old_table.get("header"), "label"),
            _keyed(table.get("header"), "label"),
            lambda item, k, name=name: f"{name}: nhóm tiêu đề cột «{k}»",
        )
        changes += _diff_keyed(
            "total",
            _keyed(old_table.get("totals")),
            _keyed(table.get("totals")),
            lambda item, k, name=name: f"{name}: dòng tổng «{item.get('label', k)}»",
        )
        changes += _diff_keyed(
            "rule",
            _keyed(old_table.get("rules")),
            _keyed(table.get("rules")),
            lambda item, k, name=name: f"{name}: quy tắc {k}",
        )
        if old_table.get("tasks") != table.get("tasks"):
            tasks = _attr_changes("tasks", old_table.get("tasks") or {}, table.get("tasks") or {})
            changes.append(Change("changed", f"{name}: bảng nhiệm vụ", tasks))
    for key, table in before.items():
        if key not in after:
            changes.append(Change("removed", f"Phụ lục {key} «{table.get('title', '')}»"))
    changes += _order_change("Thứ tự các phụ lục", list(before), list(after))
    return changes


def _rows(table: dict) -> dict[str, dict]:
    rows = {}
    for group in table.get("row_groups") or []:
        if isinstance(group, dict):
            rows.update(_keyed(group.get("rows")))
    return rows


def _compilation(old: dict, new: dict) -> list[Change]:
    def flat(document):
        block = document.get("compilation") or {}
        out = {}
        for name, value in block.items():
            if isinstance(value, dict):
                out.update({f"{name}.{k}": v for k, v in value.items()})
            else:
                out[name] = value
        return out

    details = _attr_changes("compilation", flat(old), flat(new))
    return [Change("changed", "Cách tổng hợp", details)] if details else []
