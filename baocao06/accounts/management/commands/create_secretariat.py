"""The first Secretariat account of a fresh install (README, "Cài mới"); the password is asked twice
without echo, never taken from the command line (it would stay in the shell's history)."""

from getpass import getpass

from django.core.management.base import BaseCommand, CommandError

from baocao06.accounts.actions import AccountRefused, do_create_first_secretariat


class Command(BaseCommand):
    help = (
        "Tạo tài khoản Thư ký Tổ công tác đầu tiên khi hệ thống chưa có ai (mật khẩu được hỏi, không hiện "
        "trên màn hình); tài khoản khác do Thư ký tạo trong Danh mục."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="tên đăng nhập, ví dụ thuky")
        parser.add_argument("--full-name", default="", help="họ và tên")
        parser.add_argument("--email", default="", help="thư điện tử (nhận thông báo)")

    def handle(self, *args, **options):
        password = getpass("Mật khẩu: ")
        if password != getpass("Nhập lại mật khẩu: "):
            raise CommandError("Hai lần nhập mật khẩu không giống nhau; chưa tạo tài khoản.")
        try:
            user = do_create_first_secretariat(
                username=options["username"],
                full_name=options["full_name"],
                email=options["email"],
                password=password,
            )
        except AccountRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Đã tạo tài khoản Thư ký Tổ công tác {user.username}.")
            + " Lần đăng nhập đầu tiên, hệ thống yêu cầu thiết lập xác thực hai lớp (ứng dụng xác thực)."
        )
