"""Level rounds (kỳ báo cáo cấp tỉnh): a province or ministry gathers the reports of the units under it.

The Secretariat cascades a national round when it opens it (one level round per province that is
assigned), or a province (a ministry) opens its own. A level round has the national round's frozen
layout, so its reports have the same sections, tables, rows and columns, and what addresses a commune or
a department is decided by the definition's audiences (`kinds: [commune]`, `kinds: [department]`). Its
deadline comes before the national one, so the province has time to review and consolidate.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.core import clock
from baocao06.reports.models import Report
from baocao06.units.kinds import LOWER_KINDS, UnitKind
from baocao06.units.models import Unit

from .actions import Refused
from .models import Round

# Organisers of level rounds: provinces (communes, departments) and central bodies (their agencies).
OWNER_KINDS = frozenset(
    {
        UnitKind.PROVINCE,
        UnitKind.MINISTRY,
        UnitKind.MINISTRY_AGENCY,
        UnitKind.GOVERNMENT_AGENCY,
        UnitKind.CENTRAL_OTHER,
    }
)
MAX_DEPTH = 3


def subtree_ids(owner_ids, day: dt.date | None = None) -> set[int]:
    """Units under `owner_ids` (children, their children …; one query per level), valid on `day`."""
    found: set[int] = set()
    frontier = set(owner_ids)
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        qs = Unit.objects.filter(parent_id__in=frontier)
        if day is not None:
            qs = qs.valid_on(day)
        frontier = set(qs.values_list("pk", flat=True)) - found
        found |= frontier
    return found


def addressed_units(round_: Round, owner: Unit) -> list[Unit]:
    """The lower units under `owner` valid at the round's cut-off that the layout asks something of."""
    layout = round_.get_layout()
    units = Unit.objects.filter(pk__in=subtree_ids([owner.pk], round_.reference_date), kind__in=list(LOWER_KINDS))
    return [u for u in units.in_report_order() if _asks_anything(layout.view_for(u))]


def _asks_anything(view) -> bool:
    return bool(view.section_keys or view.tables)


def _check_owner(owner: Unit) -> None:
    if owner.kind not in OWNER_KINDS:
        raise Refused(f"{owner.name} không phải tỉnh, thành phố hay bộ, ngành: không mở được kỳ báo cáo cấp dưới.")


@transaction.atomic
def do_open_level_round(
    owner: Unit, *, parent: Round, deadline: dt.datetime, actor, units=None, title: str = ""
) -> Round:
    """Open `owner`'s level round under the national round `parent`: the same frozen layout and data
    window, a deadline before the national one, one report per lower unit the layout addresses (or per
    unit of `units`, which must be under `owner`)."""
    parent = Round.objects.select_for_update().get(pk=parent.pk)
    _check_owner(owner)
    if parent.owner_id is not None:
        raise Refused("Kỳ báo cáo cấp tỉnh không mở tiếp kỳ cấp dưới.")
    if not parent.is_open:
        raise Refused("Kỳ báo cáo đã khóa, không mở được kỳ báo cáo cấp dưới.")
    if deadline >= parent.deadline:
        raise Refused("Hạn gửi của kỳ cấp tỉnh phải trước hạn gửi báo cáo lên Tổ công tác.")
    if Round.objects.filter(parent=parent, owner=owner).exists():
        raise Refused(f"{owner.name} đã có kỳ báo cáo cấp tỉnh trong kỳ này.")
    round_ = Round.objects.create(
        title=title or f"{parent.title} — cấp tỉnh: {owner.name}",
        definition_id=parent.definition_id,
        layout=parent.layout,
        layout_hash=parent.layout_hash,
        period_kind=parent.period_kind,
        year=parent.year,
        data_from=parent.data_from,
        data_to=parent.data_to,
        deadline=deadline,
        dispatch_number=parent.dispatch_number,
        dispatch_date=parent.dispatch_date,
        opened_at=clock.now(),
        opened_by=actor,
        reminder_offsets=list(parent.reminder_offsets or []),
        compile_settings=dict(parent.compile_settings or {}),
        baseline=dict(parent.baseline or {}),
        parent=parent,
        owner=owner,
    )
    if units is None:
        chosen = addressed_units(round_, owner)
    else:
        chosen = list(units)
        allowed = subtree_ids([owner.pk], round_.reference_date)
        outside = [u.name for u in chosen if u.pk not in allowed]
        if outside:
            raise Refused(f"Không thuộc {owner.name}: {', '.join(outside[:5])}.")
    Report.objects.bulk_create([Report(round=round_, unit=u) for u in chosen])
    record(
        "round.level_opened",
        round_,
        actor=actor,
        unit=owner,
        parent=parent.pk,
        units=len(chosen),
        deadline=deadline.isoformat(),
    )
    return round_


@transaction.atomic
def do_cascade_round(parent: Round, *, deadline: dt.datetime, actor, owners=None) -> list[Round]:
    """The Secretariat's cascade: a level round for every province assigned to `parent` (or every unit
    of `owners`) that has lower units addressed and no level round yet."""
    if owners is None:
        owners = Unit.objects.filter(reports__round=parent, kind=UnitKind.PROVINCE).in_report_order()
    existing = set(Round.objects.filter(parent=parent).values_list("owner_id", flat=True))
    opened = []
    for owner in owners:
        if owner.pk in existing:
            continue
        if not addressed_units(parent, owner):
            continue
        opened.append(do_open_level_round(owner, parent=parent, deadline=deadline, actor=actor))
    record("round.cascaded", parent, actor=actor, level_rounds=[r.pk for r in opened], deadline=deadline.isoformat())
    return opened
