"""Writing consolidated figures into a province's (ministry's) own draft, and its adjustments.

Both go through `do_save_part` (the draft's own action, audited as a part save) and add their own audit
event saying where the figures came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.core import clock
from baocao06.reports.actions import do_save_part, view_for
from baocao06.reports.models import Report

from .consolidate import Consolidation, consolidate, consolidated_columns, level_round_for
from .models import ConsolidationTake, FigureAdjustment


class ConsolidationRefused(ValueError):
    """Nothing to consolidate, or the figure or reason given is not usable (message in Vietnamese)."""


def _typed(number: Decimal):
    """A figure as a draft cell holds it: a whole number as an int, else its decimal text."""
    return int(number) if number == number.to_integral_value() else format(number.normalize(), "f").replace(".", ",")


def _level(report: Report):
    level = level_round_for(report.round, report.unit)
    if level is None:
        raise ConsolidationRefused("Đơn vị chưa có kỳ báo cáo cấp tỉnh trong kỳ này: không có gì để tổng hợp.")
    return level


def _write_figures(report: Report, consolidation: Consolidation, adjustments: dict, *, actor) -> int:
    """Set every consolidated cell of the draft (adjusted where the province adjusted it)."""
    view = view_for(report)
    columns = consolidated_columns(view.layout)
    written = 0
    for table, keys in columns.items():
        if table not in view.table_index:
            continue
        part = report.parts.filter(key=table).first()
        data = dict(part.data) if part else {"rows": []}
        rows = {r["key"]: {**r, "values": dict(r.get("values") or {})} for r in data.get("rows") or []}
        order = [r["key"] for r in data.get("rows") or []]
        for row in view.table_index[table].fixed_rows.values():
            if row.heading:
                continue
            for column in keys:
                figure = consolidation.figures.get((table, row.key, column))
                adjusted = adjustments.get((table, row.key, column))
                value = adjusted if adjusted is not None else (figure.total if figure else None)
                if value is None:
                    continue
                if row.key not in rows:
                    rows[row.key] = {"key": row.key, "values": {}}
                    order.append(row.key)
                rows[row.key]["values"][column] = _typed(value)
                written += 1
        do_save_part(
            report,
            table,
            {"rows": [rows[k] for k in order]},
            base_revision=part.revision if part else 0,
            actor=actor,
            source="consolidation",
        )
    return written


def _adjustments(report: Report) -> dict:
    return {(a.table, a.row, a.column): a.value for a in report.figure_adjustments.all()}


def do_take_consolidation(report: Report, *, actor) -> ConsolidationTake:
    """Fill (or refresh) the province's draft from its accepted lower units and remember the basis."""
    level = _level(report)
    with transaction.atomic():
        consolidation = consolidate(level, drill=False)
        if not consolidation.children:
            raise ConsolidationRefused("Chưa có báo cáo nào của đơn vị cấp dưới được tiếp nhận.")
        old = ConsolidationTake.objects.select_for_update().filter(report=report).first()
        written = _write_figures(report, consolidation, _adjustments(report), actor=actor)
        take, _ = ConsolidationTake.objects.update_or_create(
            report=report,
            defaults={
                "level_round": level,
                "basis": consolidation.basis(),
                "values": consolidation.values(),
                "taken_at": clock.now(),
                "taken_by": actor,
            },
        )
        record(
            "report.consolidation_taken",
            report,
            actor=actor,
            unit=report.unit,
            level_round=level.pk,
            children=len(consolidation.children),
            cells=written,
            basis=take.basis,
            changes=[
                {"place": place, "old": (old.values if old else {}).get(place), "new": value}
                for place, value in take.values.items()
                if (old.values if old else {}).get(place) != value
            ],
        )
    return take


@dataclass
class Since:
    """What changed among the children since the draft took the figures."""

    added: list[str]
    removed: list[str]
    revised: list[str]
    figures: list[tuple[str, str | None, str | None]]  # place, taken, now

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.revised or self.figures)


def changes_since(take: ConsolidationTake | None, consolidation: Consolidation) -> Since | None:
    if take is None:
        return None
    names = {str(c.unit_id): c.name for c in consolidation.children}
    now = consolidation.basis()
    from baocao06.units.models import Unit

    gone = [u for u in take.basis if u not in now]
    gone_names = dict(Unit.objects.filter(pk__in=gone).values_list("pk", "name")) if gone else {}
    values = consolidation.values()
    places = sorted(set(take.values) | set(values))
    return Since(
        added=[names[u] for u in now if u not in take.basis],
        removed=[gone_names.get(int(u), u) for u in gone],
        revised=[names[u] for u in now if u in take.basis and take.basis[u] != now[u]],
        figures=[(p, take.values.get(p), values.get(p)) for p in places if take.values.get(p) != values.get(p)],
    )


def do_adjust_figure(report: Report, *, table: str, row: str, column: str, value: str, reason: str, actor):
    """The province's own value for one consolidated figure, with its reason (both required); the
    draft's cell takes it. An empty value withdraws the adjustment (the draft takes the sum again)."""
    view = view_for(report)
    if column not in consolidated_columns(view.layout).get(table, []) or table not in view.table_index:
        raise ConsolidationRefused("Ô này không phải số liệu tổng hợp từ đơn vị cấp dưới.")
    if row not in view.table_index[table].fixed_rows:
        raise ConsolidationRefused("Dòng không có trong phụ lục của đơn vị.")
    reason = " ".join((reason or "").split())[:2000]
    text = (value or "").strip().replace(".", "").replace(",", ".")
    with transaction.atomic():
        existing = FigureAdjustment.objects.filter(report=report, table=table, row=row, column=column).first()
        if not text:
            if existing is not None:
                record(
                    "report.figure_adjustment_withdrawn",
                    report,
                    actor=actor,
                    unit=report.unit,
                    changes=[{"place": f"{table}.{row}.{column}", "old": str(existing.value), "new": None}],
                )
                existing.delete()
            adjusted = None
        else:
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ConsolidationRefused(f"“{value[:30]}” không phải là số.") from None
            if not reason:
                raise ConsolidationRefused("Nêu lý do điều chỉnh số liệu tổng hợp.")
            adjusted, _ = FigureAdjustment.objects.update_or_create(
                report=report,
                table=table,
                row=row,
                column=column,
                defaults={"value": number, "reason": reason, "adjusted_at": clock.now(), "adjusted_by": actor},
            )
            record(
                "report.figure_adjusted",
                report,
                actor=actor,
                unit=report.unit,
                reason=reason,
                changes=[
                    {
                        "place": f"{table}.{row}.{column}",
                        "old": str(existing.value) if existing else None,
                        "new": str(number),
                    }
                ],
            )
        consolidation = consolidate(_level(report))
        _write_figures(report, consolidation, _adjustments(report), actor=actor)
    return adjusted
