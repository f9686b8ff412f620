"""Preview of a definition as one unit: what it would fill, in the form and as its workbook.

The definition (a draft's document once it is valid, or a published version) is resolved with the
catalogues as they are now and the units of today, exactly as opening a round would (`layout.resolve`,
`rounds.succession.remap_layout`), and shown to one
unit through the report page's own templates and presenters, and the report workbook's writer. What
is typed in the preview is checked by the same validation engine and never saved anywhere: there is
no round, no report, and nothing is written to the database.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from baocao06.catalogues.registry import items_from_database
from baocao06.definitions.spec import FORMULA_SETTINGS, Spec
from baocao06.reports import presenters
from baocao06.rounds.settings import DEFAULTS

from .layout import Layout, layout_hash, resolve
from .validation import clean_section, clean_table


def preview_layout(spec: Spec, day: dt.date) -> Layout:
    """The layout a round with cut-off `day` would freeze: units that ended before it are read as their
    successors (rounds/succession.py), so a unit of today sees what a dissolved unit was asked."""
    from baocao06.rounds.succession import SuccessionMap, remap_layout

    layout, _, _ = remap_layout(resolve(spec, items_from_database), SuccessionMap(day))
    return Layout(layout)


def engine_context() -> dict:
    """A preview has no round: default settings (Circular 02/2017 figures) and no baseline."""
    return {"baseline": None, "settings": {k: DEFAULTS[k] for k in FORMULA_SETTINGS}}


def page_context(layout: Layout, unit, check_url: str) -> dict:
    """Context for the report page's section and table templates, as `unit` would see a new report."""
    view = layout.view_for(unit)
    context = engine_context()
    sections = []
    for section in view.sections():
        form = presenters.section_form(view, section, None) if view.is_part(section.key) else None
        sections.append(
            {
                "section": section,
                "form": form,
                "errors": {},
                "summary": presenters.summary_for(view, section, {}, context),
                "part": None,
                "tables": [view.table_index[t] for t in section.tables if t in view.table_index],
                "comments": {},
            }
        )
    results = {t.key: clean_table(t, None, **context) for t in view.tables}
    tables = [{"grid": presenters.table_grid(t, results[t.key]), "part": None, "comments": []} for t in view.tables]
    presenters.attach_comparisons([t["grid"] for t in tables], results)
    return {
        "view": view,
        "sections": sections,
        "tables": tables,
        "can_edit": True,
        "preview_check_url": check_url,
        "parts": len(view.part_keys),
    }


def check_part(layout: Layout, unit, key: str, data) -> dict | None:
    """What the report page's autosave answers, computed for a typed part that is never stored:
    problems at their cells, computed cells, totals and section counts. None: no such part."""
    view = layout.view_for(unit)
    if not view.is_part(key):
        return None
    context = engine_context()
    body = {"revision": 0, "saved_at": timezone.localtime().strftime("%H:%M:%S"), "changed": False}
    if key in view.table_index:
        result = clean_table(view.table_index[key], data, **context)
        body["problems"] = [p.as_dict() for p in result.problems]
        body.update(presenters.computed_payload(result))
        body["summaries"] = {
            s.key: presenters.summary_for(view, s, {key: data}, context)
            for s in view.sections()
            if s.summary and s.summary["table"] == key
        }
    else:
        _, problems = clean_section(layout.section_index[key], data)
        body["problems"] = [p.as_dict() for p in problems]
    return body


def workbook(layout: Layout, unit, title: str) -> bytes:
    """The workbook the unit would download for a new report on this definition."""
    from baocao06.reports.models import Report
    from baocao06.rounds.models import Round
    from baocao06.workbooks.export import WorkbookWriter

    # Unsaved stand-ins: the writer reads titles and dates from them; nothing is stored.
    round_ = Round(
        id=0,
        title=f"Xem trước: {title}",
        layout=layout.data,
        layout_hash=layout_hash(layout.data),
        deadline=None,
        data_from=dt.date.today(),
        data_to=dt.date.today(),
    )
    report = Report(round=round_, unit=unit)
    return WorkbookWriter(report, view=layout.view_for(unit), context=engine_context(), parts={}).build()


def workbook_filename(key: str, version: str, unit_key: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "", f"xem-truoc-{key}-{version}-{unit_key}")
    return f"{safe}.xlsx"
