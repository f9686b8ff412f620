"""`manage.py load_units`: the central bodies, corporations and provinces from data/units/."""

from django.core.management.base import BaseCommand, CommandError

from baocao06.audit.actions import command_actor
from baocao06.units.loading import UNIT_FILES, LoadError, load_units


class Command(BaseCommand):
    """Upsert the units of central.csv, corporations.csv and provinces.csv by key; safe to rerun."""

    help = (
        f"Nạp danh mục đơn vị ({', '.join(UNIT_FILES)}) từ thư mục data/units. "
        "Chạy lại nhiều lần vẫn an toàn: đơn vị được cập nhật theo mã khóa, không tạo trùng. "
        "Tệp có lỗi thì không nạp gì và báo tên tệp, số dòng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", help="tên đăng nhập ghi vào nhật ký (mặc định: tên lệnh và tài khoản máy)")

    def handle(self, *args, **options):
        try:
            result = load_units(actor=command_actor("load_units", options["user"]))
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nạp {result.summary()}."))
