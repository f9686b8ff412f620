import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from baocao06.api.actions import do_create_token
from baocao06.api.models import ApiRole
from baocao06.units.models import Unit


class Command(BaseCommand):
    help = "Tạo mã truy cập API cho một đơn vị và một quyền; in mã một lần (chỉ bản băm được lưu)."

    def add_arguments(self, parser):
        parser.add_argument("unit", help="mã đơn vị, ví dụ BTP, P01")
        parser.add_argument("role", choices=[r.value for r in ApiRole])
        parser.add_argument("--name", required=True, help="tên hệ thống dùng mã")
        parser.add_argument("--days", type=int, default=180, help="số ngày hiệu lực (1–730)")
        parser.add_argument("--user", required=True, help="tên đăng nhập của Thư ký tạo mã (ghi nhật ký)")

    def handle(self, *args, **o):
        unit = Unit.objects.filter(key=o["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị {o['unit']}.")
        if not 1 <= o["days"] <= 730:
            raise CommandError("Số ngày hiệu lực phải từ 1 đến 730.")
        actor = get_user_model().objects.filter(username=o["user"]).first()
        if actor is None or not actor.is_secretariat:
            raise CommandError("Chỉ Thư ký Tổ công tác tạo mã truy cập (--user).")
        expires = timezone.now() + dt.timedelta(days=o["days"])
        token, secret = do_create_token(name=o["name"], unit=unit, role=o["role"], expires_at=expires, actor=actor)
        self.stderr.write(
            f"Mã {token.prefix} cho {unit.name} ({token.get_role_display()}), hết hạn {expires:%d/%m/%Y}."
        )
        self.stderr.write("Mã chỉ hiện một lần, dưới đây:")
        self.stdout.write(secret)
