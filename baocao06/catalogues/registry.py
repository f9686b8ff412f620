"""Catalogues as row sources for report definitions.

Each catalogue has a data file in `data/catalogues/<name>.yaml` (loaded into the database by
`load_catalogues`) and a model; a definition's row group names a catalogue and a filter, and
the rows are taken from the database when a round is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from django.conf import settings

from baocao06.definitions.layout import CatalogueItem
from baocao06.definitions.spec import CatalogueRef

from .models import Service, Task, TaskSource


@dataclass(frozen=True)
class Catalogue:
    name: str
    fields: frozenset[str]
    audience_field: str
    label_field: str
    label: str = ""  # what the Secretariat's editor calls it


CATALOGUES = {
    "services": Catalogue(
        "services",
        frozenset({"code", "number", "name", "programme", "owner", "decision"}),
        "owner",
        "name",
        "Dịch vụ công (Đề án 06, Quyết định 422, Quyết định 206)",
    ),
    "r175_tasks": Catalogue(
        "r175_tasks",
        frozenset(
            {"code", "group", "number", "title", "lead", "lead_units", "coordinating", "documents", "due", "note"}
        ),
        "lead_units",
        "title",
        "Nhiệm vụ theo Nghị quyết 175/NQ-CP",
    ),
}


def catalogue_fields() -> dict[str, frozenset[str]]:
    return {name: c.fields for name, c in CATALOGUES.items()}


def _matches(fields: dict, filters: dict) -> bool:
    for name, wanted in filters.items():
        allowed = wanted if isinstance(wanted, list) else [wanted]
        if str(fields.get(name, "")) not in {str(a) for a in allowed}:
            return False
    return True


def _as_item(catalogue: Catalogue, fields: dict) -> CatalogueItem:
    audience = fields.get(catalogue.audience_field) or []
    if isinstance(audience, str):
        audience = [audience] if audience else []
    return CatalogueItem(
        key=fields["code"],
        label=fields[catalogue.label_field],
        number=fields.get("number") or None,
        audience=list(audience),
        fields={k: v for k, v in fields.items() if k in catalogue.fields},
    )


def _service_fields(service: Service) -> dict:
    return {
        "code": service.code,
        "number": service.number,
        "name": service.name,
        "programme": service.programme,
        "owner": service.owner.key if service.owner_id else "",
        "decision": service.decision,
    }


def _task_fields(task: Task) -> dict:
    return {
        "code": task.code,
        "group": task.group,
        "number": task.number,
        "title": task.title,
        "lead": task.lead,
        "lead_units": task.lead_units,
        "coordinating": task.coordinating,
        "documents": task.documents,
        "due": task.due,
        "note": task.note,
    }


def items_from_database(ref: CatalogueRef) -> list[CatalogueItem]:
    """Rows for a definition's catalogue reference, from the catalogues the Secretariat manages."""
    catalogue = CATALOGUES[ref.name]
    if ref.name == "services":
        records = [_service_fields(s) for s in Service.objects.filter(active=True).select_related("owner")]
    else:
        records = [_task_fields(t) for t in Task.objects.filter(active=True, source=TaskSource.R175)]
    return [_as_item(catalogue, f) for f in records if _matches(f, ref.filter)]


def catalogue_path(name: str) -> Path:
    return Path(settings.BAOCAO06_DATA_DIR) / "catalogues" / f"{name}.yaml"


def read_catalogue_file(name: str, path: Path | None = None) -> list[dict]:
    """The items of a catalogue data file, checked for unknown fields and duplicate codes."""
    catalogue = CATALOGUES[name]
    path = path or catalogue_path(name)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("catalogue") != name or not isinstance(data.get("items"), list):
        raise ValueError(f"{path.name}: phải có 'catalogue: {name}' và danh sách 'items'")
    seen: set[str] = set()
    for index, item in enumerate(data["items"], start=1):
        unknown = set(item) - catalogue.fields
        if unknown:
            raise ValueError(f"{path.name}, mục {index}: trường không hỗ trợ: {', '.join(sorted(unknown))}")
        if not item.get("code") or not item.get(catalogue.label_field):
            raise ValueError(f"{path.name}, mục {index}: thiếu code hoặc {catalogue.label_field}")
        if item["code"] in seen:
            raise ValueError(f"{path.name}, mục {index}: mã bị lặp: {item['code']}")
        seen.add(item["code"])
        for key, value in list(item.items()):
            if value is None:
                item[key] = [] if key == "lead_units" else ""
            elif key != "lead_units":
                item[key] = str(value).strip()
    return data["items"]


def items_from_files(ref: CatalogueRef) -> list[CatalogueItem]:
    """Rows straight from the data files (used to check a definition without a database)."""
    catalogue = CATALOGUES[ref.name]
    return [_as_item(catalogue, f) for f in read_catalogue_file(ref.name) if _matches(f, ref.filter)]
