from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from baocao06.api.actions import do_revoke_token
from baocao06.api.models import ApiToken


class Command(BaseCommand):
    help = "Thu hồi ngay một mã truy cập API theo mã nhận dạng (phần sau bc06_, xem trong trang quản trị)."

    def add_arguments(self, parser):
        parser.add_argument("prefix")
        parser.add_argument("--user", required=True, help="tên đăng nhập của Thư ký thu hồi (ghi nhật ký)")

    def handle(self, *args, **o):
        token = ApiToken.objects.filter(prefix=o["prefix"]).first()
        if token is None:
            raise CommandError(f"Không có mã {o['prefix']}.")
        actor = get_user_model().objects.filter(username=o["user"]).first()
        if actor is None or not actor.is_secretariat:
            raise CommandError("Chỉ Thư ký Tổ công tác thu hồi mã truy cập (--user).")
        if do_revoke_token(token, actor=actor):
            self.stdout.write(f"Đã thu hồi mã {token.prefix} ({token.name}, {token.unit}).")
        else:
            self.stdout.write(f"Mã {token.prefix} đã bị thu hồi từ trước.")
