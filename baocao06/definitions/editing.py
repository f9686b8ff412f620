"""Small edits of a definition document, as the Secretariat's editor makes them.

A document is the plain data of a definition file (document.py). An element is addressed by a path
of steps from the top: `outline/1/children/0` (a section), `appendices/2/columns/4` (a column),
`audiences/provinces`, `appendices/2/tasks`, `compilation`, or the empty path (title, version,
source). Each edit is one operation on a copy of the document — set an element's own attributes,
insert a new element, remove, move, indent or outdent — and the result is checked by the engine
(`document.check_document`) before anything is stored (drafts.py / actions.py).

Nothing here knows any particular appendix: the kinds of elements are those of the format.
"""

from __future__ import annotations

import copy
import re
from typing import Any

# Lists whose items are elements, by the kind of their parent (attribute, kind of the item).
CONTAINERS: dict[str, dict[str, str]] = {
    "section": {"children": "section", "fields": "field"},
    "table": {"columns": "column", "header": "header", "row_groups": "group", "totals": "total", "rules": "rule"},
    "group": {"rows": "row"},
}
# Optional sub-objects that are elements of their own.
SUB_OBJECTS = {"section": {"summary": "summary"}, "table": {"tasks": "tasks"}}
# Where audience names are used, by kind of element (renaming an audience follows them).
AUDIENCE_ATTRS = {
    "section": ("audience",),
    "table": ("audience",),
    "group": ("audience", "row_audience"),
    "row": ("audience",),
}


class EditRefused(ValueError):
    """An edit that cannot be applied (the message says why, in Vietnamese)."""


Path = tuple  # of str (dict keys) and int (list indexes)


def parse_path(text: str) -> Path:
    if not text:
        return ()
    return tuple(int(step) if step.isdigit() else step for step in text.strip("/").split("/"))


def path_text(path: Path) -> str:
    return "/".join(str(step) for step in path)


def kind_of(path: Path) -> str:
    """The kind of element a path addresses ('meta', 'section', 'column' …); EditRefused if none."""
    if path == ():
        return "meta"
    head, rest = path[0], path[1:]
    if head == "compilation" and not rest:
        return "compilation"
    if head in {"audiences", "fieldsets"} and len(rest) == 1 and isinstance(rest[0], str):
        return head[:-1]
    if head == "fieldsets" and len(rest) == 2 and isinstance(rest[1], int):
        return "field"
    if head == "outline" and rest and isinstance(rest[0], int):
        return _walk_kind("section", rest[1:])
    if head == "appendices" and rest and isinstance(rest[0], int):
        return _walk_kind("table", rest[1:])
    raise EditRefused("Không tìm thấy phần tử này trong mẫu.")


def _walk_kind(kind: str, rest: tuple) -> str:
    while rest:
        attr = rest[0]
        if attr in SUB_OBJECTS.get(kind, {}) and len(rest) == 1:
            return SUB_OBJECTS[kind][attr]
        item = CONTAINERS.get(kind, {}).get(attr)
        if item is None or len(rest) < 2 or not isinstance(rest[1], int):
            raise EditRefused("Không tìm thấy phần tử này trong mẫu.")
        kind, rest = item, rest[2:]
    return kind


def get_at(document: Any, path: Path) -> Any:
    node = document
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            raise EditRefused("Phần tử không còn trong bản nháp (có thể vừa bị xóa hoặc di chuyển).") from None
    return node


def find_at(document: Any, path: Path) -> Any:
    """The value at a path, or None when it does not exist (optional sub-objects)."""
    try:
        return get_at(document, path)
    except EditRefused:
        return None


# --- operations ------------------------------------------------------------------------------


def set_element(document: dict, path: Path, attrs: dict, order: list[str], own: set[str]) -> tuple[dict, Any, Any]:
    """Replace the element's own attributes (`own`, as the editor shows them) by `attrs`, keeping
    its nested lists; keys ordered as the format's model (`order`). Returns (document, old, new)."""
    document = copy.deepcopy(document)
    kind_of(path)  # refuses a path that is no element
    parent = get_at(document, path[:-1]) if path else None
    old = find_at(document, path) if path else document
    if old is None:
        old_dict: dict = {}
    elif isinstance(old, dict):
        old_dict = old
    else:
        raise EditRefused("Phần tử này không sửa được bằng biểu mẫu.")
    kept = {k: v for k, v in old_dict.items() if k not in own}
    merged = {**kept, **{k: v for k, v in attrs.items() if v is not None}}
    new = {k: merged[k] for k in order if k in merged} | {k: v for k, v in merged.items() if k not in order}
    if not path:
        return new, old_dict, new
    parent[path[-1]] = new
    return document, (copy.deepcopy(old) if old is not None else None), new


def rename_entry(document: dict, path: Path, name: str) -> dict:
    """Rename an audience or fieldset, keeping its place and following every use of the name."""
    collection, old_name = path
    if name == old_name:
        return document
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", name or ""):
        raise EditRefused("Mã không hợp lệ (chỉ chữ không dấu, số, '.', '_' và '-').")
    entries = document.get(collection) or {}
    if name in entries:
        raise EditRefused(f"Đã có mã {name}.")
    document[collection] = {(name if k == old_name else k): v for k, v in entries.items()}
    if collection == "audiences":
        for item in document["audiences"].values():
            if isinstance(item, dict) and isinstance(item.get("include"), list):
                item["include"] = [name if n == old_name else n for n in item["include"]]
        for element, kind in walk_elements(document):
            for attr in AUDIENCE_ATTRS.get(kind, ()):
                if isinstance(element.get(attr), list):
                    element[attr] = [name if n == old_name else n for n in element[attr]]
    else:
        for element, kind in walk_elements(document):
            if kind == "field" and element.get("use") == old_name:
                element["use"] = name
        for items in document["fieldsets"].values():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and item.get("use") == old_name:
                    item["use"] = name
    return document


def insert(document: dict, path: Path, item: Any, index: int | None = None) -> tuple[dict, Path]:
    """Insert `item` into the list at `path` (at the end by default); returns the new item's path."""
    document = copy.deepcopy(document)
    *parent_path, attr = path
    parent = get_at(document, tuple(parent_path))
    if isinstance(parent, dict):
        items = parent.get(attr)
        if items is None:
            items = parent[attr] = []
    else:
        items = parent[attr]
    if not isinstance(items, list):
        raise EditRefused("Không thêm được vào đây.")
    index = len(items) if index is None else max(0, min(index, len(items)))
    items.insert(index, item)
    return document, (*path, index)


def add_entry(document: dict, collection: str, name: str, value: Any) -> dict:
    document = copy.deepcopy(document)
    entries = document.setdefault(collection, {})
    if not isinstance(entries, dict):
        raise EditRefused("Không thêm được vào đây.")
    entries[name] = value
    return document


def remove(document: dict, path: Path) -> tuple[dict, Any]:
    document = copy.deepcopy(document)
    if not path:
        raise EditRefused("Không xóa được toàn bộ mẫu.")
    parent = get_at(document, path[:-1])
    old = get_at(document, path)
    if isinstance(parent, list):
        parent.pop(path[-1])
    else:
        del parent[path[-1]]
    return document, old


def move(document: dict, path: Path, delta: int) -> tuple[dict, Path]:
    document = copy.deepcopy(document)
    if not path or not isinstance(path[-1], int):
        raise EditRefused("Phần tử này không di chuyển được.")
    items = get_at(document, path[:-1])
    index, target = path[-1], path[-1] + delta
    if not 0 <= target < len(items):
        raise EditRefused("Không di chuyển được xa hơn.")
    items[index], items[target] = items[target], items[index]
    return document, (*path[:-1], target)


def indent(document: dict, path: Path) -> tuple[dict, Path]:
    """A section becomes the last sub-section of the section before it."""
    document = copy.deepcopy(document)
    if kind_of(path) != "section" or path[-1] == 0:
        raise EditRefused("Chỉ chuyển được mục có mục đứng trước nó vào trong mục đó.")
    siblings = get_at(document, path[:-1])
    section = siblings.pop(path[-1])
    previous = siblings[path[-1] - 1]
    children = previous.setdefault("children", [])
    children.append(section)
    if previous.get("fields") is None:
        previous["fields"] = []  # a heading now: it had the default field only because it was a leaf
    return document, (*path[:-1], path[-1] - 1, "children", len(children) - 1)


def outdent(document: dict, path: Path) -> tuple[dict, Path]:
    """A sub-section moves out, right after its parent section."""
    document = copy.deepcopy(document)
    if kind_of(path) != "section" or len(path) < 4:
        raise EditRefused("Mục này đã ở cấp ngoài cùng.")
    parent_path = path[:-2]
    siblings = get_at(document, path[:-1])
    section = siblings.pop(path[-1])
    outer = get_at(document, parent_path[:-1])
    outer.insert(parent_path[-1] + 1, section)
    parent = outer[parent_path[-1]]
    if not parent.get("children"):
        parent.pop("children", None)
    return document, (*parent_path[:-1], parent_path[-1] + 1)


# --- walking ---------------------------------------------------------------------------------


def walk_elements(document: Any, kind: str = "", node: Any = None, path: Path = ()):
    """Yield (element, kind) for every element dict (sections, tables, columns, rows …)."""
    if not kind:
        if not isinstance(document, dict):
            return
        for index, section in enumerate(_list(document.get("outline"))):
            yield from walk_elements(document, "section", section, ("outline", index))
        for index, table in enumerate(_list(document.get("appendices"))):
            yield from walk_elements(document, "table", table, ("appendices", index))
        return
    if not isinstance(node, dict):
        return
    yield node, kind
    for attr, item_kind in CONTAINERS.get(kind, {}).items():
        for index, item in enumerate(_list(node.get(attr))):
            yield from walk_elements(document, item_kind, item, (*path, attr, index))


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def unique_key(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3` … whichever is free."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
