from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from baocao06.workbooks.actions import do_import_workbook
from baocao06.workbooks.safety import MAX_FILE_BYTES

from .export_workbook import find_report


class Command(BaseCommand):
    help = (
        "Nhập tệp Excel vào bản nháp báo cáo của một đơn vị: kiểm tra bằng cùng quy tắc như trình duyệt, "
        "ghi toàn bộ hoặc không ghi gì. Thoát với mã 1 và danh sách lỗi khi tệp bị từ chối."
    )

    def add_arguments(self, parser):
        parser.add_argument("round", type=int, help="mã kỳ báo cáo (số)")
        parser.add_argument("unit", help="mã đơn vị, ví dụ BTP, P01")
        parser.add_argument("file", help="tệp .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra, không ghi")
        parser.add_argument("--overwrite", action="store_true", help="ghi đè cả phần đã sửa trên hệ thống sau khi xuất")
        parser.add_argument("--user", help="tên đăng nhập ghi vào nhật ký (mặc định: hệ thống)")

    def handle(self, *args, **options):
        report = find_report(options["round"], options["unit"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"Tệp quá lớn; giới hạn {MAX_FILE_BYTES // 1024 // 1024} MB.")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"Không có người dùng {options['user']}.")
        plan = do_import_workbook(
            report,
            path.read_bytes(),
            path.name,
            actor=actor,
            dry_run=options["dry_run"],
            overwrite=options["overwrite"],
        )
        for line in plan.lines():
            self.stdout.write(line)
        if plan.refused:
            raise CommandError(f"Tệp bị từ chối ({len(plan.errors)} lỗi); không ghi gì.")
        if plan.saved:
            self.stdout.write(self.style.SUCCESS(f"Đã nhập: {', '.join(sorted(plan.to_save))}."))
        elif plan.to_save:
            self.stdout.write(f"Kiểm tra xong, tệp hợp lệ; sẽ cập nhật: {', '.join(sorted(plan.to_save))}.")
        else:
            self.stdout.write("Tệp không có thay đổi nào so với báo cáo hiện tại; không ghi gì.")
