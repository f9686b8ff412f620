"""A unit's report as a document: its PDF made in the background, and the signed copies kept."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from baocao06.jobs.models import BackgroundJob


class VersionPdf(BackgroundJob):
    """Making the PDF of a submitted version's report (DOCX → LibreOffice) on the background worker.

    One per version: the version never changes, so its PDF is made once and served from
    MEDIA_ROOT/reports/<report>/<version>/ by the access-checked download view."""

    version = models.OneToOneField("reports.ReportVersion", on_delete=models.CASCADE, related_name="pdf_job")
    path = models.CharField(max_length=300, blank=True)  # relative to MEDIA_ROOT
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "tệp PDF của lần gửi"
        verbose_name_plural = "tệp PDF của lần gửi"

    def __str__(self) -> str:
        return f"PDF {self.version} — {self.get_status_display()}"


class SignatureRoad(models.TextChoices):
    UPLOADED = "uploaded", "Người ký ký bằng thiết bị ký số và tải lên"
    SERVER = "server", "Ký số của cơ quan trên máy chủ"


class SignedDocument(models.Model):
    """A signed PDF kept as the legal copy, with the facts of its signature as checked when it came in:
    of a unit's submitted version (`version`) or of a national report file (`output`). Never changed."""

    version = models.ForeignKey(
        "reports.ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="signed_documents"
    )
    output = models.ForeignKey(
        "compilation.OutputFile", null=True, blank=True, on_delete=models.PROTECT, related_name="signed_documents"
    )
    road = models.CharField("cách ký", max_length=16, choices=SignatureRoad.choices)
    path = models.CharField(max_length=300)  # relative to MEDIA_ROOT
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    signer = models.CharField("người ký", max_length=255)
    subject = models.CharField("chứng thư của người ký", max_length=500)
    issuer = models.CharField("tổ chức cấp chứng thư", max_length=500)
    serial = models.CharField("số hiệu chứng thư", max_length=80)
    cert_valid_from = models.DateTimeField(null=True, blank=True)
    cert_valid_to = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField("thời điểm ký", null=True, blank=True)
    summary = models.CharField("kết quả kiểm tra", max_length=200, blank=True)
    verified_at = models.DateTimeField("kiểm tra lúc", default=timezone.now)
    stored_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "bản PDF đã ký số"
        verbose_name_plural = "bản PDF đã ký số"
        ordering = ["-verified_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__isnull=False, output__isnull=True)
                | models.Q(version__isnull=True, output__isnull=False),
                name="signeddocument_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"{self.signer} — {self.verified_at:%d/%m/%Y %H:%M}"
