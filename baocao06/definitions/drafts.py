"""A draft's document, edited and checked: the glue between the editor's operations and the engine.

`apply_edit` turns one editor operation into a new document (nothing is stored here: actions.py
does that in a transaction, with the audit event). `draft_problems` is what the editor shows after
every edit: the engine's problems (the same as `check_definition`), plus two checks that need the
database — a version already published under the same key (an error: it could not be published)
and unit keys the unit list does not know (a warning: the audience would miss them).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from baocao06.catalogues.registry import catalogue_fields
from baocao06.units.models import Unit

from . import editing
from .document import check_document
from .editor import PAGES, default_fields, new_item
from .editor_forms import form_kind, model_order, own_attrs
from .models import Definition

OPERATIONS = ("set", "add", "remove", "up", "down", "indent", "outdent")


@dataclass
class Edit:
    """One operation of the editor on the element (or list) at `path`."""

    op: str
    path: editing.Path
    attrs: dict = field(default_factory=dict)  # set: the element's own attributes from its form
    name: str | None = None  # set: the new name of an audience or fieldset
    kind: str = ""  # add: the kind of element to add (section, column, rule …)
    use: bool = False  # add a field: a `use: fieldset` item instead of a field


@dataclass
class Applied:
    document: dict
    path: editing.Path  # where the element is now (for the editor to show it)
    old: Any
    new: Any


def apply_edit(document: dict, edit: Edit) -> Applied:
    """The document after `edit` (a new object; `document` is not changed). EditRefused if the
    operation does not fit the element (the view shows the message)."""
    path = tuple(edit.path)
    if edit.op == "set":
        return _set(document, path, edit)
    if edit.op == "add":
        return _add(document, path, edit)
    if edit.op == "remove":
        if editing.kind_of(path) in {"meta", "compilation"}:
            raise editing.EditRefused("Phần này không xóa được.")
        new_document, old = editing.remove(document, path)
        return Applied(new_document, _landing(new_document, path[:-1]), old, None)
    if edit.op in {"up", "down"}:
        new_document, new_path = editing.move(document, path, -1 if edit.op == "up" else 1)
        return Applied(new_document, new_path, editing.path_text(path), editing.path_text(new_path))
    if edit.op in {"indent", "outdent"}:
        move = editing.indent if edit.op == "indent" else editing.outdent
        new_document, new_path = move(document, path)
        return Applied(new_document, new_path, editing.path_text(path), editing.path_text(new_path))
    raise editing.EditRefused("Thao tác không hợp lệ.")


def _landing(document: dict, path: editing.Path) -> editing.Path:
    """After a removal, the nearest element above the removed one."""
    while path:
        if path in PAGES:
            return path
        try:
            editing.kind_of(path)
            if editing.find_at(document, path) is not None:
                return path
        except editing.EditRefused:
            pass
        path = path[:-1]
    return ()


def _set(document: dict, path: editing.Path, edit: Edit) -> Applied:
    kind = editing.kind_of(path)
    if kind == "fieldset":
        renamed = editing.rename_entry(copy.deepcopy(document), path, edit.name or path[1])
        new_path = (path[0], edit.name or path[1])
        return Applied(renamed, new_path, path[1], new_path[1])
    element = editing.find_at(document, path) if path else document
    kind = form_kind(kind, element)
    new_document, old, new = editing.set_element(document, path, edit.attrs, model_order(kind), own_attrs(kind))
    if kind == "audience" and edit.name and edit.name != path[1]:
        new_document = editing.rename_entry(new_document, path, edit.name)
        return Applied(new_document, (path[0], edit.name), {path[1]: old}, {edit.name: new})
    return Applied(new_document, path, old, new)


def _list_kind(path: editing.Path) -> str | None:
    """The kind of element the list (or optional sub-object) at `path` holds."""
    top = {("outline",): "section", ("appendices",): "table", ("audiences",): "audience", ("fieldsets",): "fieldset"}
    if path in top:
        return top[path]
    if len(path) == 2 and path[0] == "fieldsets":
        return "field"
    if path == ("compilation",):
        return "compilation"
    try:
        parent = editing.kind_of(path[:-1])
    except editing.EditRefused:
        return None
    return editing.CONTAINERS.get(parent, {}).get(path[-1]) or editing.SUB_OBJECTS.get(parent, {}).get(path[-1])


def _add(document: dict, path: editing.Path, edit: Edit) -> Applied:
    kind = edit.kind
    if not path or _list_kind(path) != kind:
        raise editing.EditRefused("Không thêm được phần tử loại này vào đây.")
    if kind in {"audience", "fieldset"}:
        collection = f"{kind}s"
        entries = document.get(collection) if isinstance(document.get(collection), dict) else {}
        name = editing.unique_key("nhom_moi" if kind == "audience" else "bo_truong_moi", set(entries))
        item = new_item(kind, document, (collection,))
        return Applied(editing.add_entry(document, collection, name, item), (collection, name), None, item)
    if kind in {"summary", "tasks", "compilation"}:
        item = new_item(kind, document, path)
        new_document, _, new = editing.set_element(document, path, item, model_order(kind), set(item))
        return Applied(new_document, path, None, new)
    if kind == "field" and path[-1] == "fields":
        section = editing.get_at(document, path[:-1])
        seeded = default_fields(section) if isinstance(section, dict) else None
        if seeded is not None:
            document = copy.deepcopy(document)
            editing.get_at(document, path[:-1])["fields"] = seeded
    if edit.use:
        fieldsets = document.get("fieldsets") if isinstance(document.get("fieldsets"), dict) else {}
        item = {"use": next(iter(fieldsets), "")}
    else:
        item = new_item(kind, document, path)
    new_document, new_path = editing.insert(document, path, item)
    return Applied(new_document, new_path, None, item)


# --- checking --------------------------------------------------------------------------------


def draft_problems(document: Any) -> list[tuple[str, str, str]]:
    """(place, message, severity) of everything wrong with a draft's document."""
    _, problems = check_document(document, catalogue_fields())
    found = [(place, message, "error") for place, message in problems]
    if not isinstance(document, dict):
        return found
    key, version = document.get("key"), document.get("version")
    if (
        isinstance(key, str)
        and isinstance(version, str)
        and Definition.objects.filter(key=key, version=version).exists()
    ):
        found.append(
            ("version", f"Phiên bản {version} của mẫu {key} đã được công bố; hãy đặt tên phiên bản khác.", "error")
        )
    audiences = document.get("audiences") if isinstance(document.get("audiences"), dict) else {}
    named = {
        name: [u for u in (a.get("units") or []) if isinstance(u, str)]
        for name, a in audiences.items()
        if isinstance(a, dict) and isinstance(a.get("units"), list)
    }
    known = set(
        Unit.objects.filter(key__in={u for units in named.values() for u in units}).values_list("key", flat=True)
    )
    for name, units in named.items():
        missing = [u for u in units if u not in known]
        if missing:
            found.append((f"audiences[{name}].units", f"không có đơn vị mang mã: {', '.join(missing)}", "warning"))
    return found
