"""Report definitions as loaded: immutable versions of the outline-and-appendices files."""

from django.conf import settings
from django.db import models


class Definition(models.Model):
    """One version of a report definition file, kept exactly as loaded and never edited.

    A new outline is a new version; rounds freeze their own resolved layout when opened, so
    loading a version never changes a round that exists.
    """

    key = models.CharField("mã mẫu", max_length=60)
    version = models.CharField("phiên bản", max_length=60)
    title = models.TextField("tiêu đề")
    source_text = models.TextField("tệp định nghĩa (YAML)")
    spec = models.JSONField("định nghĩa đã kiểm tra")
    checksum = models.CharField("mã băm", max_length=64)
    loaded_at = models.DateTimeField("nạp lúc", auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name="người nạp"
    )

    class Meta:
        verbose_name = "mẫu báo cáo"
        verbose_name_plural = "mẫu báo cáo"
        ordering = ["key", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="definition_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.version} — {self.title[:60]}"
