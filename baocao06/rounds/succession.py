"""Units across reorganisations: which unit of a round's date answers for a unit that no longer exists.

A definition (and a catalogue) may name units by key — `unit:BTTTT` in an audience, a Resolution 175
task led by `P02`. When a round opens on a date when such a unit has ended (the 2025 merger), the
frozen layout names its successor instead (`Unit.current_successor`), and the round keeps the list
of every remap and of everything left addressed to no one, for the opening screen, `open_round` and
the board. Carried-over tasks and comparisons across rounds use the same map (`SuccessionMap`).

A unit has one `successor` (the unit that takes over its reporting); a unit whose work was split is
mapped to the one named in data/units, and the split is told in its notes.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable

from baocao06.units.models import Unit

UNIT_PREFIX = "unit:"
KIND_PREFIX = "kind:"


class SuccessionMap:
    """Every unit with its successor chain resolved for one day, in memory (one query)."""

    def __init__(self, day: dt.date):
        self.day = day
        fields = ("pk", "key", "name", "full_name", "kind", "valid_from", "valid_to", "successor_id")
        self.by_pk: dict[int, Unit] = {u.pk: u for u in Unit.objects.only(*fields)}
        self.by_key: dict[str, Unit] = {u.key: u for u in self.by_pk.values()}

    def target(self, unit: Unit) -> Unit | None:
        """The unit valid on the day that answers for `unit` (itself when valid), or None."""
        seen: set[int] = set()
        while not unit.is_valid_on(self.day):
            if not unit.successor_id or unit.pk in seen or unit.successor_id not in self.by_pk:
                return None
            seen.add(unit.pk)
            unit = self.by_pk[unit.successor_id]
        return unit

    def target_pk(self, pk: int) -> int | None:
        unit = self.by_pk.get(pk)
        found = self.target(unit) if unit else None
        return found.pk if found else None

    def predecessors(self, unit: Unit) -> list[Unit]:
        """Units no longer valid on the day that map onto `unit` (not `unit` itself)."""
        ended = [u for u in self.by_pk.values() if u.pk != unit.pk and not u.is_valid_on(self.day)]
        return [u for u in ended if self.target(u) == unit]


def _short(text, width: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _audiences(layout: dict) -> Iterable[tuple[str, dict]]:
    """(place, node) for every node of a frozen layout that has an `audience` list; places read
    "Mục II.3.3.2: Bộ Thông tin…", "Phụ lục 02, nhóm II", "Phụ lục 02, dòng 22 (Bố trí kinh phí…)"."""

    def sections(items):
        for section in items:
            yield f"Mục {section.get('key')}: {_short(section.get('title'))}", section
            yield from sections(section.get("children") or [])

    yield from sections(layout.get("sections") or [])
    for table in layout.get("tables") or []:
        table_place = f"Phụ lục {table.get('number') or table.get('key')}"
        yield table_place, table
        for group in table.get("row_groups") or []:
            yield f"{table_place}, nhóm {group.get('number') or group.get('key')}", group
            for row in group.get("rows") or []:
                number = row.get("number") or row.get("key")
                yield f"{table_place}, dòng {number} ({_short(row.get('label'), 50)})", row


def remap_layout(layout: dict, successions: SuccessionMap) -> tuple[dict, list[dict], list[str]]:
    """A copy of `layout` whose unit tokens name units valid on the map's day; the remaps made
    ({from, from_name, to, to_name, places}) and warnings (units that reach no one)."""
    layout = copy.deepcopy(layout)
    remaps: dict[str, dict] = {}
    warnings: dict[str, list[str]] = {}

    def fix(tokens: list[str] | None, place: str) -> list[str] | None:
        if tokens is None:
            return None
        result = []
        for token in tokens:
            if not token.startswith(UNIT_PREFIX):
                result.append(token)
                continue
            key = token[len(UNIT_PREFIX) :]
            unit = successions.by_key.get(key)
            if unit is None:
                warnings.setdefault(f"Không có đơn vị mã {key}", []).append(place)
                continue
            target = successions.target(unit)
            if target is None:
                warnings.setdefault(
                    f"{unit.display_name} ({key}) không còn hiệu lực và không có đơn vị kế thừa", []
                ).append(place)
                continue
            if target.pk != unit.pk:
                entry = remaps.setdefault(
                    key,
                    {"from": key, "from_name": unit.display_name, "to": target.key, "to_name": target.display_name,
                     "places": []},
                )  # fmt: skip
                entry["places"].append(place)
            result.append(UNIT_PREFIX + target.key)
        return list(dict.fromkeys(result))

    for place, node in _audiences(layout):
        node["audience"] = fix(node.get("audience"), place)
    for name, audience in (layout.get("audiences") or {}).items():
        audience["tokens"] = fix(audience.get("tokens"), f"Nhóm đơn vị “{audience.get('label') or name}”")
    messages = [f"{what}: {_places(places)}" for what, places in warnings.items()]
    return layout, sorted(remaps.values(), key=lambda r: r["from"]), messages


def _places(places: list[str], shown: int = 5) -> str:
    text = "; ".join(places[:shown])
    return f"{text} và {len(places) - shown} chỗ khác" if len(places) > shown else text


def unaddressed(layout: dict, units: Iterable[Unit]) -> list[str]:
    """Places of a layout whose audience reaches none of the round's units (one warning per place,
    rows of one group gathered)."""
    keys, kinds = set(), set()
    for unit in units:
        keys.add(UNIT_PREFIX + unit.key)
        kinds.add(KIND_PREFIX + unit.kind)
    reached = keys | kinds
    lonely: list[str] = []
    for place, node in _audiences(layout):
        audience = node.get("audience")
        if audience is None or node.get("heading"):
            continue
        if not reached.intersection(audience):
            lonely.append(place)
    if not lonely:
        return []
    return [f"Không gửi đến đơn vị nào của kỳ ({len(lonely)} chỗ): {_places(lonely, 8)}"]


def plan(layout: dict, day: dt.date, units: Iterable[Unit], previous=None) -> tuple[dict, dict]:
    """The layout remapped for `day`, and the mapping to keep with the round ({remaps, warnings,
    tasks}: `tasks` where the open tasks of ended units of the previous round go)."""
    units = list(units)
    remapped, remaps, warnings = remap_layout(layout, SuccessionMap(day))
    warnings += unaddressed(remapped, units)
    tasks = task_moves(previous, day, units)
    lost = [m for m in tasks if m["to"] is None]
    if lost:
        names = ", ".join(f"{m['from_name']} ({m['open_tasks']})" for m in lost)
        warnings.append(f"Nhiệm vụ chưa hoàn thành không chuyển được cho đơn vị nào của kỳ: {names}")
    return remapped, {"day": day.isoformat(), "remaps": remaps, "warnings": warnings, "tasks": tasks}


def task_moves(previous, day: dt.date, units: Iterable[Unit]) -> list[dict]:
    """Units of `previous` that ended before `day` and whose open tasks go to a successor among
    `units`: [{from, from_name, to, to_name, open_tasks}] (tasks recorded from their sent reports);
    an ended unit whose successor is not in the round has `to` None."""
    from django.db.models import Count

    from baocao06.catalogues.models import Task, TaskSource

    if previous is None:
        return []
    successions = SuccessionMap(day)
    assigned = {unit.pk for unit in units}
    counts = (
        Task.objects.filter(source=TaskSource.UNIT, is_open=True, last_report__round=previous)
        .values_list("last_report__unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    moves = []
    for unit_id, n in counts:
        unit = successions.by_pk[unit_id]
        target = successions.target(unit)
        if target is not None and target.pk == unit.pk:
            continue
        reached = target is not None and target.pk in assigned
        moves.append(
            {
                "from": unit.key,
                "from_name": unit.display_name,
                "to": target.key if reached else None,
                "to_name": target.display_name if reached else None,
                "open_tasks": n,
            }
        )
    return sorted(moves, key=lambda m: (m["to"] or "~", m["from"]))
