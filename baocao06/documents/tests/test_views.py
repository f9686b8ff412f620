"""Downloading a version's report as DOCX and PDF: who may, what they get, the PDF made in the background."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import docx
from django.test import override_settings
from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.documents.models import VersionPdf
from baocao06.documents.unit_report import custom_property
from baocao06.reports.actions import do_submit_report
from baocao06.test import BaseTestCase

MEDIA = Path(tempfile.mkdtemp(prefix="baocao06-media-"))


@override_settings(MEDIA_ROOT=MEDIA)
class VersionDocumentViewTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.fill_completely(cls.report, cls.reporter)
        cls.version = do_submit_report(cls.report, actor=cls.approver)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def url(self, name: str) -> str:
        return reverse(f"documents:{name}", args=[self.report.pk, self.version.number])

    def test_the_unit_and_the_secretariat_download_the_docx_and_others_get_404(self):
        for user in (self.reporter, self.approver, self.secretariat, self.viewer):
            with self.subTest(user.username):
                self.login(user)
                response = self.client.get(self.url("version_docx"))
                self.assertEqual(response.status_code, 200)
                self.assertIn(f"bao-cao-ky-{self.round.pk}-BTP-lan-1.docx", response["Content-Disposition"])
                self.assertEqual(custom_property(response.content), self.version.content_hash)
                text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
                self.assertIn("Kính gửi: Tổ công tác triển khai Đề án 06.", text)
        for user in (self.outsider, self.province_reporter):
            with self.subTest(user.username):
                self.login(user)
                for name in ("version_docx", "version_pdf", "version_documents"):
                    self.assertEqual(self.client.get(self.url(name)).status_code, 404)
                self.assertEqual(self.client.post(self.url("request_pdf")).status_code, 404)
        self.assertFalse(VersionPdf.objects.exists())

    def test_the_pdf_is_made_in_the_background_then_downloaded(self):
        self.login(self.reporter)
        self.assertEqual(self.client.get(self.url("version_pdf")).status_code, 404)  # not made yet
        page = self.client.get(reverse("reports:version", args=[self.report.pk, 1]))
        self.assertContains(page, "Tạo tệp PDF")
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("request_pdf"), headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'hx-trigger="every 1s"')  # queued: the fragment polls
        job = VersionPdf.objects.get(version=self.version)
        self.assertEqual((job.status, job.progress), ("done", 100))
        self.assertTrue(AuditEvent.objects.filter(action="report.pdf_requested", data__version=1).exists())
        fragment = self.client.get(self.url("version_documents"))
        self.assertContains(fragment, "Tải văn bản (PDF/A)")
        self.assertNotContains(fragment, "hx-trigger")
        download = self.client.get(self.url("version_pdf"))
        self.assertEqual(download["Content-Type"], "application/pdf")
        data = b"".join(download.streaming_content)
        self.assertTrue(data.startswith(b"%PDF"))
        self.assertIn(f"baocao06-version-{self.version.content_hash}".encode(), data)
        # Asking again reuses the made file: one job, one audit event.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url("request_pdf"))
        self.assertEqual(VersionPdf.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="report.pdf_requested").count(), 1)
        # A reporter sees no signing form (the approver signs); the approver does.
        page = self.client.get(reverse("reports:version", args=[self.report.pk, 1]))
        self.assertNotContains(page, "signed-form")
        self.login(self.approver)
        page = self.client.get(reverse("reports:version", args=[self.report.pk, 1]))
        self.assertContains(page, 'id="signed-form"')
