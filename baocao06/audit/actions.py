"""Writing audit events.

`record` is called from inside other actions' transactions, never on its own. `save_audited` and
`delete_audited` write a model's change with old → new of every field, for the areas' admin actions;
`do_save_object` / `do_delete_object` are the generic admin actions for models without one of their own.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from baocao06.core import clock, statements
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
    return statements.insert(event)  # the INSERT of save(force_insert=True), built once (see core.statements)


def record_many(action: str, obj, entries: list[dict], *, actor=None, unit=None) -> list[AuditEvent]:
    """Append one event per entry (each a dict of `changes` and data), in one INSERT: the same rows as
    calling `record` for each, for an action that makes several audited changes at once."""
    events = [_event(action, obj, actor=actor, unit=unit, **entry) for entry in entries]
    return AuditEvent.objects.bulk_create(events)


class Actor:
    """Someone an event names who acts without an account: an operator's command, a username typed
    at sign-in."""

    def __init__(self, label: str):
        self.audit_label = label[:150]


# Fields whose values never go into the audit log (a password hash is a secret too).
SECRET_FIELDS = {"password"}


def _field_values(obj) -> dict:
    values = {}
    for field in obj._meta.concrete_fields:
        if field.name in SECRET_FIELDS or field.primary_key:
            continue
        value = getattr(obj, field.attname)
        plain = isinstance(value, str | int | float | bool | list | dict | type(None))
        values[field.name] = value if plain else str(value)
    return values


def field_changes(before: dict, after: dict) -> list[dict]:
    return [
        {"place": name, "old": before.get(name), "new": after.get(name)}
        for name in after
        if before.get(name) != after.get(name)
    ]


def save_audited(obj, *, actor, unit=None, **data) -> bool:
    """Save `obj` and append `<model>.created` or `<model>.changed` with old → new of each field.

    Nothing is written when nothing changed. The caller's action holds the transaction.
    """
    model = type(obj)
    stored = model._default_manager.filter(pk=obj.pk).first() if obj.pk is not None else None
    before = _field_values(stored) if stored is not None else {}
    after = _field_values(obj)
    changes = field_changes(before, after)
    if stored is not None and not changes and not data:
        return False
    obj.save()
    verb = "changed" if stored is not None else "created"
    record(f"{model._meta.model_name}.{verb}", obj, actor=actor, unit=unit, changes=changes, **data)
    return True


def delete_audited(obj, *, actor, unit=None, **data) -> None:
    """Append `<model>.deleted` with the values the object had, then delete it."""
    before = _field_values(obj)
    record(
        f"{obj._meta.model_name}.deleted",
        (obj._meta.model_name, obj.pk),
        actor=actor,
        unit=unit,
        changes=field_changes(before, dict.fromkeys(before)),
        **data,
    )
    obj.delete()


def record_m2m(obj, name: str, before: list, after: list, *, actor) -> None:
    """A many-to-many field of `obj` changed (e.g. a user's groups)."""
    if sorted(before) != sorted(after):
        record(
            f"{obj._meta.model_name}.changed",
            obj,
            actor=actor,
            changes=[{"place": name, "old": sorted(before), "new": sorted(after)}],
        )


@transaction.atomic
def do_save_object(obj, *, actor) -> bool:
    """Save an object edited in the admin whose area has no action of its own; audited."""
    return save_audited(obj, actor=actor)


@transaction.atomic
def do_delete_object(obj, *, actor) -> None:
    """Delete an object in the admin whose area has no action of its own; audited."""
    delete_audited(obj, actor=actor)


def command_actor(command: str, username: str | None = None):
    """Who an operator's command acts as in the audit log: the account named with --user, or the
    command and the operating-system login that ran it."""
    import getpass

    from django.contrib.auth import get_user_model
    from django.core.management import CommandError

    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"Không có người dùng {username}.")
        return user
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "?"
    return Actor(f"lệnh {command} (tài khoản máy {login})")
