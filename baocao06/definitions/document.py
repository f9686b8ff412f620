"""A definition as a *document*: the plain data a YAML file holds, and its canonical YAML text.

The engine's single source of truth stays `spec.py`: a document is checked by `spec_from_data`,
the same checks as `load_spec` / `check_definition`. The Secretariat's editor edits documents; a
published version is stored as the canonical YAML of its document, and `export_definition` writes
that same text, so export → load → export gives the same bytes.

Canonical means: the keys in the order of the format's models, values equal to the format's
defaults left out (`orientation: landscape`, `required: false` …), numbers as numbers, dates as
YAML dates. Comments of a hand-written file are not part of the content and are not exported (the
file as loaded stays in `Definition.source_text`).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import yaml

from .spec import Spec, SpecError, load_spec, spec_from_data

YAML_WIDTH = 110


def plain(value: Any, *, dates: bool = False) -> Any:
    """JSON-compatible data (YAML-compatible with `dates=True`: dates stay dates)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v, dates=dates) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, dates=dates) for v in value]
    if isinstance(value, enum.Enum):
        return plain(value.value, dates=dates)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(str(value))
    if isinstance(value, dt.date):
        return value if dates else value.isoformat()
    return value


def document_of(spec: Spec, *, dates: bool = False) -> dict:
    """The canonical document of a checked spec."""
    return plain(spec.model_dump(mode="python", exclude_defaults=True), dates=dates)


def spec_yaml(spec: Spec) -> str:
    """The canonical YAML text of a checked spec (what `export_definition` writes)."""
    return dump_yaml(document_of(spec, dates=True))


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block style, except short lists of plain values (`kinds: [province]`), as people write them."""


def _represent_list(dumper: _Dumper, data: list) -> yaml.Node:
    short = all(isinstance(v, str | int | float | bool) for v in data) and len(str(data)) <= 80
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=short)


_Dumper.add_representer(list, _represent_list)


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=YAML_WIDTH, default_flow_style=False
    )


def definition_spec(definition) -> Spec:
    """The checked spec of a stored version, read from the text it was loaded from (a JSONB column
    would have reordered the keys of audiences and fieldsets). Parsed once per process per version:
    a version never changes, so its checksum identifies it."""
    spec = _SPECS.get(definition.checksum)
    if spec is None:
        spec = _SPECS[definition.checksum] = load_spec(definition.source_text)
        while len(_SPECS) > 16:
            _SPECS.pop(next(iter(_SPECS)))
    return spec


_SPECS: dict[str, Spec] = {}


def definition_document(definition) -> dict:
    """The canonical document of a stored version (a new object each time: callers may change it)."""
    return document_of(definition_spec(definition))


def definition_yaml(definition) -> str:
    return spec_yaml(definition_spec(definition))


def check_document(document: Any, catalogues=None) -> tuple[Spec | None, list[tuple[str, str]]]:
    """The checked spec and no problems, or None and every problem with its place."""
    try:
        return spec_from_data(document, catalogues), []
    except SpecError as exc:
        return None, list(exc.problems)
