"""Signed PDFs: the approver's upload checked against a test CA made here, refusals with nothing kept,
a hostile corpus, signing on the server with a PKCS#12 certificate (the version's and the national PDF)."""

from __future__ import annotations

import atexit
import io
import shutil
import tempfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from baocao06.audit.models import AuditEvent
from baocao06.documents.actions import do_request_version_pdf
from baocao06.documents.models import SignedDocument, VersionPdf
from baocao06.documents.tests.ca import TestCA, sign
from baocao06.reports.actions import do_save_part, do_submit_report
from baocao06.review.actions import do_return_report
from baocao06.test import BaseTestCase

MEDIA = Path(tempfile.mkdtemp(prefix="baocao06-media-"))
atexit.register(shutil.rmtree, MEDIA, True)


@override_settings(MEDIA_ROOT=MEDIA)
class SignedUploadTests(BaseTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.ca = TestCA()
        parts = cls.fill_completely(cls.report, cls.reporter)
        cls.first = do_submit_report(cls.report, actor=cls.approver)
        do_return_report(cls.report, actor=cls.secretariat, message="Bổ sung số liệu.")
        key = next(k for k, v in parts.items() if "fields" in v)
        data = {"fields": {**parts[key]["fields"]}}
        field = next(iter(data["fields"]))
        data["fields"][field] = str(data["fields"][field]) + " Bổ sung theo yêu cầu."
        revision = cls.report.parts.get(key=key).revision
        do_save_part(cls.report, key, data, base_revision=revision, actor=cls.reporter)
        cls.version = do_submit_report(cls.report, actor=cls.approver)
        with override_settings(MEDIA_ROOT=MEDIA), cls.captureOnCommitCallbacks(execute=True):
            do_request_version_pdf(cls.version, actor=cls.approver)
            do_request_version_pdf(cls.first, actor=cls.approver)
        cls.pdf = (MEDIA / VersionPdf.objects.get(version=cls.version).path).read_bytes()
        cls.first_pdf = (MEDIA / VersionPdf.objects.get(version=cls.first).path).read_bytes()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.ca.folder, ignore_errors=True)

    def setUp(self):
        self.settings_override = override_settings(BAOCAO06_SIGNATURE_TRUST_ROOTS=self.ca.trust_roots)
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def upload(self, data: bytes, user=None, name="bao-cao-da-ky.pdf"):
        self.login(user or self.approver)
        url = reverse("documents:upload_signed", args=[self.report.pk, self.version.number])
        return self.client.post(url, {"file": SimpleUploadedFile(name, data, "application/pdf")}, follow=True)

    def stored_files(self) -> list[Path]:
        return sorted(MEDIA.rglob("da-ky-*.pdf"))

    def assert_refused(self, data: bytes, message: str):
        before_files = self.stored_files()
        response = self.upload(data)
        self.assertEqual(response.status_code, 200)
        said = " | ".join(str(m) for m in response.context["messages"])
        self.assertIn(message, said)
        self.assertFalse(SignedDocument.objects.exists())
        self.assertEqual(self.stored_files(), before_files)
        self.assertTrue(AuditEvent.objects.filter(action="report.signed_pdf_refused").exists())
        return response

    # --- the five cases --------------------------------------------------------------------------

    def test_a_valid_signature_on_the_versions_pdf_is_kept_with_its_signer(self):
        response = self.upload(sign(self.pdf, self.ca.signer))
        self.assertContains(response, "Đã kiểm tra và lưu bản PDF đã ký số của Nguyen Van Ky")
        document = SignedDocument.objects.get()
        self.assertEqual(
            (document.version, document.signer, document.road), (self.version, "Nguyen Van Ky", "uploaded")
        )
        self.assertIn("Root CA thử nghiệm", document.issuer)
        self.assertIsNotNone(document.signed_at)
        self.assertTrue((MEDIA / document.path).read_bytes().startswith(b"%PDF"))
        event = AuditEvent.objects.get(action="report.signed_pdf_stored")
        self.assertEqual(event.data["signer"], "Nguyen Van Ky")
        # The version page shows the signer, the time and the validity; the copy downloads.
        page = self.client.get(reverse("reports:version", args=[self.report.pk, self.version.number]))
        self.assertContains(page, "Nguyen Van Ky")
        self.assertContains(page, "Hợp lệ")
        download = self.client.get(reverse("documents:signed_download", args=[document.pk]))
        self.assertEqual(b"".join(download.streaming_content), (MEDIA / document.path).read_bytes())

    def test_an_expired_certificate_is_refused(self):
        self.assert_refused(sign(self.pdf, self.ca.expired), "Chứng thư số của người ký đã hết hạn")

    def test_a_certificate_from_another_root_is_refused(self):
        self.assert_refused(sign(self.pdf, self.ca.stranger), "không do tổ chức chứng thực tin cậy cấp")

    def test_a_file_changed_after_signing_is_refused(self):
        from pyhanko.pdf_utils import generic
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        writer = IncrementalPdfFileWriter(io.BytesIO(sign(self.pdf, self.ca.signer)))
        writer.root["/Lang"] = generic.TextStringObject("en")
        writer.update_root()
        out = io.BytesIO()
        writer.write(out)
        self.assert_refused(out.getvalue(), "đã bị thay đổi sau khi ký")

    def test_a_signed_pdf_of_another_version_is_refused(self):
        self.assertNotEqual(self.first.content_hash, self.version.content_hash)
        self.assert_refused(sign(self.first_pdf, self.ca.signer), "báo cáo của một lần gửi khác")

    def test_a_bytes_level_change_inside_the_signed_range_breaks_the_signature(self):
        signed = bytearray(sign(self.pdf, self.ca.signer))
        at = signed.find(b"/Keywords")
        signed[at + 12] = ord("X") if signed[at + 12] != ord("X") else ord("Y")
        self.assert_refused(bytes(signed), "Chữ ký số không hợp lệ")

    # --- who may upload ----------------------------------------------------------------------------

    def test_a_reporter_cannot_upload_and_another_unit_sees_nothing(self):
        response = self.upload(sign(self.pdf, self.ca.signer), user=self.reporter)
        self.assertEqual(response.status_code, 403)
        response = self.upload(sign(self.pdf, self.ca.signer), user=self.outsider)
        self.assertEqual(response.status_code, 404)
        self.assertFalse(SignedDocument.objects.exists())

    def test_without_trust_anchors_nothing_is_accepted(self):
        with override_settings(BAOCAO06_SIGNATURE_TRUST_ROOTS=[]):
            self.assert_refused(sign(self.pdf, self.ca.signer), "chưa được cấu hình chứng thư gốc tin cậy")

    # --- hostile files -----------------------------------------------------------------------------

    def test_a_hostile_corpus_is_refused_with_nothing_stored(self):
        signed = sign(self.pdf, self.ca.signer)
        corpus = {
            "truncated": (signed[: len(signed) // 2], "không trọn vẹn"),
            "not a pdf": (b"PK\x03\x04" + b"\0" * 100, "không phải là tệp PDF"),
            "unsigned": (self.pdf, "không có chữ ký số"),
            "encrypted": (encrypted_pdf(), "được mã hóa"),
            "huge object stream": (object_stream_bomb(), "quá lớn hoặc quá phức tạp"),
            "garbage xref": (b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >>\n" * 50 + b"%%EOF\n", "Không đọc được"),
        }
        for name, (data, message) in corpus.items():
            with self.subTest(name):
                self.assert_refused(data, message)

    def test_the_check_runs_within_memory_and_time_limits(self):
        signed = sign(self.pdf, self.ca.signer)
        with override_settings(BAOCAO06_SIGNED_PDF_MEMORY_MB=40):  # too little to even load pyHanko
            self.assert_refused(signed, "quá lớn hoặc quá phức tạp")
        with override_settings(BAOCAO06_SIGNED_PDF_TIMEOUT=0.05):
            self.assert_refused(signed, "quá lớn hoặc quá phức tạp")

    def test_a_file_over_the_limit_is_refused_before_it_is_read(self):
        with override_settings(BAOCAO06_SIGNED_PDF_MAX_BYTES=1024):
            response = self.upload(b"%PDF-1.7\n" + b"0" * 4096)
        self.assertContains(response, "lớn hơn 0 MB")
        self.assertFalse(SignedDocument.objects.exists())

    def test_a_body_over_the_views_limit_is_refused_from_its_content_length(self):
        from baocao06.documents.signatures import SIGNED_PDF_BODY_LIMIT

        self.login(self.approver)
        url = reverse("documents:upload_signed", args=[self.report.pk, self.version.number])
        response = self.client.generic(
            "POST", url, b"", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=SIGNED_PDF_BODY_LIMIT + 1
        )
        self.assertEqual(response.status_code, 413)

    # --- the second road: the organisation's certificate on the server -------------------------------

    def test_the_approver_signs_on_the_server_with_the_organisations_pkcs12(self):
        p12 = self.ca.signer.pkcs12(self.ca.folder / "co-quan.p12", b"mat-khau-thu")
        with override_settings(BAOCAO06_SIGNING_PKCS12=str(p12), BAOCAO06_SIGNING_PKCS12_PASSPHRASE="mat-khau-thu"):
            self.login(self.approver)
            page = self.client.get(reverse("reports:version", args=[self.report.pk, self.version.number]))
            self.assertContains(page, "Ký số bằng chứng thư của cơ quan")
            url = reverse("documents:sign_on_server", args=[self.report.pk, self.version.number])
            response = self.client.post(url, follow=True)
        self.assertContains(response, "Đã ký số trên máy chủ bằng chứng thư của Nguyen Van Ky")
        document = SignedDocument.objects.get()
        self.assertEqual(document.road, "server")
        self.assertTrue(AuditEvent.objects.filter(action="report.signed_pdf_stored", data__road="server").exists())

    def test_a_pkcs11_module_without_its_library_is_refused_with_a_clear_message(self):
        with override_settings(BAOCAO06_SIGNING_PKCS11_MODULE="/usr/lib/khong-co/libpkcs11.so"):
            self.login(self.approver)
            url = reverse("documents:sign_on_server", args=[self.report.pk, self.version.number])
            response = self.client.post(url, follow=True)
        said = " | ".join(str(m) for m in response.context["messages"])
        self.assertIn("cần gói python-pkcs11", said)
        self.assertFalse(SignedDocument.objects.exists())

    def test_a_wrong_pkcs12_passphrase_signs_nothing(self):
        p12 = self.ca.signer.pkcs12(self.ca.folder / "co-quan-2.p12", b"dung")
        with override_settings(BAOCAO06_SIGNING_PKCS12=str(p12), BAOCAO06_SIGNING_PKCS12_PASSPHRASE="sai"):
            self.login(self.approver)
            url = reverse("documents:sign_on_server", args=[self.report.pk, self.version.number])
            response = self.client.post(url, follow=True)
        said = " | ".join(str(m) for m in response.context["messages"])
        self.assertIn("Không mở được tệp chứng thư số của cơ quan (PKCS#12) hoặc sai mật khẩu.", said)
        self.assertFalse(SignedDocument.objects.exists())


def encrypted_pdf() -> bytes:
    from pyhanko.pdf_utils.crypt import StandardSecurityHandler
    from pyhanko.pdf_utils.writer import PdfFileWriter

    writer = PdfFileWriter()
    writer.encrypt = None
    handler = StandardSecurityHandler.build_from_pw("mat-khau", "mat-khau")
    writer._assign_security_handler(handler)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def object_stream_bomb() -> bytes:
    """A small file whose cross-reference stream (an object stream read when the file is opened)
    inflates to 1.5 GB: a deflate bomb that must be stopped by the child's memory and time limits."""
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(b"\0" * (1 << 20)) for _ in range(1536)) + packer.flush()
    head = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    xref_at = len(head)
    stream = (
        b"2 0 obj\n<< /Type /XRef /Size 3 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length "
        + str(len(body)).encode()
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\n"
    )
    return head + stream + b"startxref\n" + str(xref_at).encode() + b"\n%%EOF\n"


@override_settings(MEDIA_ROOT=MEDIA)
class NationalSigningTests(BaseTestCase):
    def test_the_secretariat_signs_the_national_pdf_on_the_server(self):
        from baocao06.compilation.engine import compile_round
        from baocao06.compilation.models import Generation

        ca = TestCA()
        self.addCleanup(shutil.rmtree, ca.folder, True)
        self.fill_completely(self.report, self.reporter)
        do_submit_report(self.report, actor=self.approver)
        snapshot = compile_round(self.round, provisional=True, actor=self.secretariat)
        self.login(self.secretariat)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("compilation:request_outputs", args=[snapshot.pk]))
        output = Generation.objects.get(snapshot=snapshot).files.get(kind="pdf")
        p12 = ca.signer.pkcs12(ca.folder / "co-quan.p12", b"k")
        settings = {
            "BAOCAO06_SIGNING_PKCS12": str(p12),
            "BAOCAO06_SIGNING_PKCS12_PASSPHRASE": "k",
            "BAOCAO06_SIGNATURE_TRUST_ROOTS": ca.trust_roots,
        }
        with override_settings(**settings):
            page = self.client.get(reverse("compilation:national", args=[self.round.pk]))
            self.assertContains(page, "Ký số (chứng thư của cơ quan)")
            self.login(self.viewer)  # a viewer downloads, never signs
            self.assertEqual(self.client.post(reverse("documents:sign_national", args=[output.pk])).status_code, 403)
            self.login(self.secretariat)
            response = self.client.post(reverse("documents:sign_national", args=[output.pk]), follow=True)
        said = " | ".join(str(m) for m in response.context["messages"])
        self.assertIn("Đã ký số báo cáo tổng hợp bằng chứng thư của Nguyen Van Ky", said)
        document = SignedDocument.objects.get()
        self.assertEqual((document.output, document.version, document.road), (output, None, "server"))
        signed = (MEDIA / document.path).read_bytes()
        original = (MEDIA / output.path).read_bytes()
        self.assertTrue(signed.startswith(original))  # an incremental update: the PDF/A is unchanged
        self.assertTrue(AuditEvent.objects.filter(action="snapshot.signed_pdf_stored").exists())
        self.login(self.viewer)
        download = self.client.get(reverse("documents:signed_download", args=[document.pk]))
        self.assertEqual(b"".join(download.streaming_content), signed)
        self.login(self.reporter)
        self.assertEqual(self.client.get(reverse("documents:signed_download", args=[document.pk])).status_code, 403)


@override_settings(MEDIA_ROOT=MEDIA)
class NationalUploadTests(BaseTestCase):
    """The national report PDF signed with a token and uploaded by the Secretariat, checked against its
    snapshot's hash (in the PDF's keywords, from the DOCX) as a unit's upload is against its version's."""

    @classmethod
    def setUpTestData(cls):
        from baocao06.compilation.actions import do_request_outputs
        from baocao06.compilation.engine import compile_round
        from baocao06.compilation.models import Generation

        super().setUpTestData()
        cls.ca = TestCA()
        cls.fill_completely(cls.report, cls.reporter)
        do_submit_report(cls.report, actor=cls.approver)
        cls.first = compile_round(cls.round, provisional=True, actor=cls.secretariat)
        cls.report.refresh_from_db()
        do_return_report(cls.report, actor=cls.secretariat, message="Bổ sung số liệu.")
        part = cls.report.parts.exclude(data__fields=None).first()
        data = {"fields": {**part.data["fields"]}}
        field = next(iter(data["fields"]))
        data["fields"][field] = str(data["fields"][field]) + " Bổ sung."
        do_save_part(cls.report, part.key, data, base_revision=part.revision, actor=cls.reporter)
        do_submit_report(cls.report, actor=cls.approver)
        cls.second = compile_round(cls.round, provisional=True, actor=cls.secretariat)
        cls.outputs = {}
        for snapshot in (cls.first, cls.second):
            with override_settings(MEDIA_ROOT=MEDIA), cls.captureOnCommitCallbacks(execute=True):
                do_request_outputs(snapshot, actor=cls.secretariat)
            cls.outputs[snapshot.pk] = Generation.objects.get(snapshot=snapshot).files.get(kind="pdf")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.ca.folder, ignore_errors=True)

    def setUp(self):
        self.settings_override = override_settings(BAOCAO06_SIGNATURE_TRUST_ROOTS=self.ca.trust_roots)
        self.settings_override.enable()
        self.addCleanup(self.settings_override.disable)

    def pdf(self, snapshot) -> bytes:
        return (MEDIA / self.outputs[snapshot.pk].path).read_bytes()

    def upload(self, output, data: bytes, user=None):
        self.login(user or self.secretariat)
        url = reverse("documents:upload_signed_national", args=[output.pk])
        return self.client.post(
            url, {"file": SimpleUploadedFile("tong-hop-da-ky.pdf", data, "application/pdf")}, follow=True
        )

    def test_the_snapshots_hash_is_in_the_national_pdfs_keywords(self):
        from baocao06.documents.unit_report import hash_from_keywords

        self.assertNotEqual(self.first.content_hash, self.second.content_hash)
        for snapshot in (self.first, self.second):
            raw = self.pdf(snapshot).decode("latin-1")
            self.assertEqual(hash_from_keywords(raw), snapshot.content_hash)

    def test_a_valid_signed_national_pdf_is_kept_and_shown_with_signer_time_and_validity(self):
        output = self.outputs[self.second.pk]
        response = self.upload(output, sign(self.pdf(self.second), self.ca.signer))
        self.assertContains(response, "Đã kiểm tra và lưu báo cáo tổng hợp đã ký số của Nguyen Van Ky")
        document = SignedDocument.objects.get()
        self.assertEqual((document.output, document.version, document.road), (output, None, "uploaded"))
        self.assertEqual(document.stored_by, self.secretariat)
        event = AuditEvent.objects.get(action="snapshot.signed_pdf_stored")
        self.assertEqual((event.data["signer"], event.data["output"]), ("Nguyen Van Ky", output.pk))
        page = self.client.get(reverse("compilation:national", args=[self.round.pk]))
        self.assertContains(page, "Bản đã ký số: Nguyen Van Ky")
        self.assertContains(page, "Hợp lệ")
        from baocao06.core.templatetags.vn import vndate

        self.assertIsNotNone(document.cert_valid_to)
        self.assertContains(page, f"hiệu lực {vndate(document.cert_valid_from)} – {vndate(document.cert_valid_to)}")
        self.assertContains(page, "Người ký ký bằng thiết bị ký số và tải lên")

    def test_another_snapshots_signed_pdf_is_refused_with_nothing_kept(self):
        before = sorted(MEDIA.rglob("da-ky-*.pdf"))
        response = self.upload(self.outputs[self.second.pk], sign(self.pdf(self.first), self.ca.signer))
        said = " | ".join(str(m) for m in response.context["messages"])
        self.assertIn("báo cáo tổng hợp của một lần tổng hợp khác", said)
        self.assertFalse(SignedDocument.objects.exists())
        self.assertEqual(sorted(MEDIA.rglob("da-ky-*.pdf")), before)
        event = AuditEvent.objects.get(action="snapshot.signed_pdf_refused")
        self.assertEqual(event.data["code"], "other_version")

    def test_only_the_secretariat_uploads(self):
        output = self.outputs[self.second.pk]
        for user in (self.viewer, self.approver):
            self.login(user)
            url = reverse("documents:upload_signed_national", args=[output.pk])
            data = {"file": SimpleUploadedFile("x.pdf", sign(self.pdf(self.second), self.ca.signer), "application/pdf")}
            self.assertEqual(self.client.post(url, data).status_code, 403)
        self.assertFalse(SignedDocument.objects.exists())
