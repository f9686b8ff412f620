from django.core.management.base import BaseCommand, CommandError

from baocao06.accounts.mfa import totp
from baocao06.accounts.models import TotpDevice
from baocao06.demo.loading import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "In mã xác thực hai lớp hiện tại của một tài khoản minh họa (chỉ tài khoản dùng khóa minh họa công khai)."

    def add_arguments(self, parser):
        parser.add_argument("login")

    def handle(self, *args, **options):
        device = TotpDevice.objects.filter(user__username=options["login"]).first()
        if device is None or device.secret != DEMO_TOTP_SECRET:
            raise CommandError("Chỉ dùng cho tài khoản minh họa có khóa xác thực minh họa.")
        self.stdout.write(totp(device.secret))
