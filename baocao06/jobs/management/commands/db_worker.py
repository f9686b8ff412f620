"""`manage.py db_worker`: django-tasks' database worker with a heartbeat, leases and reconnection.

Same options as django-tasks' own command (this app is listed before it, so this one is found first);
see baocao06/jobs/worker.py and docs/operations.md.
"""

from django_tasks_db.management.commands import db_worker

from baocao06.jobs.worker import LeasedWorker


class Command(db_worker.Command):
    help = "Chạy máy chủ nền (hàng đợi trong cơ sở dữ liệu), có nhịp tim, hợp đồng thuê tác vụ và tự kết nối lại."

    def handle(self, *args, **options):
        original = db_worker.Worker
        db_worker.Worker = LeasedWorker  # the parent's handle() builds its worker from this name
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = original
