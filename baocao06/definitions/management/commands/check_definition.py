import json
from pathlib import Path

from django.core.management.base import BaseCommand

from baocao06.catalogues.registry import items_from_files
from baocao06.definitions.loading import check_text, describe
from baocao06.definitions.spec import SpecError


class Command(BaseCommand):
    help = (
        "Kiểm tra một tệp định nghĩa báo cáo (đề cương + phụ lục) và in cấu trúc của nó. "
        "Mã thoát 1 và danh sách lỗi (kèm vị trí) khi tệp không hợp lệ."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="in cấu trúc dạng JSON (docs/definition-format.md)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            return self._fail(options, [("tệp", f"không đọc được {path}: {exc.strerror}")])
        try:
            spec = check_text(text)
            structure = describe(spec, items_from_files)
        except SpecError as exc:
            return self._fail(options, exc.problems)
        except (ValueError, OSError) as exc:
            return self._fail(options, [("danh mục", str(exc))])
        if options["json"]:
            self.stdout.write(json.dumps(structure, ensure_ascii=False, indent=2))
        else:
            self._print(structure)

    def _fail(self, options, problems):
        if options["json"]:
            payload = {"ok": False, "problems": [{"place": p, "message": m} for p, m in problems]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stderr.write(self.style.ERROR(f"Tệp định nghĩa không hợp lệ ({len(problems)} lỗi):"))
            for place, message in problems:
                self.stderr.write(f"  {place}: {message}")
        raise SystemExit(1)

    def _print(self, s):
        out = self.stdout.write
        out(self.style.SUCCESS(f"Hợp lệ: {s['key']} {s['version']} — {s['title']}"))
        out(f"\nĐề cương ({len(s['sections'])} mục):")
        depth = {}
        for section in s["sections"]:
            level = depth[section["key"]] = depth.get(section["parent"], -1) + 1
            who = self._who(section["addressees"])
            fields = ", ".join(f["key"] for f in section["fields"])
            line = f"{'  ' * level}{section['key']:<12} {section['title'][:70]}"
            extras = [f"gửi: {who}"] + ([f"trường: {fields}"] if fields else [])
            extras += [f"phụ lục: {', '.join(section['tables'])}"] if section["tables"] else []
            out(f"  {line}  [{'; '.join(extras)}]")
        out(f"\nPhụ lục ({len(s['appendices'])}):")
        for table in s["appendices"]:
            name = (
                table.get("printed_as")
                or ("Phụ lục " if table.get("printed", True) else "Biểu không in ") + table["number"]
            )
            out(f"  {table['key']} ({name}) {table['title'][:80]}")
            out(f"    gửi: {self._who(table['addressees'])}; mục: {table['section']}")
            for column in table["columns"]:
                extra = f" = {column['formula']}" if column.get("formula") else ""
                out(f"    - {column['key']:<20} {column['type']:<11} {column['label'][:60]}{extra}")
            for group in table["row_groups"]:
                source = f"danh mục {group['catalogue']['name']}" if group["catalogue"] else "cố định"
                free = ", có dòng tự do" if group["free_rows"] else ""
                out(f"    nhóm {group['key']}: {len(group['rows'])} dòng ({source}{free}) {group['title'] or ''}")
            for rule in table["rules"]:
                out(f"    quy tắc {rule['key']}: {rule.get('check') or 'bắt buộc ' + ', '.join(rule['require'])}")

    @staticmethod
    def _who(addressees):
        if addressees["everybody"]:
            return "tất cả"
        return ", ".join(addressees["kinds"] + addressees["units"])
