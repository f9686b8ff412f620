"""Print a unit's figures consolidated from its accepted lower units (docs/data-formats.md, "Consolidation")."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from baocao06.compilation.consolidate import as_json, consolidate, level_round_for
from baocao06.rounds.models import Round
from baocao06.units.models import Unit


class Command(BaseCommand):
    help = "In số liệu tổng hợp của đơn vị (tỉnh, bộ) từ các báo cáo đã tiếp nhận của đơn vị cấp dưới."

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="mã (id) kỳ báo cáo (kỳ toàn quốc hoặc kỳ cấp tỉnh)")
        parser.add_argument("unit", help="mã khóa đơn vị (VD: P01)")
        parser.add_argument("--json", action="store_true", help="in dạng JSON")

    def handle(self, *args, **options):
        round_ = Round.objects.light().filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"Không có kỳ báo cáo mã {options['round']}.")
        unit = Unit.objects.filter(key=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {options['unit']}.")
        level = level_round_for(round_, unit)
        if level is None:
            raise CommandError(f"{unit.name} không có kỳ báo cáo cấp tỉnh trong kỳ {round_.pk}.")
        data = as_json(consolidate(level), unit)
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{unit.name}: {len(data['children'])} báo cáo đã tiếp nhận, {data['outstanding']} chưa.")
        for figure in data["figures"]:
            self.stdout.write(
                f"{figure['table']} {figure['row']} {figure['column']}: {figure['value']} ({figure['children']} đơn vị)"
            )
