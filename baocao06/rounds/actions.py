"""Opening and closing rounds. Each action runs in a transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.catalogues.registry import items_from_database
from baocao06.core import clock
from baocao06.definitions.layout import layout_hash, resolve
from baocao06.definitions.models import Definition
from baocao06.definitions.spec import Spec
from baocao06.reports.models import Report
from baocao06.units.models import Unit

from .models import Round, RoundStatus


def units_to_assign(day: dt.date, kinds=(), keys=()):
    """Units valid on `day` that are of one of `kinds` or listed in `keys`."""
    qs = Unit.objects.valid_on(day)
    return qs.filter(kind__in=list(kinds)) | qs.filter(key__in=list(keys))


@transaction.atomic
def do_open_round(definition: Definition, *, units, actor, **fields) -> Round:
    """Open a round on a definition version: freeze its layout, create one report per unit."""
    spec = Spec.model_validate(definition.spec)
    layout = resolve(spec, items_from_database)
    fields.setdefault("opened_at", clock.now())
    round_ = Round.objects.create(
        definition=definition, layout=layout, layout_hash=layout_hash(layout), opened_by=actor, **fields
    )
    units = list(units)
    Report.objects.bulk_create([Report(round=round_, unit=unit) for unit in units])
    record(
        "round.opened",
        round_,
        actor=actor,
        definition=f"{definition.key} {definition.version}",
        units=len(units),
        deadline=round_.deadline.isoformat(),
    )
    return round_


@transaction.atomic
def do_assign_units(round_: Round, units, *, actor) -> int:
    """Add units to an open round (one report each); units already assigned are left alone."""
    assigned = set(round_.reports.values_list("unit_id", flat=True))
    new = [u for u in units if u.pk not in assigned]
    Report.objects.bulk_create([Report(round=round_, unit=u) for u in new])
    if new:
        record("round.units_assigned", round_, actor=actor, units=[u.key for u in new])
    return len(new)


@transaction.atomic
def do_close_round(round_: Round, *, actor) -> None:
    """Close a round: it accepts nothing more."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        return
    round_.status = RoundStatus.CLOSED
    round_.closed_at = clock.now()
    round_.save(update_fields=["status", "closed_at"])
    record("round.closed", round_, actor=actor, changes=[{"field": "status", "old": "open", "new": "closed"}])
