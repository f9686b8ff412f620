"""Drafting the national report over a snapshot (*Soạn báo cáo tổng hợp*): figures as live
references, the units' paragraphs of a section, and the suggested first draft of a section.

Everything here reads the national dict (docs/national-format.md) and the round's layout; nothing
names an appendix or a unit of one dispatch. Writes are in `drafting_actions.py`.

- **Figures** (`figures`): a flat catalogue `{key: Figure}` of what the snapshot states nationally:
  the units included/assigned, each national service table's total row (`<table>.<column>`), the
  tasks by result (`nhiem_vu.<result>`). The text refers to one as `{{so_lieu:KEY}}`; `render` prints
  the snapshot's value, so a draft moved to a newer snapshot prints the newer figures.
- **Paragraphs** (`section_paragraphs`): the units' texts of a section, filterable by unit kind and
  unit and searchable without diacritics (`fold`).
- **Suggestion** (`suggest`): the figures the section cites, then what several units report alike
  grouped ("3 tỉnh, thành phố nêu: …", the units named in `Group.names` for the page's title
  attribute), most frequent first. It is never kept unless a person takes it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from baocao06.core.vietnamese import format_number

from .outputs.summaries import section_summaries

TOKEN = re.compile(r"\{\{\s*so_lieu:([A-Za-z0-9_.\-~]+)\s*\}\}")
GROUP_NOUNS = {
    "ministries": "bộ, ngành",
    "central": "cơ quan trung ương",
    "corporations": "tập đoàn, tổng công ty",
    "provinces": "tỉnh, thành phố",
    "communes": "xã, phường, đặc khu",
}
KIND_NAMES = {
    "ministries": "Bộ, ngành",
    "central": "Cơ quan trung ương",
    "corporations": "Tập đoàn, tổng công ty",
    "provinces": "Tỉnh, thành phố",
    "communes": "Xã, phường, đặc khu",
}
SIMILAR = 0.45  # Jaccard similarity of word sets above which two paragraphs say the same thing
MAX_GROUPS = 6
EXCERPT = 400


def fold(text: str) -> str:
    """Lower case without diacritics ("Đà Nẵng" → "da nang"), for searching."""
    text = unicodedata.normalize("NFD", str(text or "").replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).lower()


# --- Figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: object
    kind: str = "integer"  # integer, money, percent

    @property
    def printed(self) -> str:
        if self.value is None:
            return "—"
        if self.kind == "percent":
            return f"{format_number(self.value, 2)} %"
        return format_number(self.value, 0)


def figures(data: dict) -> dict[str, Figure]:
    """The snapshot's national figures a text can refer to, by key (see the module's docstring)."""
    found: dict[str, Figure] = {}
    completeness = data.get("completeness") or {}
    for key, label, value in (
        ("don_vi.tong_hop", "Số đơn vị được tổng hợp", completeness.get("included")),
        ("don_vi.duoc_giao", "Số đơn vị được giao báo cáo", completeness.get("assigned")),
        ("don_vi.chua_tong_hop", "Số đơn vị chưa được tổng hợp", len(completeness.get("not_included") or [])),
    ):
        if value is not None:
            found[key] = Figure(key, label, value)
    for service in data.get("services") or []:
        table = service["table"]
        name = (service.get("printed_as") or service.get("title") or table).strip()
        columns = {c["key"]: c for c in service.get("columns") or []}
        values = (service.get("total") or {}).get("values") or {}
        # In the table's column order: the stored dict's key order is not kept by PostgreSQL's jsonb.
        for column in [k for k in columns if k in values] + sorted(k for k in values if k not in columns):
            value = values[column]
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            info = columns.get(column) or {}
            kind = info.get("type") if info.get("type") in {"percent", "money"} else "integer"
            key = f"{table}.{column}"
            found[key] = Figure(key, f"{name} — {info.get('label') or column} (toàn quốc)", value, kind)
    tasks = data.get("tasks") or {}
    national = tasks.get("national") or {}
    if national:
        found["nhiem_vu.tong"] = Figure("nhiem_vu.tong", "Tổng số nhiệm vụ", national.get("rows") or 0)
        for result in tasks.get("results") or []:
            key = f"nhiem_vu.{result['value']}"
            count = (national.get("by_result") or {}).get(result["value"], 0)
            found[key] = Figure(key, f"Nhiệm vụ: {result['label']}", count)
    return found


def render(text: str, catalogue: dict[str, Figure]) -> str:
    """The text with each `{{so_lieu:KEY}}` replaced by the snapshot's value (an unknown key is
    printed as such, so it cannot pass unnoticed)."""

    def value(match: re.Match) -> str:
        figure = catalogue.get(match.group(1))
        return figure.printed if figure else f"[không có số liệu {match.group(1)}]"

    return TOKEN.sub(value, text or "")


def references(text: str) -> list[str]:
    return list(dict.fromkeys(TOKEN.findall(text or "")))


def unknown_references(text: str, catalogue: dict[str, Figure]) -> list[str]:
    return [key for key in references(text) if key not in catalogue]


def changed_figures(texts, old: dict[str, Figure], new: dict[str, Figure]) -> list[dict]:
    """The figures the texts refer to whose printed value differs between two snapshots."""
    keys = dict.fromkeys(key for text in texts for key in references(text))
    changes = []
    for key in keys:
        before, after = old.get(key), new.get(key)
        printed = (before.printed if before else None, after.printed if after else None)
        if printed[0] != printed[1]:
            label = (after or before).label
            changes.append({"key": key, "label": label, "old": printed[0], "new": printed[1]})
    return changes


# --- The units' paragraphs --------------------------------------------------------------------


@dataclass
class UnitParagraph:
    key: str
    name: str
    group: str
    text: str
    field_label: str = ""

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.group, self.group)


def unit_groups(data: dict) -> dict[str, str]:
    groups = {}
    for unit in data.get("units") or []:
        groups[unit["key"]] = "communes" if unit.get("kind") == "commune" else (unit.get("group") or "")
    return groups


def section_paragraphs(data: dict, key: str, *, kind: str = "", unit: str = "", query: str = ""):
    """The units' paragraphs of section `key`, in the snapshot's order, filtered by unit group
    (`kind`), unit key and a search without diacritics."""
    section = next((s for s in data.get("narrative") or [] if s["key"] == key), None)
    if section is None:
        return []
    groups = unit_groups(data)
    needle = fold(query).strip()
    found = []
    for item in section.get("paragraphs") or []:
        text = str(item.get("text") or "").strip()
        if not text:
            continue
        paragraph = UnitParagraph(
            item["key"],
            item.get("name") or item["key"],
            groups.get(item["key"], ""),
            text,
            item.get("field_label") or "",
        )
        if kind and paragraph.group != kind:
            continue
        if unit and paragraph.key != unit:
            continue
        if needle and needle not in fold(paragraph.name + " " + text):
            continue
        found.append(paragraph)
    return found


# --- The suggestion ---------------------------------------------------------------------------


@dataclass
class Group:
    text: str  # the representative paragraph, cut to EXCERPT characters
    units: list[UnitParagraph] = field(default_factory=list)

    @property
    def names(self) -> str:
        return ", ".join(p.name for p in self.units)

    @property
    def who(self) -> str:
        """ "3 tỉnh, thành phố và 1 bộ, ngành" — counted per unit group."""
        counts: dict[str, int] = {}
        for paragraph in self.units:
            counts[paragraph.group] = counts.get(paragraph.group, 0) + 1
        parts = [f"{format_number(n)} {GROUP_NOUNS.get(g, 'đơn vị')}" for g, n in counts.items()]
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]


@dataclass
class Suggestion:
    figures: list[str]  # sentences stating the figures (with live references where the figure has one)
    groups: list[Group]  # what several units report alike, most frequent first
    singles: list[Group]  # a few paragraphs only one unit reports, when few groups exist

    @property
    def text(self) -> str:
        lines = list(self.figures)
        if self.groups:
            lines.append("Nội dung được nhiều đơn vị nêu nhất:")
            lines += [f"- {g.who} nêu: {g.text}" for g in self.groups]
        for single in self.singles:
            lines.append(f"- {single.units[0].name}: {single.text}")
        return "\n".join(lines)

    @property
    def empty(self) -> bool:
        return not (self.figures or self.groups or self.singles)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"\w+", fold(text)) if len(w) > 2)


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT:
        return text
    cut = text[:EXCERPT].rsplit(" ", 1)[0]
    return cut + " …"


def group_paragraphs(paragraphs: list[UnitParagraph]) -> list[Group]:
    """Greedy grouping by word-set similarity: each paragraph joins the first group whose
    representative it resembles (Jaccard ≥ SIMILAR), else starts one. Largest groups first."""
    groups: list[tuple[frozenset[str], Group]] = []
    for paragraph in paragraphs:
        words = _words(paragraph.text)
        for seed, group in groups:
            union = len(seed | words)
            if union and len(seed & words) / union >= SIMILAR:
                group.units.append(paragraph)
                break
        else:
            groups.append((words, Group(_excerpt(paragraph.text), [paragraph])))
    ordered = [g for _, g in groups]
    ordered.sort(key=lambda g: -len(g.units))
    return ordered


def _figure_sentences(data: dict, layout, key: str, catalogue: dict[str, Figure]) -> list[str]:
    """The figures the section cites: each national service table attached to it stated with live
    references, then the compiled summaries of its other tables (docx's summaries, as text)."""
    sentences = []
    services = [s for s in data.get("services") or [] if _section_of(layout, s["table"]) == key]
    for service in services:
        table = service["table"]
        name = (service.get("printed_as") or table).strip()
        parts = [
            f"{figure.label.split(' — ', 1)[1].removesuffix(' (toàn quốc)').lower()} {{{{so_lieu:{figure.key}}}}}"
            for figure in catalogue.values()
            if figure.key.startswith(f"{table}.")
        ]
        if parts:
            sentences.append(f"Theo {name[:1].lower() + name[1:]}, toàn quốc: " + "; ".join(parts) + ".")
    summary = section_summaries(data, layout).get(key)
    if summary:
        # The service tables' own summary sentences ("Theo Phụ lục …") are replaced by the live ones.
        sentences += [t for t in summary.paragraphs if not (services and t.startswith("Theo "))]
    return sentences


def _section_of(layout, key: str) -> str | None:
    from .outputs.summaries import _section_of as section_of

    return section_of(layout, key)


def suggest(data: dict, layout, key: str) -> Suggestion:
    """The suggested first draft of section `key` (never stored unless a person takes it)."""
    catalogue = figures(data)
    groups = group_paragraphs(section_paragraphs(data, key))
    shared = [g for g in groups if len(g.units) > 1][:MAX_GROUPS]
    singles = [g for g in groups if len(g.units) == 1][: max(0, 3 - len(shared))]
    return Suggestion(_figure_sentences(data, layout, key, catalogue), shared, singles)
