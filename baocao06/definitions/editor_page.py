"""What the editor page shows: the tree of the definition, the element chosen, its form, its lists,
and the problems of each at their place. Shared by drafts (editable) and published versions (read).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import editing
from .editor import KIND_LABELS, LISTS, ProblemIndex, detail_of, label_of, option_lists, page_kind
from .editor_forms import bound_fields, form_kind

# The top of the tree: pages that are not elements of the outline or the appendices.
TOP = [
    ((), "meta", "Thông tin chung"),
    (("audiences",), "audiences", "Nhóm đối tượng"),
    (("fieldsets",), "fieldsets", "Bộ trường dùng chung"),
]


@dataclass
class NavEntry:
    path: str
    label: str
    depth: int
    problems: int
    active: bool
    kind: str


@dataclass
class ListItem:
    path: str
    label: str
    problems: int
    first: bool
    last: bool
    kind: str
    indent: bool = False
    outdent: bool = False
    detail: str = ""


@dataclass
class ElementList:
    attr: str
    container: str  # path of the list, where new items are added
    kind: str
    title: str
    add_label: str
    items: list[ListItem]
    problems: list = field(default_factory=list)


@dataclass
class EditorPage:
    path: str
    kind: str
    form_kind: str
    title: str
    crumbs: list[tuple[str, str]]
    fields: list
    other_problems: list
    lists: list[ElementList]
    subs: list[tuple[str, str, bool, int]]  # (kind, path, exists, problems): summary / tasks
    name: str | None = None
    has_form: bool = True


def nav(document: dict, problems: ProblemIndex, current: editing.Path) -> list[NavEntry]:
    """The tree at the side: general pages, every section of the outline, the tables, compilation."""
    entries = [
        NavEntry(editing.path_text(p), label, 0, problems.under(p) if p else len(problems.at(())), p == current, kind)
        for p, kind, label in TOP
    ]
    entries.append(NavEntry("outline", "Đề cương", 0, problems.under(("outline",)), current == ("outline",), "outline"))

    def visit(items, path, depth):
        for index, section in enumerate(items if isinstance(items, list) else []):
            here = (*path, index)
            entries.append(
                NavEntry(
                    editing.path_text(here),
                    label_of("section", section),
                    depth,
                    problems.under(here),
                    here == current or current[: len(here) + 1] == (*here, "fields") or current == (*here, "summary"),
                    "section",
                )
            )
            if isinstance(section, dict):
                visit(section.get("children"), (*here, "children"), depth + 1)

    visit(document.get("outline"), ("outline",), 1)
    entries.append(
        NavEntry("appendices", "Phụ lục", 0, problems.under(("appendices",)), current == ("appendices",), "appendices")
    )
    for index, table in enumerate(document.get("appendices") or []):
        here = ("appendices", index)
        entries.append(
            NavEntry(
                editing.path_text(here),
                label_of("table", table),
                1,
                problems.under(here),
                current[:2] == here,
                "table",
            )
        )
    entries.append(
        NavEntry(
            "compilation",
            "Tổng hợp toàn quốc",
            0,
            problems.under(("compilation",)),
            current == ("compilation",),
            "compilation",
        )
    )
    return entries


def crumbs(document: dict, path: editing.Path) -> list[tuple[str, str]]:
    out = []
    for end in range(1, len(path)):
        prefix = path[:end]
        try:
            kind = page_kind(prefix)
        except editing.EditRefused:
            continue
        element = editing.find_at(document, prefix)
        name = prefix[1] if kind in {"audience", "fieldset"} else None
        out.append(
            (
                editing.path_text(prefix),
                label_of(kind, element, name)
                if kind in KIND_LABELS and kind not in {"outline", "appendices", "audiences", "fieldsets"}
                else KIND_LABELS[kind],
            )
        )
    return out


def page(document: dict, path: editing.Path, problems: ProblemIndex, *, post=None, form_errors=None) -> EditorPage:
    """The page of the element (or list) at `path`; raises EditRefused if there is none."""
    kind = page_kind(path)
    element = document if path == () else editing.find_at(document, path)
    if element is None and kind not in {"summary", "tasks", "compilation"}:
        raise editing.EditRefused("Không tìm thấy phần tử này trong mẫu.")
    fkind = form_kind(kind, element)
    name = path[1] if kind in {"audience", "fieldset"} else None
    has_form = fkind not in {"outline", "appendices", "audiences", "fieldsets"}
    field_errors, others = problems.by_field(fkind, path) if has_form else ({}, problems.at(path))
    for attr, message in (form_errors or {}).items():
        field_errors.setdefault(attr, []).insert(0, message)
    options = option_lists(document, path)
    fields = bound_fields(fkind, element or {}, name, options, field_errors, post) if has_form else []
    lists = _lists(document, path, kind, element, problems)
    list_attrs = {lst.attr for lst in lists}
    for lst in lists:
        lst.problems = [p for p in others if p.attr.split(".", 1)[0] == lst.attr]
    others = [p for p in others if p.attr.split(".", 1)[0] not in list_attrs]
    subs = []
    for attr, sub_kind in (
        (("summary", "summary"),) if kind == "section" else (("tasks", "tasks"),) if kind == "table" else ()
    ):
        sub_path = (*path, attr)
        subs.append(
            (
                sub_kind,
                editing.path_text(sub_path),
                isinstance((element or {}).get(attr), dict),
                problems.under(sub_path),
            )
        )
    title = (
        KIND_LABELS[kind]
        if kind in {"meta", "outline", "appendices", "audiences", "fieldsets", "compilation"}
        else (f"{KIND_LABELS[kind].capitalize()}: {label_of(kind, element, name)}")
    )
    return EditorPage(
        editing.path_text(path), kind, fkind, title, crumbs(document, path), fields, others, lists, subs, name, has_form
    )


def _lists(document: dict, path: editing.Path, kind: str, element: Any, problems: ProblemIndex) -> list[ElementList]:
    out = []
    if kind in {"audiences", "fieldsets"}:
        entries = document.get(kind) if isinstance(document.get(kind), dict) else {}
        item_kind = kind[:-1]
        items = [
            ListItem(f"{kind}/{n}", label_of(item_kind, v, n), problems.under((kind, n)), True, True, item_kind)
            for n, v in entries.items()
        ]
        title = "Các nhóm đối tượng" if kind == "audiences" else "Các bộ trường"
        add = "Thêm nhóm đối tượng" if kind == "audiences" else "Thêm bộ trường"
        return [ElementList(kind, kind, item_kind, title, add, items)]
    for attr, item_kind, title, add in LISTS.get(kind, []):
        if kind in {"outline", "appendices"}:
            container, values = (attr,), document.get(attr)
        elif kind == "fieldset":
            container, values = path, element
        else:
            container, values = (*path, attr), (element or {}).get(attr)
        values = values if isinstance(values, list) else []
        items = []
        for index, value in enumerate(values):
            item_path = (*container, index)
            items.append(
                ListItem(
                    editing.path_text(item_path),
                    label_of(item_kind, value),
                    problems.under(item_path),
                    index == 0,
                    index == len(values) - 1,
                    item_kind,
                    indent=item_kind == "section" and index > 0,
                    outdent=item_kind == "section" and len(item_path) >= 4,
                    detail=detail_of(item_kind, value),
                )
            )
        if kind == "section" and attr == "fields" and (element or {}).get("fields") is None:
            title = (
                "Trường nhập (mặc định: một ô “Nội dung báo cáo”)"
                if not (element or {}).get("children")
                else "Trường nhập (không có)"
            )
        out.append(ElementList(attr, editing.path_text(container), item_kind, title, add, items))
    return out
