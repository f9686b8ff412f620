"""Many writers on one part at once: every write is either stored or refused and kept, never lost."""

import threading

from django.db import close_old_connections, connection
from django.test import TransactionTestCase

from baocao06.reports.actions import Conflict, do_save_part
from baocao06.reports.models import PartConflict, ReportPart
from baocao06.test import build_world

WRITERS = 50


class ParallelWritersTests(TransactionTestCase):
    def setUp(self):
        build_world(self)

    def _race(self, writer):
        barrier = threading.Barrier(WRITERS)
        outcomes = [None] * WRITERS

        def run(index):
            try:
                barrier.wait()
                outcomes[index] = writer(index)
            except Exception as exc:  # recorded and asserted on below
                outcomes[index] = exc
            finally:
                close_old_connections()
                connection.close()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        return outcomes

    def test_fifty_writers_on_the_same_revision_one_wins_the_rest_are_kept(self):
        def writer(index):
            try:
                do_save_part(
                    self.report, "I.1", {"fields": {"body": f"bản {index}"}}, base_revision=0, actor=self.reporter
                )
                return "saved"
            except Conflict:
                return "refused"

        outcomes = self._race(writer)
        self.assertEqual([o for o in outcomes if o not in ("saved", "refused")], [])
        self.assertEqual(outcomes.count("saved"), 1)
        part = ReportPart.objects.get(report=self.report, key="I.1")
        self.assertEqual(part.revision, 1)
        kept = set(PartConflict.objects.filter(report=self.report).values_list("data__fields__body", flat=True))
        self.assertEqual(len(kept), WRITERS - 1)
        self.assertEqual(kept | {part.data["fields"]["body"]}, {f"bản {i}" for i in range(WRITERS)})

    def test_fifty_writers_that_retry_on_conflict_lose_no_update(self):
        """Each writer appends its line, re-reading after a refusal, as the browser's 'keep mine' does."""

        def writer(index):
            for _attempt in range(500):
                part = ReportPart.objects.filter(report=self.report, key="I.1").first()
                revision, text = (part.revision, part.data["fields"]["body"]) if part else (0, "")
                try:
                    do_save_part(
                        self.report,
                        "I.1",
                        {"fields": {"body": f"{text}\ndòng {index}".strip()}},
                        base_revision=revision,
                        actor=self.reporter,
                    )
                    return "saved"
                except Conflict:
                    continue
            return "gave up"

        outcomes = self._race(writer)
        self.assertEqual(outcomes, ["saved"] * WRITERS)
        part = ReportPart.objects.get(report=self.report, key="I.1")
        self.assertEqual(part.revision, WRITERS)
        self.assertEqual(sorted(part.data["fields"]["body"].split("\n")), sorted(f"dòng {i}" for i in range(WRITERS)))
