"""`manage.py protect_audit --owner ROLE --app-role ROLE`: the audit table gets an owner of its own.

Run once after the first `migrate` (and after any migration of the audit app), on PostgreSQL, with a
connection that may change owners (the DBA's: `DATABASE_URL=postgres://dba@…`). The application's
role then may only read and append: it cannot update, delete, truncate, or drop the triggers, because
it no longer owns the table (docs/operations.md, "The audit log's owner").
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

TABLE = "audit_auditevent"
FUNCTION = "audit_event_append_only()"


class Command(BaseCommand):
    help = (
        "Giao bảng nhật ký thay đổi (audit_auditevent) cho một vai trò sở hữu riêng (tạo nếu chưa có, không "
        "đăng nhập được) và chỉ cho vai trò của ứng dụng quyền đọc và thêm. Chỉ dùng cho PostgreSQL; chạy bằng "
        "tài khoản quản trị cơ sở dữ liệu."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="baocao06_audit_owner", help="vai trò sở hữu bảng nhật ký")
        parser.add_argument("--app-role", required=True, help="vai trò mà ứng dụng dùng để kết nối")

    def handle(self, *args, owner, app_role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Lệnh này chỉ dùng cho PostgreSQL (SQLite không có vai trò).")
        if owner == app_role:
            raise CommandError("Vai trò sở hữu phải khác vai trò của ứng dụng.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [app_role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"Không có vai trò {app_role}.")
            if row[0]:
                raise CommandError(f"Vai trò {app_role} là superuser: nó bỏ qua mọi quyền; hãy dùng vai trò thường.")
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [owner])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(owner)))
            cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [app_role, owner])
            if cursor.fetchone()[0]:
                raise CommandError(
                    f"Vai trò {app_role} là thành viên của vai trò sở hữu {owner}, nên vẫn sửa được bảng nhật ký."
                )
            ids = {"table": sql.Identifier(TABLE), "owner": sql.Identifier(owner), "app": sql.Identifier(app_role)}
            for statement in (
                "ALTER TABLE {table} OWNER TO {owner}",
                "ALTER FUNCTION audit_event_append_only() OWNER TO {owner}",
                "REVOKE ALL ON {table} FROM PUBLIC",
                "REVOKE ALL ON {table} FROM {app}",
                "GRANT SELECT, INSERT ON {table} TO {app}",
            ):
                cursor.execute(sql.SQL(statement).format(**ids))
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
            sequence = cursor.fetchone()[0]
            if sequence:
                cursor.execute(sql.SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(sql.SQL(sequence), ids["app"]))
        self.stdout.write(
            f"Bảng {TABLE} thuộc vai trò {owner}; vai trò {app_role} chỉ được đọc và thêm (SELECT, INSERT)."
        )
