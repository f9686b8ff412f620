"""Compile a round now (or take one of its snapshots, --snapshot N) and write its national files:
national.json, report.docx, report.pdf, appendices.xlsx."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao06.compilation.actions import CompileRefused, do_compile
from baocao06.compilation.drafting_actions import DraftRefused, refuse_outputs_without_approval
from baocao06.compilation.generate import write_outputs
from baocao06.rounds.models import Round


class Command(BaseCommand):
    help = "Tổng hợp kỳ báo cáo và ghi national.json, report.docx, report.pdf, appendices.xlsx vào thư mục --out."

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="mã (id) kỳ báo cáo")
        parser.add_argument("--out", required=True, help="thư mục ghi tệp")
        parser.add_argument(
            "--snapshot",
            type=int,
            help="không tổng hợp lại: ghi tệp của bản tổng hợp lần N đã có (bản có báo cáo soạn đã duyệt in bản soạn)",
        )
        parser.add_argument(
            "--provisional",
            action="store_true",
            help="tổng hợp tạm tính từ các bản đã gửi gần nhất (cả bản chưa tiếp nhận)",
        )

    def handle(self, *args, **options):
        round_ = Round.objects.light().filter(pk=options["round"]).first()
        if round_ is None:
            raise CommandError(f"Không có kỳ báo cáo mã {options['round']}.")
        try:
            if options["snapshot"] is not None:
                snapshot = round_.snapshots.filter(number=options["snapshot"]).first()
                if snapshot is None:
                    raise CommandError(f"Kỳ báo cáo chưa có bản tổng hợp lần {options['snapshot']}.")
                refuse_outputs_without_approval(snapshot)
            else:
                snapshot = do_compile(round_, actor=None, provisional=options["provisional"])
        except (CompileRefused, DraftRefused) as exc:
            raise CommandError(str(exc)) from exc
        out = Path(options["out"])
        interactive = sys.stderr.isatty()

        def progress(percent: int, step: str) -> None:
            if interactive:
                self.stderr.write(f"\r{percent:3d}% {step[:60]:<60}", ending="")

        problems: list[str] = []
        paths = write_outputs(snapshot, out, progress, problems)
        if interactive:
            self.stderr.write("")
        label = " (tạm tính)" if snapshot.provisional else ""
        self.stdout.write(
            f"Tổng hợp lần {snapshot.number}{label}: {snapshot.data['completeness']['included']} đơn vị, "
            f"mã băm {snapshot.content_hash[:16]}…"
        )
        for problem in problems:
            self.stderr.write(problem)
        for path in paths.values():
            self.stdout.write(f"  {path}  ({path.stat().st_size:,} byte)".replace(",", "."))
