from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao06.reports.models import Report
from baocao06.workbooks.export import export_report


class Command(BaseCommand):
    help = "Xuất tệp Excel báo cáo của một đơn vị trong một kỳ (đã điền bản nháp hiện tại)."

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="mã kỳ báo cáo (số)")
        parser.add_argument("unit", help="mã đơn vị, ví dụ BTP, P01")
        parser.add_argument("out", help="tệp .xlsx sẽ ghi ra")

    def handle(self, *args, **options):
        report = find_report(options["round"], options["unit"])
        out = Path(options["out"])
        out.write_bytes(export_report(report))
        self.stdout.write(f"Đã ghi {out} ({out.stat().st_size // 1024} KB): {report.unit.name} — {report.round.title}")


def find_report(round_id: int, unit_key: str) -> Report:
    report = Report.objects.select_related("round", "unit").filter(round_id=round_id, unit__key=unit_key).first()
    if report is None:
        raise CommandError(f"Không có báo cáo của đơn vị {unit_key} trong kỳ {round_id}.")
    return report
