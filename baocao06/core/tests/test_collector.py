"""`collector.paused()` holds Python's cycle collector off for a block and gives it back as it was."""

from __future__ import annotations

import gc
import threading
from unittest import mock

from django.test import SimpleTestCase

from baocao06.core import collector


class PausedTest(SimpleTestCase):
    def setUp(self):
        self.addCleanup(gc.enable if gc.isenabled() else gc.disable)
        gc.enable()

    def test_off_in_the_block_and_on_after(self):
        with collector.paused():
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_on_again_after_an_error(self):
        with self.assertRaises(RuntimeError), collector.paused():
            raise RuntimeError
        self.assertTrue(gc.isenabled())

    def test_nested_blocks_turn_it_on_when_the_outer_one_ends(self):
        with collector.paused():
            with collector.paused():
                pass
            self.assertFalse(gc.isenabled())
        self.assertTrue(gc.isenabled())

    def test_left_off_when_it_was_off(self):
        gc.disable()
        with collector.paused():
            pass
        self.assertFalse(gc.isenabled())

    def test_threads_overlapping(self):
        inside, release = threading.Event(), threading.Event()

        def other():
            with collector.paused():
                inside.set()
                release.wait(5)

        thread = threading.Thread(target=other)
        thread.start()
        inside.wait(5)
        with collector.paused():
            pass
        self.assertFalse(gc.isenabled())  # the other thread's block is still running
        release.set()
        thread.join(5)
        self.assertTrue(gc.isenabled())


class CompileTest(SimpleTestCase):
    def test_the_national_compile_runs_with_the_collector_paused(self):
        from baocao06.compilation import engine

        seen = []
        with (
            mock.patch.object(engine._Compiler, "__init__", lambda self, *a: None),
            mock.patch.object(engine._Compiler, "run", lambda self: seen.append(gc.isenabled()) or {}),
        ):
            engine.national_tables(None, [])
        self.assertEqual(seen, [False])
        self.assertTrue(gc.isenabled())
