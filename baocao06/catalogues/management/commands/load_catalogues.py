from django.core.management.base import BaseCommand, CommandError

from baocao06.audit.actions import command_actor
from baocao06.catalogues.loading import load_catalogues


class Command(BaseCommand):
    help = "Nạp các danh mục (dịch vụ công, nhiệm vụ Nghị quyết 175) từ data/catalogues/ vào cơ sở dữ liệu."

    def add_arguments(self, parser):
        parser.add_argument("--user", help="tên đăng nhập ghi vào nhật ký (mặc định: tên lệnh và tài khoản máy)")

    def handle(self, *args, **options):
        try:
            counts = load_catalogues(actor=command_actor("load_catalogues", options["user"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count} mục")
