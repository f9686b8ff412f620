import socket

from django.core.management.base import BaseCommand

from baocao06.notifications.outbox import deliver_outbox
from baocao06.notifications.reminders import send_due_reminders
from baocao06.notifications.tasks import schedule_reminder_tick


class Command(BaseCommand):
    help = (
        "Gửi các lần nhắc hạn đến hạn và thư chờ gửi (chạy định kỳ bằng cron), "
        "hoặc --schedule để các tiến trình nền tự chạy định kỳ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule", action="store_true", help="xếp lịch nhắc hạn định kỳ cho db_worker (không trùng lặp)"
        )
        parser.add_argument("--no-email", action="store_true", help="không gửi thư trong lần chạy này")

    def handle(self, *args, **options):
        if options["schedule"]:
            if schedule_reminder_tick():
                self.stdout.write("Đã xếp lịch nhắc hạn định kỳ cho tiến trình nền (db_worker).")
            else:
                self.stderr.write("Hàng đợi hiện tại không hỗ trợ hẹn giờ; hãy chạy lệnh này bằng cron.")
            return
        sent = send_due_reminders(worker=f"cron@{socket.gethostname()}")
        mailed = 0 if options["no_email"] else deliver_outbox()
        self.stdout.write(f"Đã gửi {sent} lần nhắc hạn, {mailed} thư.")
