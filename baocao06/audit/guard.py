"""Lifting the audit log's database guards for a whole-database flush — only the test suite does this.

Django's transactional tests empty every table between tests (`flush`: TRUNCATE on PostgreSQL, DELETE on
SQLite), which the append-only triggers refuse, as they should in production. The suite's conftest
wraps that flush in `suspended()`: on PostgreSQL triggers do not fire under
`session_replication_role = replica` (which only a superuser may set); on SQLite the two triggers are
dropped and created again around it.
"""

from __future__ import annotations

from contextlib import contextmanager

SQLITE_TRIGGERS = {
    "audit_event_no_update": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (UPDATE refused)'); END;"
    ),
    "audit_event_no_delete": (
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only (DELETE refused)'); END;"
    ),
}


@contextmanager
def suspended(connection):
    """The audit table's triggers do not fire inside this block (for this connection)."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")
        elif vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
            dropped = [name for (name,) in cursor.fetchall() if name in SQLITE_TRIGGERS]
            for name in dropped:
                cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if vendor == "postgresql":
                cursor.execute("RESET session_replication_role")
            elif vendor == "sqlite":
                for name in dropped:
                    cursor.execute(SQLITE_TRIGGERS[name])
