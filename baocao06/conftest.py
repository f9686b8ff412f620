"""Test-suite wiring that cannot live in a test case."""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_guards():
    """Transactional tests empty the database between tests; the audit log's append-only triggers
    (which refuse that, rightly) are lifted for exactly that statement (baocao06/audit/guard.py)."""
    from django.db.backends.base.operations import BaseDatabaseOperations

    from baocao06.audit.guard import suspended

    original = BaseDatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        with suspended(self.connection):
            return original(self, sql_list)

    BaseDatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    BaseDatabaseOperations.execute_sql_flush = original
