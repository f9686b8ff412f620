"""In a real browser: a unit's approver makes and downloads its report as PDF, signs it (with the test
CA, as their token would) and uploads the signed copy, then sees it verified on the version page."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from baocao06.documents.models import SignedDocument
from baocao06.documents.tests.ca import TestCA, sign
from baocao06.reports.actions import do_submit_report
from baocao06.test import BrowserTestCase, fill_completely

pytestmark = pytest.mark.browser


class SignedReportInBrowserTests(BrowserTestCase):
    def test_the_approver_downloads_the_pdf_uploads_a_signed_copy_and_sees_it_verified(self):
        ca = TestCA()
        media = Path(tempfile.mkdtemp(prefix="baocao06-media-"))
        self.addCleanup(shutil.rmtree, media, True)
        self.addCleanup(shutil.rmtree, ca.folder, True)
        override = override_settings(MEDIA_ROOT=media, BAOCAO06_SIGNATURE_TRUST_ROOTS=ca.trust_roots)
        override.enable()
        self.addCleanup(override.disable)
        fill_completely(self.report, self.reporter)
        version = do_submit_report(self.report, actor=self.approver)

        page = self.page
        self.login(self.approver)
        page.goto(self.live_server_url + reverse("reports:version", args=[self.report.pk, version.number]))
        page.click("#make-pdf")
        link = page.locator("a[data-kind=pdf]")
        link.wait_for(timeout=60_000)  # LibreOffice on the worker; the fragment polls every second
        with page.expect_download() as info:
            link.click()
        download = info.value
        self.assertEqual(download.suggested_filename, f"bao-cao-ky-{self.round.pk}-BTP-lan-1.pdf")
        pdf = Path(download.path()).read_bytes()
        self.assertIn(f"baocao06-version-{version.content_hash}".encode(), pdf)

        signed = media / "da-ky-boi-lanh-dao.pdf"
        signed.write_bytes(sign(pdf, ca.signer))
        page.set_input_files("#signed-file", str(signed))
        page.click("#signed-form button[type=submit]")
        page.locator(".msg-success").wait_for()
        self.assertIn("chữ ký hợp lệ", page.locator(".msg-success").inner_text())
        row = page.locator("#version-documents .signed-row")
        self.assertEqual(row.count(), 1)
        text = row.inner_text()
        self.assertIn("Nguyen Van Ky", text)
        self.assertIn("Root CA thử nghiệm", text)
        self.assertIn("Hợp lệ", text)
        self.assertEqual(SignedDocument.objects.get().version, version)

        # A copy signed under another root is refused on the same page, and nothing is added.
        stranger = media / "la.pdf"
        stranger.write_bytes(sign(pdf, ca.stranger))
        page.set_input_files("#signed-file", str(stranger))
        page.click("#signed-form button[type=submit]")
        page.locator(".msg-error").wait_for()
        self.assertIn("không do tổ chức chứng thực tin cậy cấp", page.locator(".msg-error").inner_text())
        self.assertEqual(page.locator("#version-documents .signed-row").count(), 1)
        self.assertEqual(SignedDocument.objects.count(), 1)
