"""Opening and closing rounds. Each action runs in a transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse

from baocao06.audit.actions import record
from baocao06.catalogues.registry import items_from_database
from baocao06.catalogues.task_records import carry_over_tasks
from baocao06.core import clock
from baocao06.core.templatetags.vn import vndate
from baocao06.definitions.layout import layout_hash, resolve
from baocao06.definitions.models import Definition
from baocao06.definitions.spec import Spec
from baocao06.reports.models import Report
from baocao06.units.models import Unit

from .models import Round, RoundStatus
from .succession import plan


class Refused(ValueError):
    """The round's state or the request does not allow this (the message says why, in Vietnamese)."""


def units_to_assign(day: dt.date, kinds=(), keys=()):
    """Units valid on `day` that are of one of `kinds` or listed in `keys`."""
    qs = Unit.objects.valid_on(day)
    return qs.filter(kind__in=list(kinds)) | qs.filter(key__in=list(keys))


@transaction.atomic
def do_open_round(definition: Definition, *, units, actor, **fields) -> Round:
    """Open a round on a definition version: freeze its layout, create one report per unit, and
    (with `previous=`) prefill each unit's task rows with its open tasks of the previous round."""
    units = list(units)
    layout, mapping = plan_units(definition, fields["data_to"], units, fields.get("previous"))
    fields.setdefault("opened_at", clock.now())
    round_ = Round.objects.create(
        definition=definition,
        layout=layout,
        layout_hash=layout_hash(layout),
        opened_by=actor,
        unit_mapping=mapping,
        **fields,
    )
    Report.objects.bulk_create([Report(round=round_, unit=unit) for unit in units])
    carried = carry_over_tasks(round_, round_.previous)
    record(
        "round.opened",
        round_,
        actor=actor,
        definition=f"{definition.key} {definition.version}",
        units=len(units),
        deadline=round_.deadline.isoformat(),
        previous=round_.previous_id,
        carried_over=carried,
        remaps=[f"{r['from']} → {r['to']}" for r in mapping["remaps"]],
        warnings=mapping["warnings"],
    )
    return round_


def plan_units(definition: Definition, day: dt.date, units, previous=None) -> tuple[dict, dict]:
    """The definition's layout with units that ended before `day` replaced by their successors, and
    the mapping ({remaps, warnings, tasks}) the opening screen and `open_round` show."""
    layout = resolve(Spec.model_validate(definition.spec), items_from_database)
    return plan(layout, day, units, previous)


@transaction.atomic
def do_assign_units(round_: Round, units, *, actor) -> int:
    """Add units to an open round (one report each); units already assigned are left alone. A level
    round takes only units under its owner."""
    assigned = set(round_.reports.values_list("unit_id", flat=True))
    new = [u for u in units if u.pk not in assigned]
    if round_.owner_id is not None:
        from .levels import subtree_ids

        allowed = subtree_ids([round_.owner_id], round_.reference_date)
        outside = [u.name for u in new if u.pk not in allowed]
        if outside:
            raise Refused(f"Không thuộc đơn vị tổ chức kỳ báo cáo: {', '.join(outside[:5])}.")
    Report.objects.bulk_create([Report(round=round_, unit=u) for u in new])
    if new:
        carried = carry_over_tasks(round_, round_.previous, units=new) if round_.previous_id else {}
        record("round.units_assigned", round_, actor=actor, units=[u.key for u in new], carried_over=carried)
    return len(new)


@transaction.atomic
def do_close_round(round_: Round, *, actor) -> None:
    """Close a round: it accepts nothing more."""
    round_ = Round.objects.select_for_update().defer("layout").get(pk=round_.pk)
    if round_.status == RoundStatus.CLOSED:
        return
    round_.status = RoundStatus.CLOSED
    round_.closed_at = clock.now()
    round_.save(update_fields=["status", "closed_at"])
    record("round.closed", round_, actor=actor, changes=[{"field": "status", "old": "open", "new": "closed"}])


@transaction.atomic
def do_grant_extension(report, *, until: dt.datetime | None, note: str = "", actor) -> None:
    """Give one unit a later deadline (or take it back with `until=None`).

    Lateness is judged against the unit's effective deadline, so a unit that already sent its report
    after the round's deadline but before the new one is no longer late.
    """
    from baocao06.notifications.actions import notify, unit_people
    from baocao06.notifications.models import NotificationKind

    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("round", "unit")
        .defer("round__layout")
        .get(pk=report.pk)
    )
    if locked.round.status != RoundStatus.OPEN:
        raise Refused("Kỳ báo cáo đã khóa, không gia hạn được.")
    if until is not None and until <= locked.round.deadline:
        raise Refused("Hạn gia hạn phải sau hạn chung của kỳ báo cáo.")
    old = locked.deadline_extended_to
    locked.deadline_extended_to = until
    locked.extension_note = (note or "").strip()[:500] if until else ""
    if locked.first_submitted_at is not None:
        locked.late = locked.first_submitted_at > locked.deadline
    locked.save(update_fields=["deadline_extended_to", "extension_note", "late"])
    what = f"được gia hạn đến {vndate(until)}" if until else "không còn được gia hạn"
    notify(
        unit_people([locked.unit_id], ["reporter", "approver"]),
        NotificationKind.EXTENSION,
        f"Báo cáo “{locked.round.title}” {what}",
        body=locked.extension_note or f"Hạn gửi của đơn vị: {vndate(locked.deadline)}.",
        url=reverse("reports:detail", args=[locked.pk]),
        report=locked,
    )
    record(
        "report.extension_granted" if until else "report.extension_withdrawn",
        locked,
        actor=actor,
        unit=locked.unit,
        changes=[
            {
                "place": "deadline_extended_to",
                "old": old.isoformat() if old else None,
                "new": until.isoformat() if until else None,
            }
        ],
        note=locked.extension_note,
    )


@transaction.atomic
def do_set_reminder_offsets(round_: Round, offsets: list[int], *, actor) -> None:
    """Change when a round's reminders go out (reminders already sent stay sent)."""
    round_ = Round.objects.select_for_update().defer("layout").get(pk=round_.pk)
    old = list(round_.reminder_offsets or [])
    round_.reminder_offsets = sorted(set(offsets))
    round_.save(update_fields=["reminder_offsets"])
    record(
        "round.reminders_set",
        round_,
        actor=actor,
        changes=[{"place": "reminder_offsets", "old": old, "new": round_.reminder_offsets}],
    )


@transaction.atomic
def do_set_round_settings(round_: Round, settings: dict, baseline: dict, *, actor) -> bool:
    """Change a round's compile settings and its 12/2023 baseline figures.

    Versions already submitted keep the values computed when they were sent; drafts and later
    submissions use the new figures. Returns whether anything changed.
    """
    from .settings import clean_settings

    settings = clean_settings(settings)
    round_ = Round.objects.select_for_update().defer("layout").get(pk=round_.pk)
    old_settings, old_baseline = dict(round_.compile_settings or {}), dict(round_.baseline or {})
    changes = [
        {"place": f"compile_settings.{name}", "old": old_settings.get(name), "new": value}
        for name, value in settings.items()
        if old_settings.get(name) != value
    ]
    changes += _baseline_changes(old_baseline, baseline)
    if not changes:
        return False
    round_.compile_settings, round_.baseline = settings, baseline
    round_.save(update_fields=["compile_settings", "baseline"])
    record("round.settings_set", round_, actor=actor, changes=changes)
    return True


def _baseline_changes(old: dict, new: dict) -> list[dict]:
    changes = []
    for table in sorted(set(old) | set(new)):
        rows_old, rows_new = old.get(table) or {}, new.get(table) or {}
        for row in sorted(set(rows_old) | set(rows_new)):
            for column in sorted(set(rows_old.get(row) or {}) | set(rows_new.get(row) or {})):
                before, after = (rows_old.get(row) or {}).get(column), (rows_new.get(row) or {}).get(column)
                if before != after:
                    changes.append({"place": f"baseline.{table}.{row}.{column}", "old": before, "new": after})
    return changes


@transaction.atomic
def do_set_document_settings(round_: Round, data: dict, *, actor) -> bool:
    """Change how the round's national report is issued (rounds/document.py): issuer, number, date,
    subject, addressees, "Nơi nhận", signer. Audited with each value's old → new. Returns whether
    anything changed; raises InvalidDocumentSettings for bad values (nothing stored)."""
    from .document import clean_document_settings

    cleaned = clean_document_settings(data)
    round_ = Round.objects.select_for_update().defer("layout").get(pk=round_.pk)
    old = dict(round_.document_settings or {})
    new = old | cleaned
    changes = [
        {"place": f"document_settings.{name}", "old": old.get(name), "new": new.get(name)}
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    ]
    if not changes:
        return False
    round_.document_settings = new
    round_.save(update_fields=["document_settings"])
    record("round.document_settings_set", round_, actor=actor, changes=changes)
    return True
