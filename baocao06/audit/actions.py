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


def record(action: str, obj, *, actor=None, unit=None, changes: Iterable[dict] = (), **data) -> AuditEvent:
    """Append one audit event for `obj` (a model instance, or a (type, id) pair)."""
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.model_name, obj.pk
    return AuditEvent.objects.create(
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
