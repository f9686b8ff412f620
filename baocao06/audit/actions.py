"""Writing audit events. Called from inside other actions' transactions, never on its own."""

from __future__ import annotations

from collections.abc import Iterable

from baocao06.core import clock
from baocao06.core.middleware import current_request_id

from .models import AuditEvent


def actor_label(actor) -> str:
    if actor is None:
        return "hệ thống"
    return getattr(actor, "audit_label", None) or actor.get_username()


def _event(action: str, obj, *, actor=None, unit=None, changes: Iterable[dict] = (), **data) -> AuditEvent:
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.model_name, obj.pk
    return AuditEvent(
        at=clock.now(),
        actor=actor if getattr(actor, "pk", None) and actor._meta.model_name == "user" else None,
        actor_label=actor_label(actor),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        unit=unit,
        changes=list(changes),
        data=data,
        request_id=current_request_id(),
    )


def record(action: str, obj, *, actor=None, unit=None, changes: Iterable[dict] = (), **data) -> AuditEvent:
    """Append one audit event for `obj` (a model instance, or a (type, id) pair)."""
    event = _event(action, obj, actor=actor, unit=unit, changes=changes, **data)
    event.save(force_insert=True)
    return event


def record_many(action: str, obj, entries: list[dict], *, actor=None, unit=None) -> list[AuditEvent]:
    """Append one event per entry (each a dict of `changes` and data), in one INSERT: the same rows as
    calling `record` for each, for an action that makes several audited changes at once."""
    events = [_event(action, obj, actor=actor, unit=unit, **entry) for entry in entries]
    return AuditEvent.objects.bulk_create(events)
