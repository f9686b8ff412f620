"""Checking and storing definition files; describing them for `check_definition`."""

from __future__ import annotations

import hashlib

from django.db import transaction

from baocao06.catalogues.registry import catalogue_fields

from .layout import ItemsFor, resolve
from .models import Definition
from .spec import Spec, SpecError, load_spec


def check_text(text: str) -> Spec:
    """The checked spec of a definition file's text (raises SpecError listing every problem)."""
    return load_spec(text, catalogues=catalogue_fields())


@transaction.atomic
def store_definition(text: str, user=None) -> tuple[Definition, bool]:
    """Store a definition version; the same content again is a no-op, other content under an
    existing (key, version) is refused — versions are immutable."""
    spec = check_text(text)
    checksum = hashlib.sha256(text.encode()).hexdigest()
    existing = Definition.objects.filter(key=spec.key, version=spec.version).first()
    if existing:
        # The same content written differently (the canonical export of a commented file) is the same version.
        if existing.checksum != checksum and Spec.model_validate(existing.spec) != spec:
            raise SpecError(
                [("version", f"phiên bản {spec.key} {spec.version} đã có với nội dung khác; hãy đặt phiên bản mới")]
            )
        return existing, False
    definition = Definition.objects.create(
        key=spec.key,
        version=spec.version,
        title=spec.title,
        source_text=text,
        spec=spec.model_dump(mode="json"),
        checksum=checksum,
        loaded_by=user,
    )
    return definition, True


def describe(spec: Spec, items_for: ItemsFor) -> dict:
    """The structure of a definition as documented JSON (docs/definition-format.md#check_definition)."""
    layout = resolve(spec, items_for)
    sections = []

    def walk(section_spec, section_layout, parent, inherited):
        written = section_spec.audience
        sections.append(
            {
                "key": section_spec.key,
                "number": section_spec.number,
                "title": section_spec.title,
                "parent": parent,
                "audience": written if written is not None else inherited,
                "audience_inherited": written is None,
                "addressees": _addressees(section_layout["audience"]),
                "fields": [
                    {"key": f["key"], "label": f["label"], "required": f["required"]} for f in section_layout["fields"]
                ],
                "tables": section_spec.tables,
                "summary": section_layout["summary"],
            }
        )
        for child_spec, child_layout in zip(section_spec.children, section_layout["children"], strict=True):
            walk(child_spec, child_layout, section_spec.key, written if written is not None else inherited)

    for section_spec, section_layout in zip(spec.outline, layout["sections"], strict=True):
        walk(section_spec, section_layout, None, None)

    appendices = []
    for table_spec, table_layout in zip(spec.appendices, layout["tables"], strict=True):
        appendices.append(
            {
                "key": table_spec.key,
                "number": table_spec.number,
                "printed_as": table_spec.printed_as,
                "printed": table_spec.printed,
                "title": table_spec.title,
                "section": table_spec.section,
                "orientation": table_spec.orientation,
                "audience": table_spec.audience,
                "addressees": _addressees(table_layout["audience"]),
                "columns": [
                    {
                        k: v
                        for k, v in c.model_dump(mode="json").items()
                        if v not in (None, [], False) or k == "required"
                    }
                    for c in table_spec.columns
                ],
                "header": [h.model_dump(mode="json") for h in table_spec.header],
                "row_groups": [
                    {
                        "key": g_spec.key,
                        "number": g_spec.number,
                        "title": g_spec.title,
                        "audience": g_spec.audience,
                        "row_audience": g_spec.row_audience,
                        "catalogue": g_spec.catalogue.model_dump(mode="json") if g_spec.catalogue else None,
                        "free_rows": g_spec.free_rows,
                        "rows": [
                            {"key": r["key"], "number": r["number"], "label": r["label"], "heading": r["heading"]}
                            for r in g_layout["rows"]
                        ],
                    }
                    for g_spec, g_layout in zip(table_spec.row_groups, table_layout["row_groups"], strict=True)
                ],
                "totals": [t.model_dump(mode="json") for t in table_spec.totals],
                "rules": [r.model_dump(mode="json", exclude_none=True) for r in table_spec.rules],
            }
        )
    return {
        "ok": True,
        "key": spec.key,
        "version": spec.version,
        "title": spec.title,
        "source": spec.source.model_dump(mode="json"),
        "audiences": {name: a.model_dump(mode="json") for name, a in spec.audiences.items()},
        "fieldsets": {name: [f.model_dump(mode="json") for f in items] for name, items in spec.fieldsets.items()},
        "sections": sections,
        "appendices": appendices,
    }


def _addressees(tokens: list[str] | None) -> dict:
    if tokens is None:
        return {"everybody": True, "kinds": [], "units": []}
    return {
        "everybody": False,
        "kinds": [t.split(":", 1)[1] for t in tokens if t.startswith("kind:")],
        "units": [t.split(":", 1)[1] for t in tokens if t.startswith("unit:")],
    }
