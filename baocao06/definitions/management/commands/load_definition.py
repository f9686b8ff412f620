from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao06.definitions.actions import do_load_definition
from baocao06.definitions.spec import SpecError


class Command(BaseCommand):
    help = "Nạp một phiên bản mẫu báo cáo từ tệp định nghĩa (phiên bản đã nạp không bao giờ bị sửa)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--new-version",
            dest="new_version",
            help="nạp nội dung của tệp dưới phiên bản này (lưu ở dạng YAML chuẩn, như export_definition)",
        )

    def handle(self, *args, **options):
        try:
            text = options["file"].read_text(encoding="utf-8")
            definition, created = do_load_definition(text, version=options["new_version"])
        except OSError as exc:
            raise CommandError(f"Không đọc được {options['file']}: {exc.strerror}") from exc
        except SpecError as exc:
            raise CommandError("Tệp định nghĩa không hợp lệ:\n" + str(exc)) from exc
        verb = "Đã nạp" if created else "Đã có sẵn"
        self.stdout.write(f"{verb}: {definition.key} {definition.version}")
