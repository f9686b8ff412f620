import json

from django.core.management.base import BaseCommand, CommandError

from baocao06.compilation.across import compare
from baocao06.rounds.models import Round


class Command(BaseCommand):
    help = (
        "So sánh số liệu dịch vụ công của kỳ A với kỳ B trên các đơn vị của kỳ B: số liệu kỳ A được cộng "
        "về đơn vị kế thừa (ví dụ Hà Giang + Tuyên Quang → Tuyên Quang). Định dạng: docs/data-formats.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("a", type=int, help="số (id) của kỳ trước")
        parser.add_argument("b", type=int, help="số (id) của kỳ sau")
        parser.add_argument("--json", action="store_true", help="in JSON (mặc định: bảng tóm tắt theo đơn vị)")

    def handle(self, *args, **o):
        rounds = {r.pk: r for r in Round.objects.filter(pk__in=[o["a"], o["b"]])}
        for key in ("a", "b"):
            if o[key] not in rounds:
                raise CommandError(f"Không có kỳ báo cáo số {o[key]}.")
        result = compare(rounds[o["a"]], rounds[o["b"]])
        if o["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{result['a']['title']} → {result['b']['title']} (đơn vị theo ngày {result['b']['date']})")
        for line in result["mapping"]:
            self.stdout.write(f"  {line['from_name']} ({line['from']}) → {line['to_name']} ({line['to']})")
        for unit in result["units"]:
            total = unit["total"]
            self.stdout.write(
                f"{unit['key']}\t{unit['name']}\tkỳ A {total['a']['total']}/{total['a']['online']} "
                f"({total['a']['rate']} %)\tkỳ B {total['b']['total']}/{total['b']['online']} ({total['b']['rate']} %)"
                f"\tthay đổi {total['change']['rate']} điểm %"
            )
