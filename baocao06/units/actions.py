"""Writes to units made by people (the Secretariat in the admin). Loads from data files are in
loading.py and audited there."""

from __future__ import annotations

from django.db import transaction

from baocao06.audit.actions import delete_audited, save_audited

from .models import Unit


@transaction.atomic
def do_save_unit(unit: Unit, *, actor) -> bool:
    """Create or change a unit; audited with old → new of every field. False when nothing changed."""
    return save_audited(unit, actor=actor)


@transaction.atomic
def do_delete_unit(unit: Unit, *, actor) -> None:
    """Delete a unit nothing refers to (reports, memberships and audit events protect it)."""
    delete_audited(unit, actor=actor)
