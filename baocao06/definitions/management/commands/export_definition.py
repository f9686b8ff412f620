import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao06.definitions.document import definition_yaml
from baocao06.definitions.models import Definition


class Command(BaseCommand):
    help = (
        "Xuất một phiên bản mẫu báo cáo đã công bố ra tệp YAML chuẩn (docs/definition-format.md); "
        "nạp lại bằng load_definition cho đúng nội dung đó."
    )

    def add_arguments(self, parser):
        parser.add_argument("key", help="mã mẫu, ví dụ de-an-06-so-ket")
        parser.add_argument("version", help="phiên bản, ví dụ 2024-h1")
        parser.add_argument("out", type=Path, help="tệp ra (- : in ra màn hình)")
        parser.add_argument(
            "--as-loaded", action="store_true", help="xuất nguyên văn tệp đã nạp (kể cả chú thích) thay vì dạng chuẩn"
        )

    def handle(self, *args, **options):
        definition = Definition.objects.filter(key=options["key"], version=options["version"]).first()
        if definition is None:
            raise CommandError(f"Không có phiên bản {options['key']} {options['version']}.")
        text = definition.source_text if options["as_loaded"] else definition_yaml(definition)
        if str(options["out"]) == "-":
            sys.stdout.write(text)
            return
        options["out"].write_text(text, encoding="utf-8")
        self.stderr.write(f"Đã xuất {definition.key} {definition.version} ra {options['out']}")
