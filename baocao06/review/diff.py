"""Comparing two versions of a report: narrative as a text diff, tables as changed, added and
removed rows (keyed by row key, so reordering is not a change).

Works on the canonical content of versions (`ReportVersion.content`) and the unit's view of the
round's layout, which gives labels; values are shown as people read them (1.234; 70,3; “Hoàn thành”).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from baocao06.definitions import cells
from baocao06.definitions.layout import UnitView

_TOKENS = re.compile(r"\S+|\s+")


@dataclass
class Segment:
    tag: str  # equal | insert | delete
    text: str


@dataclass
class Paragraph:
    tag: str  # equal | insert | delete | replace
    old: str = ""
    new: str = ""
    segments: list[Segment] = field(default_factory=list)  # word-level, for a replaced paragraph


@dataclass
class FieldDiff:
    key: str
    label: str
    paragraphs: list[Paragraph]


@dataclass
class SectionDiff:
    key: str
    heading: str
    fields: list[FieldDiff]


@dataclass
class CellChange:
    row: str
    row_label: str
    column: str
    column_label: str
    old: str
    new: str


@dataclass
class RowEntry:
    row: str
    label: str
    values: list[tuple[str, str]]


@dataclass
class TableDiff:
    key: str
    label: str
    title: str
    changed: list[CellChange] = field(default_factory=list)
    added: list[RowEntry] = field(default_factory=list)
    removed: list[RowEntry] = field(default_factory=list)
    totals: list[CellChange] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.changed or self.added or self.removed or self.totals)


@dataclass
class VersionDiff:
    sections: list[SectionDiff]
    tables: list[TableDiff]

    @property
    def is_empty(self) -> bool:
        return not self.sections and not self.tables

    @property
    def counts(self) -> dict[str, int]:
        return {
            "fields": sum(len(s.fields) for s in self.sections),
            "cells": sum(len(t.changed) + len(t.totals) for t in self.tables),
            "added": sum(len(t.added) for t in self.tables),
            "removed": sum(len(t.removed) for t in self.tables),
        }


# --- Text ---------------------------------------------------------------------------------------


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("\r\n", "\n").split("\n") if line.strip()]


def _words(old: str, new: str) -> list[Segment]:
    """Word by word. Words and the spaces between them are separate tokens, so a sentence appended
    after "đạt 70%." leaves "70%." unchanged; a space between two changed words joins the change, so
    the reader sees one deleted and one inserted phrase rather than a patchwork."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    chunks: list[list] = []  # [tag, old text, new text]; tag "equal" or "change"
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        kind = "equal" if tag == "equal" else "change"
        chunks.append([kind, "".join(a[i1:i2]), "".join(b[j1:j2])])
    merged: list[list] = []
    for index, chunk in enumerate(chunks):
        between = 0 < index < len(chunks) - 1 and chunks[index - 1][0] == chunks[index + 1][0] == "change"
        if chunk[0] == "equal" and between and not chunk[1].strip():
            chunk = ["change", chunk[1], chunk[2]]
        if merged and merged[-1][0] == chunk[0] == "change":
            merged[-1][1] += chunk[1]
            merged[-1][2] += chunk[2]
        else:
            merged.append(chunk)
    segments: list[Segment] = []
    for kind, removed, added in merged:
        if kind == "equal":
            segments.append(Segment("equal", removed))
            continue
        if removed:
            segments.append(Segment("delete", removed))
        if added:
            segments.append(Segment("insert", added))
    return segments


def text_diff(old: str, new: str) -> list[Paragraph]:
    """Paragraph by paragraph; a paragraph replaced by one other also gets a word-level diff."""
    a, b = _paragraphs(old), _paragraphs(new)
    result: list[Paragraph] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            result += [Paragraph("equal", old=p, new=p) for p in a[i1:i2]]
        elif tag == "delete":
            result += [Paragraph("delete", old=p) for p in a[i1:i2]]
        elif tag == "insert":
            result += [Paragraph("insert", new=p) for p in b[j1:j2]]
        else:
            olds, news = a[i1:i2], b[j1:j2]
            for index in range(max(len(olds), len(news))):
                o = olds[index] if index < len(olds) else ""
                n = news[index] if index < len(news) else ""
                if o and n:
                    result.append(Paragraph("replace", old=o, new=n, segments=_words(o, n)))
                else:
                    result.append(Paragraph("delete", old=o) if o else Paragraph("insert", new=n))
    return result


# --- Tables -------------------------------------------------------------------------------------


def _rows(content: dict, key: str) -> dict[str, dict]:
    return {r["key"]: r for r in ((content.get("tables") or {}).get(key) or {}).get("rows") or []}


def _totals(content: dict, key: str) -> dict[str, dict]:
    return {t["key"]: t.get("values") or {} for t in ((content.get("tables") or {}).get(key) or {}).get("totals") or []}


def _show(column: dict | None, value) -> str:
    if value is None:
        return ""
    return cells.display(column, value) if column else str(value)


def table_diff(table_view, old: dict, new: dict) -> TableDiff:
    table = table_view.table
    label_key = table.label_column["key"]
    before, after = _rows(old, table.key), _rows(new, table.key)

    def row_label(key: str, row: dict) -> str:
        fixed = table_view.fixed_rows.get(key) or table.row_index.get(key)
        if fixed is not None:
            return f"{fixed.number}. {fixed.label}" if fixed.number else fixed.label
        return str((row.get("values") or {}).get(label_key) or key)

    def entry(key: str, row: dict) -> RowEntry:
        values = row.get("values") or {}
        shown = [
            (c["label"], _show(c, values.get(c["key"]))) for c in table.columns if values.get(c["key"]) is not None
        ]
        return RowEntry(key, row_label(key, row), shown)

    result = TableDiff(table.key, table.label, table.title)
    for key, row in after.items():
        if key not in before:
            result.added.append(entry(key, row))
            continue
        old_values, new_values = before[key].get("values") or {}, row.get("values") or {}
        for column in table.columns:
            a, b = old_values.get(column["key"]), new_values.get(column["key"])
            if a != b:
                result.changed.append(
                    CellChange(
                        key, row_label(key, row), column["key"], column["label"], _show(column, a), _show(column, b)
                    )
                )
    result.removed = [entry(key, row) for key, row in before.items() if key not in after]
    old_totals, new_totals = _totals(old, table.key), _totals(new, table.key)
    labels = {t["key"]: t["label"] for t in table.totals}
    for total_key in list(dict.fromkeys([*old_totals, *new_totals])):
        a_values, b_values = old_totals.get(total_key, {}), new_totals.get(total_key, {})
        for column in table.columns:
            a, b = a_values.get(column["key"]), b_values.get(column["key"])
            if a != b:
                result.totals.append(
                    CellChange(
                        total_key,
                        labels.get(total_key, total_key),
                        column["key"],
                        column["label"],
                        _show(column, a),
                        _show(column, b),
                    )
                )
    return result


# --- Whole report -------------------------------------------------------------------------------


def diff_contents(view: UnitView, old: dict, new: dict) -> VersionDiff:
    """What changed from `old` to `new` (two contents of the same unit's report)."""
    sections: list[SectionDiff] = []
    old_sections, new_sections = old.get("sections") or {}, new.get("sections") or {}
    for section in view.sections():
        a = (old_sections.get(section.key) or {}).get("fields") or {}
        b = (new_sections.get(section.key) or {}).get("fields") or {}
        if a == b:
            continue
        fields = [
            FieldDiff(spec["key"], spec["label"], text_diff(a.get(spec["key"], ""), b.get(spec["key"], "")))
            for spec in section.fields
            if (a.get(spec["key"]) or "") != (b.get(spec["key"]) or "")
        ]
        if fields:
            sections.append(SectionDiff(section.key, section.heading, fields))
    tables = [t for t in (table_diff(tv, old, new) for tv in view.tables) if not t.is_empty]
    return VersionDiff(sections, tables)
