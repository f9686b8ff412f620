"""Loading catalogue data files into the database (idempotent upsert by code).

Each load writes one audit event: the codes created and every field changed (old → new).
"""

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.units.models import Unit

from .models import Service, Task, TaskSource
from .registry import read_catalogue_file


def _upsert(model, code: str, values: dict, created: list[str], changes: list[dict]) -> None:
    item = model.objects.filter(code=code).first()
    if item is None:
        model.objects.create(code=code, **values)
        created.append(code)
        return
    dirty = False
    for name, value in values.items():
        old = getattr(item, name)
        if old != value:
            changes.append({"place": f"{code}/{name}", "old": _plain(old), "new": _plain(value)})
            setattr(item, name, value)
            dirty = True
    if dirty:
        item.save()


def _plain(value):
    return value if value is None or isinstance(value, str | int | bool | list) else str(value)


def _record(what: str, created: list[str], changes: list[dict], actor) -> None:
    if created or changes:
        record(f"{what}.loaded", ("catalogue", what), actor=actor, changes=changes, created=created)


@transaction.atomic
def load_services(path=None, *, actor=None) -> int:
    items = read_catalogue_file("services", path)
    owners = {u.key: u for u in Unit.objects.filter(key__in={i.get("owner") for i in items if i.get("owner")})}
    created, changes = [], []
    for position, item in enumerate(items, start=1):
        owner_key = item.get("owner") or ""
        if owner_key and owner_key not in owners:
            raise ValueError(f"services.yaml, {item['code']}: đơn vị quản lý không tồn tại: {owner_key}")
        values = {
            "number": item.get("number", ""),
            "name": item["name"],
            "programme": item["programme"],
            "owner_id": owners[owner_key].pk if owner_key else None,
            "decision": item.get("decision", ""),
            "position": position,
            "active": True,
        }
        _upsert(Service, item["code"], values, created, changes)
    _record("services", created, changes, actor)
    return len(items)


@transaction.atomic
def load_r175_tasks(path=None, *, actor=None) -> int:
    items = read_catalogue_file("r175_tasks", path)
    created, changes = [], []
    for position, item in enumerate(items, start=1):
        values = {name: item.get(name, "") for name in ("group", "number", "title", "lead", "coordinating")}
        values.update({name: item.get(name, "") for name in ("documents", "due", "note")})
        values.update(
            lead_units=list(item.get("lead_units") or []), source=TaskSource.R175, position=position, active=True
        )
        _upsert(Task, item["code"], values, created, changes)
    _record("r175_tasks", created, changes, actor)
    return len(items)


def load_catalogues(*, actor=None) -> dict[str, int]:
    return {"services": load_services(actor=actor), "r175_tasks": load_r175_tasks(actor=actor)}
