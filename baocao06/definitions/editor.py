"""The editor's view of a definition document: labels, choice lists, new elements, and every
problem the engine finds put at the element it is about.

The engine names a problem by its place in the file (`appendices[PL03].rules[r1].check`,
`outline[II.1].audience`, `outline[II].children[0].title`); `place_path` finds the element that
place is in (a path, editing.py) and the attribute, so the editor shows the message beside the
input that has to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from baocao06.catalogues.registry import CATALOGUES

from .editing import EditRefused, Path, find_at, kind_of, unique_key
from .editor_forms import FIXED_OPTIONS, SCHEMAS
from .spec import NUMERIC_TYPES

KIND_LABELS = {
    "meta": "Thông tin chung",
    "audiences": "Nhóm đối tượng",
    "audience": "nhóm đối tượng",
    "fieldsets": "Bộ trường dùng chung",
    "fieldset": "bộ trường",
    "outline": "Đề cương",
    "section": "mục",
    "field": "trường nhập",
    "summary": "số liệu tự tính",
    "appendices": "Phụ lục",
    "table": "phụ lục",
    "column": "cột",
    "header": "nhóm tiêu đề cột",
    "group": "nhóm dòng",
    "row": "dòng cố định",
    "total": "dòng tổng",
    "rule": "quy tắc kiểm tra",
    "tasks": "bảng nhiệm vụ",
    "compilation": "Tổng hợp toàn quốc",
}
# The lists shown on an element's page, each with its title and the label of its add button.
LISTS = {
    "outline": [("outline", "section", "Các mục lớn", "Thêm mục")],
    "appendices": [("appendices", "table", "Các phụ lục", "Thêm phụ lục")],
    "section": [
        ("children", "section", "Mục con", "Thêm mục con"),
        ("fields", "field", "Trường nhập", "Thêm trường"),
    ],
    "table": [
        ("columns", "column", "Cột", "Thêm cột"),
        ("header", "header", "Tiêu đề nhóm cột", "Thêm nhóm tiêu đề"),
        ("row_groups", "group", "Nhóm dòng", "Thêm nhóm dòng"),
        ("totals", "total", "Dòng tổng", "Thêm dòng tổng"),
        ("rules", "rule", "Quy tắc kiểm tra", "Thêm quy tắc"),
    ],
    "group": [("rows", "row", "Dòng cố định", "Thêm dòng")],
    "fieldset": [("", "field", "Các trường", "Thêm trường")],
}
PAGES = {
    ("audiences",): "audiences",
    ("fieldsets",): "fieldsets",
    ("outline",): "outline",
    ("appendices",): "appendices",
}


def page_kind(path: Path) -> str:
    """The kind of editor page for a path: an element, or one of the top-level lists."""
    return PAGES.get(tuple(path)) or kind_of(path)


def _text(value: Any, limit: int = 90) -> str:
    text = " ".join(str(value or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label_of(kind: str, element: Any, name: str | None = None) -> str:
    """How an element is named in the editor's tree, lists and breadcrumbs."""
    e = element if isinstance(element, dict) else {}
    if kind == "section":
        return _text(f"{e.get('number') or ''} {e.get('title') or e.get('key') or '(chưa có tiêu đề)'}")
    if kind == "table":
        return _text(f"{e.get('key') or '?'} — {e.get('title') or ''}")
    if kind == "column":
        return _text(f"{e.get('label') or '?'} ({e.get('key') or '?'})")
    if kind == "group":
        return _text(f"{e.get('number') or ''} {e.get('title') or e.get('key') or ''}")
    if kind == "row":
        return _text(f"{e.get('number') or ''} {e.get('label') or e.get('key') or ''}")
    if kind == "rule":
        return _text(f"{e.get('key') or '?'}: {e.get('message') or ''}")
    if kind == "field":
        return _text(f"Bộ trường “{e['use']}”" if "use" in e else f"{e.get('label') or '?'} ({e.get('key') or '?'})")
    if kind in {"header", "total"}:
        return _text(e.get("label") or "?")
    if kind == "audience":
        return _text(f"{e.get('label') or name} ({name})")
    if kind == "fieldset":
        return name or ""
    return KIND_LABELS.get(kind, kind)


def detail_of(kind: str, element: Any) -> str:
    """A second, quieter line in lists: what a column is, what a rule checks."""
    e = element if isinstance(element, dict) else {}
    if kind == "column":
        types = dict(FIXED_OPTIONS["types"])
        parts = [types.get(e.get("type"), str(e.get("type") or "?"))]
        if e.get("role") == "label":
            parts.append("tên dòng")
        if e.get("formula"):
            parts.append(f"= {e['formula']}")
        if e.get("required"):
            parts.append("bắt buộc")
        return _text(" · ".join(parts), 110)
    if kind == "rule":
        if e.get("check"):
            return _text(e["check"], 110)
        return _text("bắt buộc: " + ", ".join(map(str, e.get("require") or [])), 110)
    if kind == "group":
        if isinstance(e.get("catalogue"), dict):
            return f"danh mục {e['catalogue'].get('name')}"
        return "dòng tự do" if e.get("free_rows") else f"{len(e.get('rows') or [])} dòng cố định"
    return ""


# --- choice lists ----------------------------------------------------------------------------


def enclosing_table(document: dict, path: Path) -> dict:
    if len(path) >= 2 and path[0] == "appendices":
        table = find_at(document, path[:2])
        if isinstance(table, dict):
            return table
    return {}


def _columns(table: dict) -> list[dict]:
    return [c for c in table.get("columns") or [] if isinstance(c, dict) and c.get("key")]


def sections_of(document: dict) -> list[dict]:
    found = []

    def visit(items):
        for section in items if isinstance(items, list) else []:
            if isinstance(section, dict):
                found.append(section)
                visit(section.get("children"))

    visit(document.get("outline"))
    return found


def tables_of(document: dict) -> list[dict]:
    return [t for t in document.get("appendices") or [] if isinstance(t, dict)]


def option_lists(document: dict, path: Path):
    """A function giving each choice list of the forms, for the element at `path`."""
    audiences = document.get("audiences") if isinstance(document.get("audiences"), dict) else {}
    table = enclosing_table(document, path)

    def options(name: str) -> list[tuple[str, str]]:
        if name in FIXED_OPTIONS:
            return FIXED_OPTIONS[name]
        if name in {"audiences", "other_audiences", "row_audiences"}:
            own = path[1] if name == "other_audiences" and len(path) > 1 else None
            items = [(n, f"{(a or {}).get('label') or n} ({n})") for n, a in audiences.items() if n != own]
            if name == "row_audiences":
                items.append(("item", "Đơn vị mà mục danh mục chỉ định (chủ quản dịch vụ, đơn vị chủ trì)"))
            return items
        if name == "tables":
            return [
                (t["key"], f"{t['key']} — {_text(t.get('title'), 60)}") for t in tables_of(document) if t.get("key")
            ]
        if name == "sections":
            return [
                (s["key"], _text(f"{s['key']} {s.get('title') or ''}", 70))
                for s in sections_of(document)
                if s.get("key")
            ]
        if name == "columns":
            return [(c["key"], _text(f"{c['key']} — {c.get('label') or ''}", 60)) for c in _columns(table)]
        if name == "numeric_columns":
            return [
                (c["key"], _text(f"{c['key']} — {c.get('label') or ''}", 60))
                for c in _columns(table)
                if c.get("type") in NUMERIC_TYPES
            ]
        if name == "compare_targets":
            return [
                (f"{t['key']}.{c['key']}", _text(f"{t['key']} › {c.get('label') or c['key']}", 70))
                for t in tables_of(document)
                if t.get("key") and t is not table
                for c in _columns(t)
                if c.get("type") in NUMERIC_TYPES
            ]
        if name in {"all_columns", "numeric_columns_all"}:
            seen: dict[str, str] = {}
            for t in tables_of(document):
                for c in _columns(t):
                    if name == "all_columns" or c.get("type") in NUMERIC_TYPES:
                        seen.setdefault(c["key"], _text(f"{c['key']} — {c.get('label') or ''}", 60))
            return list(seen.items())
        if name == "catalogues":
            return [(n, c.label or n) for n, c in CATALOGUES.items()]
        if name == "catalogue_fields":
            names = {
                (g.get("catalogue") or {}).get("name")
                for g in table.get("row_groups") or []
                if isinstance(g, dict) and isinstance(g.get("catalogue"), dict)
            }
            fields = sorted({f for n in names if n in CATALOGUES for f in CATALOGUES[n].fields})
            return [(f, f) for f in fields]
        if name == "fieldsets":
            fieldsets = document.get("fieldsets") if isinstance(document.get("fieldsets"), dict) else {}
            return [(n, n) for n in fieldsets]
        return []

    return options


# --- new elements ----------------------------------------------------------------------------


def new_item(kind: str, document: dict, container: Path) -> Any:
    """A new element to insert into the list at `container`: valid where it can be, with keys that
    are free, so the Secretariat starts from something that works and edits it."""
    table = enclosing_table(document, container)
    if kind == "section":
        taken = {s.get("key") for s in sections_of(document)}
        siblings = find_at(document, container) or []
        parent = find_at(document, container[:-1]) if len(container) > 1 else None
        number = str(len(siblings) + 1)
        base = f"{parent.get('key')}.{number}" if isinstance(parent, dict) and parent.get("key") else f"M{number}"
        return {"key": unique_key(base, taken), "title": "Mục mới", "number": number}
    if kind == "table":
        taken = {t.get("key") for t in tables_of(document)}
        number = f"{len(taken) + 1:02d}"
        return {
            "key": unique_key(f"PL{number}", taken),
            "number": number,
            "title": "Phụ lục mới",
            "columns": [{"key": "noi_dung", "label": "Nội dung", "type": "text", "role": "label"}],
            "row_groups": [{"key": "main", "free_rows": True}],
        }
    if kind == "column":
        taken = {c["key"] for c in _columns(table)}
        return {"key": unique_key("cot_moi", taken), "label": "Cột mới", "type": "integer", "min": 0}
    if kind == "header":
        inputs = [c["key"] for c in _columns(table) if c.get("role") != "label"]
        return {"label": "Nhóm cột mới", "columns": inputs[:1]}
    if kind == "group":
        taken = {g.get("key") for g in table.get("row_groups") or [] if isinstance(g, dict)}
        return {"key": unique_key("nhom_moi", taken), "free_rows": True}
    if kind == "row":
        taken = {
            r.get("key") for g in table.get("row_groups") or [] if isinstance(g, dict) for r in g.get("rows") or []
        }
        return {"key": unique_key("dong_moi", {t for t in taken if t}), "label": "Dòng mới"}
    if kind == "total":
        taken = {t.get("key") for t in table.get("totals") or [] if isinstance(t, dict)}
        numeric = [c["key"] for c in _columns(table) if c.get("type") in NUMERIC_TYPES and not c.get("formula")]
        return {"key": unique_key("tong", taken), "label": "TỔNG CỘNG", "sum": numeric}
    if kind == "rule":
        taken = {r.get("key") for r in table.get("rules") or [] if isinstance(r, dict)}
        return {"key": unique_key("quy_tac_moi", taken), "message": "Nội dung thông báo khi số liệu sai quy tắc."}
    if kind == "field":
        items = find_at(document, container) or []
        taken = {i.get("key") for i in items if isinstance(i, dict)}
        return {"key": unique_key("truong_moi", taken), "label": "Trường mới"}
    if kind == "audience":
        return {"label": "Nhóm đối tượng mới", "units": []}
    if kind == "fieldset":
        return [{"key": "noi_dung", "label": "Nội dung"}]
    if kind == "summary":
        tables = [t.get("key") for t in tables_of(document) if t.get("key")]
        return {
            "table": tables[0] if tables else "",
            "counts": [{"key": "so_dong", "label": "Số dòng", "where": "1 == 1"}],
        }
    if kind in {"tasks", "compilation"}:
        return {}
    raise EditRefused("Không thêm được phần tử loại này.")


def default_fields(section: dict) -> list | None:
    """A leaf section without `fields` has one field; adding a field keeps it visible."""
    if section.get("fields") is None and not section.get("children"):
        return [{"key": "body", "label": "Nội dung báo cáo"}]
    return None


# --- problems at their place -----------------------------------------------------------------

_SEGMENT = re.compile(r"\.?([A-Za-z_]+)?(?:\[([^\]]*)\])?")


def _segments(place: str) -> list[tuple[str | None, str | None]]:
    segments, pos = [], 0
    while pos < len(place):
        match = _SEGMENT.match(place, pos)
        if not match or match.end() == pos:
            return []
        segments.append((match.group(1), match.group(2)))
        pos = match.end()
    return segments


def _index(items: list, label: str) -> int | None:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("key") == label:
            return index
    if label.isdigit() and int(label) < len(items):
        return int(label)
    return None


def _item_path(document: dict, path: Path, name: str, items: list, label: str) -> Path | None:
    """The element `name[label]` under `path`: by key; sections also anywhere in the outline (the
    engine names a section by its key alone); else by position (pydantic's places)."""
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("key") == label and _is_element((*path, name, index)):
            return (*path, name, index)
    if name == "outline" and path == ():
        found = _section_path(document, label)
        if found:
            return found
    if label.isdigit() and int(label) < len(items) and _is_element((*path, name, int(label))):
        return (*path, name, int(label))
    return None


def _section_path(document: dict, key: str) -> Path | None:
    def visit(items, path):
        for index, section in enumerate(items if isinstance(items, list) else []):
            here = (*path, index)
            if isinstance(section, dict):
                if section.get("key") == key:
                    return here
                found = visit(section.get("children"), (*here, "children"))
                if found:
                    return found
        return None

    return visit(document.get("outline"), ("outline",))


def _is_element(path: Path) -> bool:
    try:
        kind_of(path)
    except EditRefused:
        return False
    return True


def place_path(document: Any, place: str) -> tuple[Path | None, str]:
    """The element a problem's place is in, and the attribute (dotted) within it; None: the file."""
    segments = _segments(place)
    if not isinstance(document, dict) or not segments or segments[0][0] is None:
        return None, ""
    node: Any = document
    path: Path = ()
    element: Path = ()
    rest: list[str] = []
    for position, (name, label) in enumerate(segments):
        if rest:
            rest.append(name or "")
            continue
        if name in {"audiences", "fieldsets"} and path == ():
            entry = label or (segments[position + 1][0] if position + 1 < len(segments) else None)
            entries = document.get(name) if isinstance(document.get(name), dict) else {}
            if entry in entries:
                element = path = (name, entry)
                node = entries[entry]
                if not label:
                    segments[position + 1] = (None, segments[position + 1][1])
                continue
            rest.append(name)
            continue
        if name is None:  # the bracket of a fieldset's field after its name
            if isinstance(node, list) and label is not None:
                index = _index(node, label)
                if index is not None:
                    element = path = (*path, index)
                    node = node[index]
            continue
        container = node.get(name) if isinstance(node, dict) else None
        if label is not None and isinstance(container, list):
            found = _item_path(document, path, name, container, label)
            if found is not None:
                element = path = found
                node = find_at(document, found)
                continue
            rest.append(name)
            continue
        if (
            label is None
            and isinstance(container, dict)
            and _is_element((*path, name))
            and (name != "compilation" or path == ())
        ):
            element = path = (*path, name)
            node = container
            continue
        rest.append(name)
    return element, ".".join(r for r in rest if r)


@dataclass
class Problem:
    place: str
    message: str
    path: Path | None
    attr: str
    severity: str = "error"

    @property
    def path_text(self) -> str:
        return "/".join(str(s) for s in self.path) if self.path is not None else ""


@dataclass
class ProblemIndex:
    """Problems of a document, by the element they are in."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def build(cls, document: Any, found: list[tuple[str, str, str]]) -> ProblemIndex:
        items = []
        for place, message, severity in found:
            path, attr = place_path(document, place)
            items.append(Problem(place, message, path, attr, severity))
        return cls(items)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def at(self, path: Path) -> list[Problem]:
        return [p for p in self.problems if p.path == tuple(path)]

    def under(self, path: Path) -> int:
        n = len(path)
        return sum(1 for p in self.problems if p.path is not None and p.path[:n] == tuple(path))

    def general(self) -> list[Problem]:
        return [p for p in self.problems if p.path is None]

    def by_field(self, kind: str, path: Path) -> tuple[dict[str, list[str]], list[Problem]]:
        """Messages by form field of the element; the rest (lists, unknown attributes) apart."""
        names = [f.name for f in SCHEMAS[kind]]
        fields: dict[str, list[str]] = {}
        others = []
        for problem in self.at(path):
            target = _field_for(problem.attr, names)
            if target:
                fields.setdefault(target, []).append(problem.message)
            else:
                others.append(problem)
        return fields, others


def _field_for(attr: str, names: list[str]) -> str | None:
    if not attr:
        return None
    if attr in names:
        return attr
    first = attr.split(".", 1)[0]
    if first in names:
        return first
    return next((n for n in names if n.startswith(first + ".")), None)
