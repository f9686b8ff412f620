"""`manage.py load_communes`: the 3,321 communes of 01/7/2025 under their provinces."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao06.audit.actions import command_actor
from baocao06.units.loading import LoadError, load_communes


class Command(BaseCommand):
    """Upsert the commune list by key, each under the province with its code; run load_units first."""

    help = (
        "Nạp danh sách xã, phường, đặc khu (mặc định data/units/communes-2025.csv), mỗi đơn vị trực thuộc "
        "tỉnh có mã tương ứng còn hiệu lực ngày 01/7/2025. Cần chạy load_units trước. Chạy lại vẫn an toàn."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, help="tệp CSV khác (cùng các cột với communes-2025.csv)")
        parser.add_argument("--user", help="tên đăng nhập ghi vào nhật ký (mặc định: tên lệnh và tài khoản máy)")

    def handle(self, *args, **options):
        try:
            result = load_communes(options["file"], actor=command_actor("load_communes", options["user"]))
        except LoadError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Đã nạp {result.summary()}."))
