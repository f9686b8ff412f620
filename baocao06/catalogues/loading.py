"""Loading catalogue data files into the database (idempotent upsert by code)."""

from django.db import transaction

from baocao06.units.models import Unit

from .models import Service, Task, TaskSource
from .registry import read_catalogue_file


@transaction.atomic
def load_services(path=None) -> int:
    items = read_catalogue_file("services", path)
    owners = {u.key: u for u in Unit.objects.filter(key__in={i.get("owner") for i in items if i.get("owner")})}
    for position, item in enumerate(items, start=1):
        owner_key = item.get("owner") or ""
        if owner_key and owner_key not in owners:
            raise ValueError(f"services.yaml, {item['code']}: đơn vị quản lý không tồn tại: {owner_key}")
        Service.objects.update_or_create(
            code=item["code"],
            defaults={
                "number": item.get("number", ""),
                "name": item["name"],
                "programme": item["programme"],
                "owner": owners.get(owner_key),
                "decision": item.get("decision", ""),
                "position": position,
                "active": True,
            },
        )
    return len(items)


@transaction.atomic
def load_r175_tasks(path=None) -> int:
    items = read_catalogue_file("r175_tasks", path)
    for position, item in enumerate(items, start=1):
        task, _ = Task.objects.get_or_create(code=item["code"], defaults={"title": item["title"]})
        for name in ("group", "number", "title", "lead", "coordinating", "documents", "due", "note"):
            setattr(task, name, item.get(name, ""))
        task.lead_units = list(item.get("lead_units") or [])
        task.source = TaskSource.R175
        task.position = position
        task.active = True
        task.save()
    return len(items)


def load_catalogues() -> dict[str, int]:
    return {"services": load_services(), "r175_tasks": load_r175_tasks()}
