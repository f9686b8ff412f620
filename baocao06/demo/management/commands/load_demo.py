import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from baocao06.demo.levels import TITLE as LEVELS_TITLE
from baocao06.demo.levels import logins as level_logins
from baocao06.demo.loading import DEMO_PASSWORD, DEMO_TOTP_SECRET, LOGINS, build_demo, demo_rounds


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu minh họa: kỳ báo cáo 4709 (6 tháng đầu năm 2024), kỳ tổng kết năm 2024 tiếp theo và kỳ "
        "tổng kết năm 2026 trên các đơn vị sau sắp xếp, với báo cáo của các đơn vị; in tài khoản."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--addr",
            default="127.0.0.1:8000",
            help="địa chỉ máy chủ sẽ phục vụ bản minh họa (make demo truyền DEMO_ADDR), để in đúng đường dẫn",
        )

    def handle(self, *args, **options):
        # The demo's accounts share a public password and a public second-factor key.
        if not settings.DEBUG:
            raise CommandError(
                "load_demo chỉ chạy khi DEBUG=1 (máy phát triển, bản minh họa): các tài khoản minh họa dùng "
                "mật khẩu và khóa xác thực công khai, không bao giờ được có trên hệ thống thật."
            )
        started = time.perf_counter()
        # `make demo` runs with DEBUG on; the load needs no log of its ~100,000 queries.
        with override_settings(DEBUG=False):
            first = build_demo(out=self.stdout.write)
        self.stdout.write(f"Nạp xong trong {time.perf_counter() - started:.0f} s.")
        from baocao06.rounds.models import Round

        levels = Round.objects.light().filter(parent__title=LEVELS_TITLE)
        for round_ in [*demo_rounds(first), *Round.objects.light().filter(title=LEVELS_TITLE), *levels]:
            counts = {}
            for status in round_.reports.values_list("status", flat=True):
                counts[status] = counts.get(status, 0) + 1
            self.stdout.write(f"\nKỳ báo cáo: {round_.title} — {round_.reports.count()} đơn vị: {counts}")
        self.stdout.write(self.style.SUCCESS(f"\nTài khoản minh họa (mật khẩu chung: {DEMO_PASSWORD})"))
        for login in LOGINS:
            self.stdout.write(f"  {login.username:<18} {login.role}")
        for username, role in level_logins():
            self.stdout.write(f"  {username:<18} {role} (kỳ minh họa qua các cấp)")
        self.stdout.write(
            "\nThư ký và lãnh đạo đơn vị phải xác thực hai lớp. Khóa của tài khoản minh họa: "
            f"{DEMO_TOTP_SECRET} (thêm vào ứng dụng xác thực), hoặc lấy mã hiện tại bằng:\n"
            "  .venv/bin/python manage.py demo_code thuky"
        )
        self.stdout.write(f"\nMở {site_address(options['addr'])} và đăng nhập bằng một tài khoản ở trên.\n")


def site_address(addr: str) -> str:
    """The address to open for `runserver ADDR` (ADDR as make demo's DEMO_ADDR: host:port, or a port)."""
    addr = addr.strip()
    if addr.isdigit():
        addr = f"127.0.0.1:{addr}"
    return addr if "://" in addr else f"http://{addr}"
