"""Outside a transaction, on PostgreSQL, the compile reads its biggest queries on other connections
while it works out the rest (`engine._Early`): the tables must be exactly those read one after the other."""

from __future__ import annotations

from unittest import mock

from django.db import connection, transaction
from django.test import TransactionTestCase

from baocao06.compilation import engine
from baocao06.compilation.engine import content_hash, national_tables
from baocao06.test import build_world, submit_filled


class ConcurrentReadsTest(TransactionTestCase):
    def setUp(self):
        build_world(self)
        self.ids = submit_filled(self)

    def test_the_tables_read_on_several_connections_are_those_read_on_one(self):
        with transaction.atomic():  # inside a transaction: every read on this connection
            with mock.patch.object(engine, "on_own_connection", wraps=engine.on_own_connection) as elsewhere:
                one = national_tables(self.round, self.ids)
            self.assertEqual(elsewhere.call_count, 0)
        with mock.patch.object(engine, "on_own_connection", wraps=engine.on_own_connection) as elsewhere:
            several = national_tables(self.round, self.ids)
        if connection.vendor == "postgresql":
            reads = {call.args[0].__name__ for call in elsewhere.call_args_list}
            # the services' sums, the versions' summaries, the communes' sections
            self.assertEqual(reads, {"_read_sums", "_read_summaries", "_read_communes"})
        else:
            self.assertEqual(elsewhere.call_count, 0)  # SQLite: one connection
        self.assertTrue(several["tasks"]["open"])
        self.assertTrue(several["services"])
        self.assertEqual(several, one)
        self.assertEqual(content_hash(several), content_hash(one))

    def test_a_whole_sum_read_in_two_halves_on_two_connections_is_the_same(self):
        from baocao06.compilation import concurrent, sums

        parts = sums.services_parts(self.round.get_layout().compilation)
        one = sums.group_sums(self.ids, parts)
        with transaction.atomic():  # inside a transaction: one connection, the tables as read on it
            expected = national_tables(self.round, self.ids)
        with (
            mock.patch.object(sums, "SPLIT_FROM", 2),
            mock.patch.object(concurrent, "on_own_connection", wraps=concurrent.on_own_connection) as elsewhere,
        ):
            halves = sums._all_sums(sorted(self.ids), parts)
            tables = national_tables(self.round, self.ids)
        # PostgreSQL: the second half elsewhere, twice (the sum alone, then in the compile); SQLite: one.
        self.assertEqual(elsewhere.call_count, 2 if connection.vendor == "postgresql" else 0)
        self.assertTrue(one)
        self.assertEqual(sorted(halves), sorted(one))
        self.assertEqual(tables, expected)
        self.assertEqual(content_hash(tables), content_hash(expected))

    def test_a_failed_read_elsewhere_fails_the_compile_and_leaves_no_thread_behind(self):
        import threading

        def broken():
            raise RuntimeError("mất kết nối")

        with (
            mock.patch.object(engine._Compiler, "_read_sums", lambda self: broken()),
            self.assertRaises(RuntimeError),
        ):
            national_tables(self.round, self.ids)
        self.assertFalse([t for t in threading.enumerate() if t.name.startswith("compile")])
