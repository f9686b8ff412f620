"""The audit log is append-only in the database itself, on SQLite and on PostgreSQL.

On PostgreSQL the application's role does not own the table: `protect_audit` gives it to an owner role
and leaves the application INSERT and SELECT only. The role test creates cluster-wide roles, so their
names carry a random suffix (other engineers' suites run on the same server) and are dropped after.
"""

from __future__ import annotations

import secrets
import unittest
from io import StringIO

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase, TransactionTestCase

from baocao06.audit.actions import Actor, record
from baocao06.audit.models import AuditEvent

ON_POSTGRESQL = connection.vendor == "postgresql"


class AppendOnlyTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.event = record("test.event", ("test", 1), actor=Actor("kiểm thử"))

    def assert_refused(self, sql: str):
        with self.assertRaises(DatabaseError) as refused, transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
        self.assertIn("append-only", str(refused.exception))

    def test_an_event_cannot_be_updated(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).update(action="sửa")
        self.assert_refused("UPDATE audit_auditevent SET actor_label = 'x'")
        self.assertEqual(AuditEvent.objects.get(pk=self.event.pk).action, "test.event")

    def test_an_event_cannot_be_deleted(self):
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=self.event.pk).delete()
        self.assert_refused("DELETE FROM audit_auditevent")
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())

    @unittest.skipUnless(ON_POSTGRESQL, "TRUNCATE exists on PostgreSQL only")
    def test_the_table_cannot_be_truncated(self):
        with connection.cursor() as cursor:
            # The test's own transaction holds deferred foreign-key checks that TRUNCATE would wait for.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.assert_refused("TRUNCATE audit_auditevent")
        self.assertTrue(AuditEvent.objects.filter(pk=self.event.pk).exists())


@unittest.skipUnless(ON_POSTGRESQL, "database roles exist on PostgreSQL only")
class OwnerRoleTests(TransactionTestCase):
    """Connected as a non-owner application role, the audit table cannot be changed or unprotected."""

    def setUp(self):
        suffix = secrets.token_hex(4)
        self.owner, self.app = f"bc_audit_owner_{suffix}", f"bc_app_{suffix}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            self.admin = cursor.fetchone()[0]
            cursor.execute(f'CREATE ROLE "{self.app}" LOGIN')
        self.addCleanup(self.drop_roles)

    def drop_roles(self):
        with connection.cursor() as cursor:
            cursor.execute(f'ALTER TABLE audit_auditevent OWNER TO "{self.admin}"')
            cursor.execute(f'ALTER FUNCTION audit_event_append_only() OWNER TO "{self.admin}"')
            for role in (self.app, self.owner):
                cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
                if cursor.fetchone():
                    cursor.execute(f'DROP OWNED BY "{role}"')
                    cursor.execute(f'DROP ROLE "{role}"')

    def connect_as(self, role):
        import psycopg

        params = connection.settings_dict
        return psycopg.connect(
            host=params["HOST"] or None,
            port=params["PORT"] or None,
            dbname=params["NAME"],
            user=role,
            autocommit=True,
        )

    def test_the_application_role_cannot_change_truncate_or_unprotect_the_audit_log(self):
        import psycopg

        out = StringIO()
        call_command("protect_audit", "--owner", self.owner, "--app-role", self.app, stdout=out)
        self.assertIn(self.owner, out.getvalue())
        with connection.cursor() as cursor:
            cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditevent'")
            self.assertEqual(cursor.fetchone()[0], self.owner)
        with self.connect_as(self.app) as app:
            app.execute(
                "INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id, changes, data, "
                "request_id) VALUES (now(), 'app', 'test.inserted', 'test', '1', '[]', '{}', '')"
            )
            self.assertEqual(app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0], 1)
            refused = [
                "UPDATE audit_auditevent SET action = 'x'",
                "DELETE FROM audit_auditevent",
                "TRUNCATE audit_auditevent",
                "DROP TRIGGER audit_event_append_only ON audit_auditevent",
                "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
                "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
                "DROP FUNCTION audit_event_append_only() CASCADE",
                "DROP TABLE audit_auditevent",
                f'ALTER TABLE audit_auditevent OWNER TO "{self.app}"',
                f'GRANT "{self.owner}" TO "{self.app}"',
                f'SET ROLE "{self.owner}"',
            ]
            for sql in refused:
                with self.subTest(sql=sql), self.assertRaises(psycopg.errors.InsufficientPrivilege):
                    app.execute(sql)
        # The owner itself cannot empty the table either: the trigger refuses TRUNCATE for everyone.
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{self.owner}"')
            try:
                with self.assertRaises(DatabaseError) as truncate, transaction.atomic():
                    cursor.execute("TRUNCATE audit_auditevent")
                self.assertIn("append-only (TRUNCATE refused)", str(truncate.exception))
            finally:
                cursor.execute("RESET ROLE")
        self.assertEqual(AuditEvent.objects.filter(action="test.inserted").count(), 1)

    def test_it_refuses_an_application_role_that_could_act_as_the_owner(self):
        from django.core.management import CommandError

        with connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{self.owner}" NOLOGIN')
            cursor.execute(f'GRANT "{self.owner}" TO "{self.app}"')
        with self.assertRaisesMessage(CommandError, "là thành viên của vai trò sở hữu"):
            call_command("protect_audit", "--owner", self.owner, "--app-role", self.app, stdout=StringIO())
