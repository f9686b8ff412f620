"""Each submitted version keeps a summary of what the compile reads of it besides its numbers
(`compilation/summaries.py`): the national tables must be the same whether the summaries were stored
at submission, made at compile time from the value rows, or prepared afterwards."""

from __future__ import annotations

from baocao06.compilation import summaries
from baocao06.compilation.engine import content_hash, national_tables
from baocao06.compilation.models import VersionSummary
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.review.actions import do_return_report
from baocao06.test import BaseTestCase, submit_filled


class VersionSummaryTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.layout = cls.round.get_layout()
        cls.key = summaries.summary_key(cls.round.layout_hash)
        cls.ids = submit_filled(cls)

    def stored(self) -> dict[int, dict]:
        return dict(
            VersionSummary.objects.filter(version_id__in=self.ids, key=self.key).values_list("version_id", "data")
        )

    def test_a_submission_keeps_the_summary_its_value_rows_give(self):
        stored = self.stored()
        self.assertEqual(sorted(stored), sorted(self.ids))
        # Made at submission from the rows in memory; made again here from the rows read back.
        self.assertEqual(stored, summaries._made(self.ids, self.layout))
        tasks = [s["tasks"] for s in stored.values()]
        self.assertTrue(all(t["rows"] and t["counts"] for t in tasks))
        self.assertTrue(any(t["open"] for t in tasks))
        self.assertTrue(any(s["free_labels"] for s in stored.values()))

    def test_the_tables_are_the_same_with_stored_summaries_or_without(self):
        with_stored = national_tables(self.round, self.ids)
        self.assertTrue(with_stored["tasks"]["open"])
        self.assertTrue(any(table["free_rows"] for table in with_stored["services"]))
        VersionSummary.objects.filter(version_id__in=self.ids).update(key="another layout or format")
        made_now = national_tables(self.round, self.ids)
        self.assertEqual(made_now, with_stored)
        self.assertEqual(content_hash(made_now), content_hash(with_stored))

    def test_the_compile_reads_the_stored_summaries(self):
        before = national_tables(self.round, self.ids)["tasks"]["national"]
        summary = VersionSummary.objects.get(version_id=self.ids[0], key=self.key)
        summary.data["tasks"]["counts"].append(["result", "answer-only-in-the-summary", 7])
        summary.save(update_fields=["data"])
        after = national_tables(self.round, self.ids)["tasks"]["national"]
        self.assertEqual(after["by_result"].pop("answer-only-in-the-summary"), 7)
        self.assertEqual(after, before)

    def test_prepare_stores_the_missing_summaries_once(self):
        stored = self.stored()
        VersionSummary.objects.filter(version_id__in=self.ids[1:]).delete()
        self.assertEqual(summaries.prepare(self.ids, self.layout, self.round.layout_hash), 2)
        self.assertEqual(summaries.prepare(self.ids, self.layout, self.round.layout_hash), 0)
        self.assertEqual(self.stored(), stored)

    def test_a_compile_job_stores_the_summaries_it_had_to_make(self):
        from baocao06.compilation.actions import do_compile
        from baocao06.review.actions import do_accept_report

        for report in (self.report, self.province_report, self.other_report):
            do_accept_report(report, actor=self.secretariat)
        stored = self.stored()
        VersionSummary.objects.filter(version_id__in=self.ids).delete()
        snapshot = do_compile(self.round, actor=self.secretariat)
        self.assertEqual(self.stored(), stored)
        self.assertEqual(snapshot.data["tasks"], national_tables(self.round, self.ids)["tasks"])

    def test_numbers_keep_their_value_and_type(self):
        from decimal import Decimal

        dumped = summaries._dump(Decimal("12.5"))
        self.assertEqual(dumped, {"n": "12.5000"})
        self.assertEqual(summaries.load_value(dumped), Decimal("12.5"))
        self.assertEqual(summaries.load_value("Quý I/2025"), "Quý I/2025")


class OpenTaskOrderTest(BaseTestCase):
    """Open tasks that tie (same unit, lateness and title) are listed in the order of the unit's table,
    whatever order the database gives their values in."""

    def tasks_in_order(self, documents: list[str]) -> list[str]:
        data = {
            "rows": [
                {
                    "key": f"nA{(7, 2, 5)[index]}",  # not in the table's order
                    "group": "A",
                    "values": {
                        "content": "Số hóa hồ sơ hộ tịch",
                        "document": document,
                        "due": "Quý I/2024",
                        "result": "in_progress",
                        "origin": "new",
                    },
                }
                for index, document in enumerate(documents)
            ]
        }
        current = self.report.parts.filter(key="PL01").values_list("revision", flat=True).first() or 0
        do_save_part(self.report, "PL01", data, base_revision=current, actor=self.approver)
        version = do_submit_report(self.report, actor=self.approver)
        listed = national_tables(self.round, [version.pk])["tasks"]["open"]
        return [task["documents"] for task in listed if task["title"] == "Số hóa hồ sơ hộ tịch"]

    def test_ties_follow_the_table(self):
        self.fill_completely(self.report, self.approver, seed=3, skip=("PL01",))
        documents = ["Chỉ thị số 04/CT-TTg", "Nghị quyết số 175/NQ-CP", "Công văn số 1/TCTTKĐA"]
        self.assertEqual(self.tasks_in_order(documents), documents)
        do_return_report(self.report, actor=self.secretariat, message="Sắp xếp lại nhiệm vụ.")
        self.assertEqual(self.tasks_in_order(documents[::-1]), documents[::-1])


class SharedTableTest(BaseTestCase):
    """A definition may name one table for its tasks and its tracker: both are summarised from it."""

    def test_one_table_feeds_the_tasks_and_the_tracker(self):
        from baocao06.compilation.models import PartKind

        layout = self.round.get_layout()
        plan = summaries._Plan(layout)
        plan.tracker, plan.result, plan.cause, plan.done = plan.tasks, "result", "risk", "completed"
        plan.lead_rows = set()
        key = plan.tasks.key
        rows = [
            (1, 1, PartKind.TABLE, key, "nA1", "A", "~việc một", 0, "content", None, "Việc một"),
            (1, 1, PartKind.TABLE, key, "nA1", "A", "~việc một", 0, "result", None, "in_progress"),
            (1, 1, PartKind.TABLE, key, "nA1", "A", "~việc một", 0, "risk", None, "Thiếu kinh phí"),
        ]
        summary = summaries.summarise(rows, layout, plan)
        self.assertEqual(summary["tasks"]["counts"], [["result", "in_progress", 1]])
        self.assertEqual(summary["tracker"]["counts"], [["nA1", "in_progress", 1]])
        self.assertEqual(summary["tracker"]["answers"], [["nA1", "in_progress", "Thiếu kinh phí"]])
