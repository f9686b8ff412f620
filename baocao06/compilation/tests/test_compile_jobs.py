"""Compiling in the background: the request returns at once, the job makes the snapshot and its page,
and the national page and the dashboard render from what is stored, without compiling or drawing."""

from __future__ import annotations

from unittest import mock

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from baocao06.audit.models import AuditEvent
from baocao06.compilation import engine
from baocao06.compilation.actions import do_compile, do_request_compile, run_compile
from baocao06.compilation.models import CompileJob, Snapshot, SnapshotPage
from baocao06.compilation.tasks import compile_task
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_accept_report
from baocao06.test import BaseTestCase, fill_completely

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def refuse(*args, **kwargs):
    raise AssertionError("a page compiled or drew while someone waited")


class CompileJobTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=4)
        do_submit_report(cls.report, actor=cls.approver)
        fill_completely(cls.province_report, cls.province_approver, seed=5)
        do_submit_report(cls.province_report, actor=cls.province_approver)
        do_accept_report(cls.report, actor=cls.secretariat)

    def run_queued(self, job: CompileJob) -> dict:
        """What the worker does with the queued task (the worker itself is tested in jobs/tests)."""
        task = DBTaskResult.objects.get(pk=job.task_id)
        self.assertEqual((task.status, task.task_path), ("READY", compile_task.module_path))
        return task.task.call(*task.task_result.args, **task.task_result.kwargs)

    @override_settings(TASKS=DB_TASKS)
    def test_a_compile_request_returns_at_once_and_the_queued_job_makes_the_snapshot(self):
        self.login(self.secretariat)
        url = reverse("compilation:compile", args=[self.round.pk])
        with (
            mock.patch.object(engine, "national_tables", side_effect=refuse),
            self.captureOnCommitCallbacks(execute=True),
        ):
            response = self.client.post(url, {"provisional": "1"})
        self.assertRedirects(response, reverse("compilation:national", args=[self.round.pk]))
        job = CompileJob.objects.get()
        self.assertEqual((job.status, job.provisional, job.requested_by), ("queued", True, self.secretariat))
        self.assertFalse(Snapshot.objects.exists())
        self.assertTrue(AuditEvent.objects.filter(action="round.compile_requested").exists())

        page = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        self.assertContains(page, "Đang tổng hợp tạm tính")
        self.assertContains(page, f'hx-get="{reverse("compilation:compile_job", args=[job.pk])}"')
        with self.captureOnCommitCallbacks(execute=True):  # the same button again: the same request
            self.client.post(url, {"provisional": "1"})
        self.assertEqual(CompileJob.objects.count(), 1)

        result = self.run_queued(job)
        job.refresh_from_db()
        snapshot = Snapshot.objects.get()
        self.assertEqual(result, {"job": job.pk, "status": "done", "snapshot": snapshot.pk})
        self.assertEqual((job.status, job.progress, job.snapshot, job.attempts), ("done", 100, snapshot, 1))
        self.assertTrue(snapshot.provisional)
        expected = set(engine.select_versions(self.round, provisional=True))
        self.assertEqual(set(snapshot.versions.values_list("pk", flat=True)), expected)
        self.assertTrue(SnapshotPage.objects.filter(snapshot=snapshot).exists())
        self.assertEqual(AuditEvent.objects.get(action="round.compiled").actor, self.secretariat)

        fragment = self.client.get(reverse("compilation:compile_job", args=[job.pk]), HTTP_HX_REQUEST="true")
        self.assertEqual(fragment["HX-Redirect"], reverse("compilation:national", args=[self.round.pk]) + "?lan=1")

    def test_nothing_to_compile_is_refused_at_once_and_nothing_is_queued(self):
        self.login(self.secretariat)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("compilation:compile", args=[self.other_round_without_reports().pk]), {"provisional": "1"}
            )
        self.assertEqual(response.status_code, 302)
        self.assertFalse(CompileJob.objects.exists())

    def other_round_without_reports(self):
        from baocao06.test import open_test_round

        return open_test_round(self.definition, [self.other_province], actor=self.secretariat, title="Kỳ trống")

    def test_the_pages_render_from_the_stored_snapshot_without_compiling_or_drawing(self):
        snapshot = do_compile(self.round, actor=self.secretariat)
        page = SnapshotPage.objects.get(snapshot=snapshot)
        self.assertLessEqual({"completeness", "online_rate", "savings", "tasks"}, set(page.charts))
        self.login(self.viewer)
        national = reverse("compilation:national", args=[self.round.pk])
        dashboard = reverse("compilation:dashboard") + f"?ky={self.round.pk}"
        with (
            mock.patch.object(engine, "national_tables", side_effect=refuse),
            mock.patch.object(engine, "compile_round", side_effect=refuse),
            mock.patch("baocao06.compilation.dashboard._draw_svg", side_effect=refuse),
            mock.patch("baocao06.compilation.dashboard.prepare_page", side_effect=refuse),
            CaptureQueriesContext(connection) as queries,
        ):
            responses = [self.client.get(national), self.client.get(dashboard)]
            chart = reverse("compilation:chart", args=[snapshot.pk, "online_rate"])
            responses.append(self.client.get(chart))
        for response in responses[:2]:
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, "Bộ Tư pháp")  # the ministries' ranking
            self.assertContains(response, f'src="{chart}"')
        self.assertContains(responses[0], "Tổng hợp lần 1")
        self.assertEqual(responses[2]["Content-Type"], "image/svg+xml; charset=utf-8")
        self.assertEqual(responses[2].content.decode(), page.charts["online_rate"]["svg"])
        # The snapshot's whole `data` (the units' texts included) is never read by the pages.
        self.assertFalse([q["sql"] for q in queries if '"compilation_snapshot"."data"' in q["sql"]])

    def test_a_snapshot_without_a_stored_page_gets_it_once_at_its_first_view(self):
        snapshot = engine.compile_round(self.round, actor=self.secretariat)  # as `load_demo` does
        self.login(self.viewer)
        self.assertEqual(self.client.get(reverse("compilation:national", args=[self.round.pk])).status_code, 200)
        self.assertTrue(SnapshotPage.objects.filter(snapshot=snapshot).exists())

    def test_a_job_run_again_after_its_snapshot_was_recorded_makes_no_second_snapshot(self):
        job = do_request_compile(self.round, actor=self.secretariat)
        run_compile(job.pk)
        # As the lease leaves it when the worker died after the snapshot's commit, before "done".
        CompileJob.objects.filter(pk=job.pk).update(status="queued")
        SnapshotPage.objects.all().delete()
        self.assertEqual(run_compile(job.pk)["status"], "done")
        self.assertEqual(Snapshot.objects.count(), 1)
        self.assertTrue(SnapshotPage.objects.exists())
        self.assertEqual(CompileJob.objects.get(pk=job.pk).attempts, 2)
