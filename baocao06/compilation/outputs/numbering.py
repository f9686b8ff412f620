"""How appendices are numbered in every national output: one rule, here only.

An appendix is "PHỤ LỤC <number>", where <number> is the table's `number` in the definition (unique
within a definition; `definitions` refuses two tables with one number). The DOCX headings and its
outline, the workbook's sheet titles, `national.json` (`appendices`), the chart captions and the text
that cites an appendix all call `heading` / `name`. A table's `printed_as` (the label the source
dispatch printed, e.g. 4709 printed its 25-services table as a second "PHỤ LỤC 02") is not a number:
national outputs do not use it; the unit's own workbook shows it as a note so units recognise the
dispatch's form (docs/national-format.md, "Appendix numbers").
"""

from __future__ import annotations


def number(key: str, layout=None, entry: dict | None = None) -> str:
    """The appendix's number: the national entry's `number`, else the layout table's, else the key."""
    table = layout.table_index.get(key) if layout is not None else None
    found = (entry or {}).get("number") or (table.number if table is not None else None)
    return str(found or key)


def heading(key: str, layout=None, entry: dict | None = None) -> str:
    """ "PHỤ LỤC 03" — the heading of the appendix in every output."""
    return f"PHỤ LỤC {number(key, layout, entry)}"


def name(key: str, layout=None, entry: dict | None = None) -> str:
    """ "Phụ lục 03" — the appendix as text refers to it."""
    return f"Phụ lục {number(key, layout, entry)}"


def listing(data: dict, layout, found) -> list[dict]:
    """`national.json`'s `appendices`: each appendix the outputs print, in order, with its number."""
    return [
        {"key": a.key, "number": number(a.key, layout, _entry(data, a.key)), "heading": a.heading, "title": a.title}
        for a in found
    ]


def _entry(data: dict, key: str) -> dict | None:
    return next((s for s in data.get("services") or [] if s.get("table") == key), None)
