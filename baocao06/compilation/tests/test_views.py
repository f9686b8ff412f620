"""The national pages: who may see and do what, compiling from the page, the dashboard."""

from __future__ import annotations

from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.compilation.models import CompileJob, Snapshot
from baocao06.reports.actions import do_submit_report
from baocao06.review.actions import do_accept_report
from baocao06.test import BaseTestCase, fill_completely


class NationalPagesTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=4)
        do_submit_report(cls.report, actor=cls.approver)
        fill_completely(cls.province_report, cls.province_approver, seed=5)
        do_submit_report(cls.province_report, actor=cls.province_approver)
        do_accept_report(cls.report, actor=cls.secretariat)

    def test_units_cannot_see_the_national_pages(self):
        for user in (self.reporter, self.approver, self.province_reporter, self.outsider):
            self.login(user)
            for url in (reverse("compilation:dashboard"), reverse("compilation:national", args=[self.round.pk])):
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(self.client.get(url).status_code, 403)
            response = self.client.post(reverse("compilation:compile", args=[self.round.pk]))
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Snapshot.objects.exists())

    def test_a_viewer_reads_but_does_not_compile(self):
        self.login(self.viewer)
        self.assertEqual(self.client.get(reverse("compilation:dashboard")).status_code, 200)
        response = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        self.assertContains(response, "Chưa tổng hợp lần nào")
        self.assertNotContains(response, "Tổng hợp chính thức</button>")
        self.assertEqual(self.client.post(reverse("compilation:compile", args=[self.round.pk])).status_code, 403)

    def compile(self, provisional: str):
        """Press a compile button; the test backend runs the queued job when the request commits."""
        with self.captureOnCommitCallbacks(execute=True):
            url = reverse("compilation:compile", args=[self.round.pk])
            response = self.client.post(url, {"provisional": provisional})
        self.assertEqual(response.status_code, 302)
        job = CompileJob.objects.filter(round=self.round).first()
        self.assertEqual((job.status, job.provisional), ("done", provisional == "1"))
        return self.client.get(response.url if "lan=" in response.url else f"{response.url}?lan={job.snapshot.number}")

    def test_the_secretariat_compiles_final_and_provisional(self):
        self.login(self.secretariat)
        response = self.compile("0")
        self.assertContains(response, "Tổng hợp lần 1")
        self.assertContains(response, "Bộ Tư pháp")  # in the ministries' ranking
        response = self.compile("1")
        self.assertContains(response, "Tổng hợp lần 2")
        self.assertContains(response, "TẠM TÍNH")
        self.assertEqual(list(Snapshot.objects.order_by("number").values_list("provisional", flat=True)), [False, True])
        self.assertEqual(AuditEvent.objects.filter(action="round.compiled", actor=self.secretariat).count(), 2)
        self.assertEqual(AuditEvent.objects.filter(action="round.compile_requested", actor=self.secretariat).count(), 2)
        dashboard = self.client.get(reverse("compilation:dashboard"), {"ky": self.round.pk})
        self.assertContains(dashboard, "Theo tổng hợp lần 2")
        self.assertContains(dashboard, "Nhiệm vụ quá hạn")

    def test_charts_are_images_served_to_viewers_only(self):
        from baocao06.compilation.actions import do_compile

        snapshot = do_compile(self.round, actor=self.secretariat)
        urls = [
            reverse("compilation:chart", args=[snapshot.pk, "online_rate"]),
            reverse("compilation:timeline_chart", args=[self.round.pk]),
        ]
        self.login(self.reporter)
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 403)
        self.login(self.viewer)
        for url in urls:
            response = self.client.get(url)
            self.assertEqual((response.status_code, response["Content-Type"]), (200, "image/svg+xml; charset=utf-8"))
            self.assertTrue(response.content.startswith(b"<?xml"))
        self.assertEqual(self.client.get(reverse("compilation:chart", args=[snapshot.pk, "nope"])).status_code, 404)
        dashboard = self.client.get(reverse("compilation:dashboard"), {"ky": self.round.pk})
        self.assertContains(dashboard, f'src="{urls[1]}"')

    def test_the_completeness_timeline_counts_each_unit_once_on_the_day_it_first_sent(self):
        import datetime as dt

        from django.utils import timezone

        from baocao06.compilation.dashboard import completeness_timeline
        from baocao06.reports.models import Report

        first = timezone.make_aware(dt.datetime(2024, 6, 12, 9))
        Report.objects.filter(pk=self.report.pk).update(first_submitted_at=first)
        Report.objects.filter(pk=self.province_report.pk).update(first_submitted_at=first + dt.timedelta(days=2))
        self.assertEqual(completeness_timeline(self.round), [(dt.date(2024, 6, 12), 1), (dt.date(2024, 6, 14), 1)])

    def test_nothing_accepted_gives_a_clear_message(self):
        from baocao06.review.actions import do_reopen_report

        do_reopen_report(self.report, actor=self.secretariat, reason="Xem lại")
        self.login(self.secretariat)
        response = self.client.post(
            reverse("compilation:compile", args=[self.round.pk]), {"provisional": "0"}, follow=True
        )
        self.assertContains(response, "Chưa có báo cáo nào được tiếp nhận")
        self.assertFalse(Snapshot.objects.exists())


class OutputsTest(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        fill_completely(cls.report, cls.approver, seed=6)
        do_submit_report(cls.report, actor=cls.approver)
        fill_completely(cls.province_report, cls.province_approver, seed=7)
        do_submit_report(cls.province_report, actor=cls.province_approver)

    def setUp(self):
        import tempfile

        from django.test import override_settings

        self.media = tempfile.TemporaryDirectory()
        self.addCleanup(self.media.cleanup)
        override = override_settings(MEDIA_ROOT=self.media.name)
        override.enable()
        self.addCleanup(override.disable)

    def generate(self, snapshot):
        from baocao06.compilation.models import Generation

        self.login(self.secretariat)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("compilation:request_outputs", args=[snapshot.pk]))
        self.assertEqual(response.status_code, 302)
        generation = Generation.objects.filter(snapshot=snapshot).first()
        self.assertEqual((generation.status, generation.progress), ("done", 100))
        return generation

    def test_the_files_of_a_snapshot_are_downloaded_by_viewers_only(self):
        from baocao06.compilation.engine import compile_round

        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        generation = self.generate(snapshot)
        files = {f.kind: f for f in generation.files.all()}
        self.assertEqual(set(files), {"docx", "pdf", "xlsx", "json", "csv"})
        self.assertTrue(AuditEvent.objects.filter(action="snapshot.outputs_requested").exists())
        self.login(self.viewer)
        response = self.client.get(reverse("compilation:download", args=[files["json"].pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        import json

        exported = json.loads(b"".join(response.streaming_content))
        # The snapshot's dict, plus the appendices with their numbers (outputs/numbering.py).
        self.assertEqual(exported.pop("appendices")[2]["heading"], "PHỤ LỤC 03")
        self.assertEqual(exported, snapshot.data)
        fragment = self.client.get(reverse("compilation:generation", args=[generation.pk]))
        self.assertContains(fragment, "Tệp đã tạo xong")
        self.assertContains(fragment, "Báo cáo (PDF/A)")
        pdf = self.client.get(reverse("compilation:download", args=[files["pdf"].pk]))
        self.assertEqual(pdf.status_code, 200)
        self.assertTrue(b"".join(pdf.streaming_content).startswith(b"%PDF"))
        for user in (self.reporter, self.approver):
            self.login(user)
            for output in files.values():
                self.assertEqual(self.client.get(reverse("compilation:download", args=[output.pk])).status_code, 403)

    def test_a_pdf_libreoffice_cannot_make_in_time_leaves_the_other_files_and_the_page_says_so(self):
        import tempfile
        from pathlib import Path

        from django.test import override_settings

        from baocao06.compilation.engine import compile_round

        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        with tempfile.TemporaryDirectory() as tmp:
            hung = Path(tmp) / "soffice"
            hung.write_text("#!/bin/sh\nsleep 30\n")
            hung.chmod(0o755)
            with override_settings(BAOCAO06_SOFFICE=str(hung), BAOCAO06_PDF_TIMEOUT=1):
                generation = self.generate(snapshot)
        self.assertEqual({f.kind for f in generation.files.all()}, {"docx", "xlsx", "json", "csv"})
        fragment = self.client.get(reverse("compilation:generation", args=[generation.pk]))
        self.assertContains(fragment, "Tệp đã tạo xong")
        self.assertContains(fragment, "Chưa có bản PDF: LibreOffice không tạo xong tệp PDF trong 1 giây.")
        self.assertNotContains(fragment, "Báo cáo (PDF/A)")

    def test_the_same_snapshot_gives_the_same_files(self):
        import io
        import zipfile
        from pathlib import Path

        import docx
        from django.conf import settings

        from baocao06.compilation.engine import compile_round

        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        first = {f.kind: f for f in self.generate(snapshot).files.all()}
        second = {f.kind: f for f in self.generate(snapshot).files.all()}
        self.assertNotEqual(first["json"].path, second["json"].path)
        for kind in ("json", "csv"):
            self.assertEqual(first[kind].sha256, second[kind].sha256, kind)

        def text(output):
            path = Path(settings.MEDIA_ROOT) / output.path
            document = docx.Document(io.BytesIO(path.read_bytes()))
            return [p.text for p in document.paragraphs] + [
                cell.text for table in document.tables for row in table.rows for cell in row.cells
            ]

        self.assertEqual(text(first["docx"]), text(second["docx"]))
        root = Path(settings.MEDIA_ROOT)
        with zipfile.ZipFile(root / first["xlsx"].path) as a, zipfile.ZipFile(root / second["xlsx"].path) as b:
            self.assertEqual(
                {n: a.read(n) for n in a.namelist() if "worksheets" in n},
                {n: b.read(n) for n in b.namelist() if "worksheets" in n},
            )
