"""Layouts: a definition resolved for one round, and what of it addresses one unit.

`resolve(spec, items_for)` turns a checked `Spec` into plain JSON with everything a round needs
frozen in: fieldsets expanded, audiences flattened to tokens ("kind:province", "unit:BCA"),
inherited audiences made explicit, catalogue rows materialised. A round stores that JSON, so
later edits of a definition or a catalogue never change a round that exists.

`Layout(data)` is the runtime object model over that JSON; `layout.view_for(unit)` gives the
sections, tables, row groups and rows that address a unit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from . import expressions
from .spec import DEFAULT_FIELD, ITEM_AUDIENCE, CatalogueRef, Spec, expand_fields, formula_order

LAYOUT_FORMAT = 1


@dataclass(frozen=True)
class CatalogueItem:
    """One catalogue entry as a row source: key, printed number, label, who it names, its fields."""

    key: str
    label: str
    number: str | None
    audience: list[str]
    fields: dict[str, Any]


ItemsFor = Callable[[CatalogueRef], list[CatalogueItem]]


# --- Resolution -------------------------------------------------------------------------------


def _flatten_audiences(spec: Spec) -> dict[str, list[str]]:
    flat: dict[str, list[str]] = {}

    def tokens(name: str, trail: tuple[str, ...] = ()) -> list[str]:
        if name in flat:
            return flat[name]
        audience = spec.audiences[name]
        result = [f"kind:{k}" for k in audience.kinds] + [f"unit:{u}" for u in audience.units]
        for other in audience.include:
            if other not in trail:
                result += tokens(other, (*trail, name))
        return list(dict.fromkeys(result))

    for name in spec.audiences:
        flat[name] = tokens(name)
    return flat


def _tokens(names: Iterable[str] | None, flat: dict[str, list[str]]) -> list[str] | None:
    if names is None:
        return None
    result: list[str] = []
    for name in names:
        result += flat.get(name, [f"unit:{name}"])
    return list(dict.fromkeys(result))


def resolve(spec: Spec, items_for: ItemsFor) -> dict:
    """The frozen layout of a definition, with catalogue rows taken from `items_for`."""
    flat = _flatten_audiences(spec)

    def section_json(section, inherited):
        audience = _tokens(section.audience, flat) if section.audience is not None else inherited
        if section.fields is None:
            fields = [] if section.children else [DEFAULT_FIELD]
        else:
            fields = expand_fields(spec, section.fields)
        return {
            "key": section.key,
            "number": section.number,
            "title": section.title,
            "audience": audience,
            "guidance": section.guidance,
            "fields": [f.model_dump(mode="json") for f in fields],
            "tables": section.tables,
            "summary": section.summary.model_dump(mode="json") if section.summary else None,
            "children": [section_json(child, audience) for child in section.children],
        }

    def table_json(table):
        audience = _tokens(table.audience, flat)
        data = table.model_dump(mode="json", exclude={"row_groups", "audience"})
        data["audience"] = audience
        data["row_groups"] = [group_json(group, audience) for group in table.row_groups]
        return data

    def group_json(group, table_audience):
        audience = _tokens(group.audience, flat) if group.audience is not None else table_audience
        rows = [
            {
                "key": row.key,
                "number": row.number,
                "label": row.label,
                "level": row.level,
                "heading": row.heading,
                "audience": _tokens(row.audience, flat) if row.audience is not None else audience,
                "values": row.values,
            }
            for row in group.rows
        ]
        if group.catalogue:
            for item in items_for(group.catalogue):
                rows.append(
                    {
                        "key": item.key,
                        "number": item.number,
                        "label": item.label,
                        "level": 1,
                        "heading": False,
                        "audience": _row_audience(group.row_audience, item, audience, flat),
                        "values": item.fields,
                    }
                )
        return {
            "key": group.key,
            "number": group.number,
            "title": group.title,
            "audience": audience,
            "free_rows": group.free_rows,
            "max_free_rows": group.max_free_rows,
            "rows": rows,
        }

    return {
        "layout_format": LAYOUT_FORMAT,
        "key": spec.key,
        "version": spec.version,
        "title": spec.title,
        "short_title": spec.short_title,
        "source": spec.source.model_dump(mode="json"),
        "audiences": {name: {"label": a.label, "tokens": flat[name]} for name, a in spec.audiences.items()},
        "sections": [section_json(section, None) for section in spec.outline],
        "tables": [table_json(table) for table in spec.appendices],
        "compilation": spec.compilation.model_dump(mode="json"),
    }


def _row_audience(names, item: CatalogueItem, group_audience, flat) -> list[str] | None:
    if names is None:
        return group_audience
    tokens: list[str] = []
    for name in names:
        tokens += _tokens(item.audience, flat) if name == ITEM_AUDIENCE else flat[name]
    return list(dict.fromkeys(tokens))


def layout_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- Runtime model ----------------------------------------------------------------------------


def addresses(audience: list[str] | None, unit_key: str, unit_kind: str) -> bool:
    """Whether an audience (tokens; None = everybody) includes the unit."""
    return audience is None or f"unit:{unit_key}" in audience or f"kind:{unit_kind}" in audience


@dataclass
class Section:
    key: str
    number: str | None
    title: str
    audience: list[str] | None
    guidance: list[str]
    fields: list[dict]
    tables: list[str]
    summary: dict | None
    children: list[Section]
    depth: int
    parent_key: str | None

    @property
    def heading(self) -> str:
        return (
            f"{self.number}. {self.title}"
            if self.number and not self.number.startswith("(")
            else (f"{self.number} {self.title}" if self.number else self.title)
        )

    @property
    def has_input(self) -> bool:
        return bool(self.fields)


@dataclass
class Row:
    key: str
    number: str | None
    label: str
    level: int
    heading: bool
    audience: list[str] | None
    values: dict[str, Any]
    group: str


@dataclass
class Group:
    key: str
    number: str | None
    title: str | None
    audience: list[str] | None
    free_rows: bool
    max_free_rows: int
    rows: list[Row]


@dataclass
class Table:
    key: str
    number: str
    title: str
    printed_as: str | None
    subtitle: str | None
    audience: list[str] | None
    section: str | None
    orientation: str
    columns: list[dict]
    header: list[dict]
    groups: list[Group]
    totals: list[dict]
    rules: list[dict]
    notes: list[str]
    tasks: dict | None = None  # the `tasks` block (definitions/taskrows.py)
    printed: bool = True  # false: collected, not printed as an appendix of the dispatch
    column_index: dict[str, dict] = field(init=False)
    formulas: dict[str, expressions.Expression] = field(init=False)
    formula_order: list[str] = field(init=False)
    compiled_rules: list[tuple[dict, expressions.Expression | None, expressions.Expression | None]] = field(init=False)

    def __post_init__(self):
        self.column_index = {c["key"]: c for c in self.columns}
        self.formulas = {c["key"]: expressions.parse(c["formula"]) for c in self.columns if c.get("formula")}
        self.formula_order = formula_order({k: set(e.names) for k, e in self.formulas.items()})
        self.compiled_rules = [
            (
                rule,
                expressions.parse(rule["when"]) if rule.get("when") else None,
                expressions.parse(rule["check"]) if rule.get("check") else None,
            )
            for rule in self.rules
        ]

    @property
    def label(self) -> str:
        # A table the dispatch does not print (CP27) is a worksheet ("biểu"), not an appendix.
        return f"Phụ lục {self.number}" if self.printed else f"Biểu {self.number}"

    @cached_property
    def label_column(self) -> dict:
        return next(c for c in self.columns if c.get("role") == "label")

    def is_input(self, column: dict) -> bool:
        """Typed by the unit on free rows (fixed rows also exclude label and item fields)."""
        return not column.get("formula") or column.get("fallback") == "typed"

    @cached_property
    def group_index(self) -> dict[str, Group]:
        return {g.key: g for g in self.groups}

    @cached_property
    def row_index(self) -> dict[str, Row]:
        return {r.key: r for g in self.groups for r in g.rows}


class Layout:
    """The runtime form of a round's frozen layout JSON."""

    def __init__(self, data: dict):
        if data.get("layout_format") != LAYOUT_FORMAT:
            raise ValueError("layout format không được hỗ trợ")
        self.data = data
        self.key = data["key"]
        self.version = data["version"]
        self.title = data["title"]
        self.source = data.get("source") or {}
        self.sections = [self._section(s, 0, None) for s in data["sections"]]
        self.tables = [self._table(t) for t in data["tables"]]
        self.compilation: dict = data.get("compilation") or {}
        self.section_index: dict[str, Section] = {}
        self._index(self.sections)
        self.table_index = {t.key: t for t in self.tables}
        self._views: dict[tuple[str, str], UnitView] = {}

    def _section(self, s: dict, depth: int, parent: str | None) -> Section:
        return Section(
            key=s["key"],
            number=s.get("number"),
            title=s["title"],
            audience=s.get("audience"),
            guidance=s.get("guidance") or [],
            fields=s.get("fields") or [],
            tables=s.get("tables") or [],
            summary=s.get("summary"),
            children=[self._section(c, depth + 1, s["key"]) for c in s.get("children") or []],
            depth=depth,
            parent_key=parent,
        )

    def _index(self, sections: list[Section]) -> None:
        for section in sections:
            self.section_index[section.key] = section
            self._index(section.children)

    @staticmethod
    def _table(t: dict) -> Table:
        groups = [
            Group(
                key=g["key"],
                number=g.get("number"),
                title=g.get("title"),
                audience=g.get("audience"),
                free_rows=g.get("free_rows", False),
                max_free_rows=g.get("max_free_rows", 500),
                rows=[Row(group=g["key"], **r) for r in g["rows"]],
            )
            for g in t["row_groups"]
        ]
        return Table(
            key=t["key"],
            number=t["number"],
            title=t["title"],
            printed_as=t.get("printed_as"),
            subtitle=t.get("subtitle"),
            audience=t.get("audience"),
            section=t.get("section"),
            orientation=t.get("orientation", "landscape"),
            columns=t["columns"],
            header=t.get("header") or [],
            groups=groups,
            totals=t.get("totals") or [],
            rules=t.get("rules") or [],
            notes=t.get("notes") or [],
            tasks=t.get("tasks"),
            printed=t.get("printed", True),
        )

    def walk_sections(self) -> Iterable[Section]:
        stack = list(reversed(self.sections))
        while stack:
            section = stack.pop()
            yield section
            stack.extend(reversed(section.children))

    def view_for(self, unit) -> UnitView:
        """What of this layout addresses `unit` (anything with .key and .kind); cached."""
        cache_key = (unit.key, str(unit.kind))
        view = self._views.get(cache_key)
        if view is None:
            view = UnitView(self, unit.key, str(unit.kind))
            self._views[cache_key] = view
        return view


@dataclass
class GroupView:
    group: Group
    rows: list[Row]
    free_rows: bool


@dataclass
class TableView:
    table: Table
    groups: list[GroupView]

    @property
    def key(self) -> str:
        return self.table.key

    @cached_property
    def fixed_rows(self) -> dict[str, Row]:
        return {row.key: row for g in self.groups for row in g.rows}

    @cached_property
    def free_groups(self) -> dict[str, GroupView]:
        return {g.group.key: g for g in self.groups if g.free_rows}


def _drop_empty_headings(rows: list[Row]) -> list[Row]:
    """Keep a heading row only if some input row under it (before the next heading of the same
    or a higher level) is kept."""
    kept: list[Row] = []
    for index, row in enumerate(rows):
        if not row.heading:
            kept.append(row)
            continue
        for following in rows[index + 1 :]:
            if following.heading and following.level <= row.level:
                break
            if not following.heading:
                kept.append(row)
                break
    return kept


class UnitView:
    """The sections, tables and rows of a layout that address one unit."""

    def __init__(self, layout: Layout, unit_key: str, unit_kind: str):
        self.layout = layout
        self.unit_key = unit_key
        self.unit_kind = unit_kind
        self.tables: list[TableView] = [v for v in (self._table_view(t) for t in layout.tables) if v]
        self.table_index = {v.key: v for v in self.tables}
        self.section_keys: set[str] = set()
        for section in layout.sections:
            self._mark(section)

    def _addresses(self, audience) -> bool:
        return addresses(audience, self.unit_key, self.unit_kind)

    def _mark(self, section: Section) -> bool:
        own = self._addresses(section.audience) and (
            section.has_input or section.summary is not None or any(t in self.table_index for t in section.tables)
        )
        children = [self._mark(child) for child in section.children]
        applies = own or any(children)
        if applies:
            self.section_keys.add(section.key)
        return applies

    def _table_view(self, table: Table) -> TableView | None:
        if not self._addresses(table.audience):
            return None
        groups = []
        for group in table.groups:
            # A row's audience may reach beyond its group's (e.g. a task's lead unit).
            rows = _drop_empty_headings([r for r in group.rows if self._addresses(r.audience)])
            free = group.free_rows and self._addresses(group.audience)
            if rows or free:
                groups.append(GroupView(group, rows, free))
        return TableView(table, groups) if groups else None

    def applies(self, section: Section) -> bool:
        return section.key in self.section_keys

    def sections(self) -> Iterable[Section]:
        """Applicable sections in outline order (headings included)."""
        return (s for s in self.layout.walk_sections() if s.key in self.section_keys)

    def input_sections(self) -> list[Section]:
        return [s for s in self.sections() if s.has_input and self._addresses(s.audience)]

    @cached_property
    def part_keys(self) -> list[str]:
        """The parts a unit fills: narrative sections with fields, then tables."""
        return [s.key for s in self.input_sections()] + [t.key for t in self.tables]

    def is_part(self, key: str) -> bool:
        return key in set(self.part_keys)
