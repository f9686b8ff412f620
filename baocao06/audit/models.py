"""The audit log: every change to report data and catalogues, append-only."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    """Who did what, when, to which object, with old → new values and the request id.

    Rows are never updated or deleted: triggers refuse UPDATE and DELETE (PostgreSQL: migration 0002,
    and TRUNCATE: 0003; SQLite: 0003), and on PostgreSQL the table belongs to an owner role of its own
    (`protect_audit`), so the application's role cannot drop them. No code path does either.
    """

    at = models.DateTimeField("lúc", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name="người thực hiện"
    )
    actor_label = models.CharField("người thực hiện (ghi lại)", max_length=150)
    action = models.CharField("thao tác", max_length=64, db_index=True)
    object_type = models.CharField("loại đối tượng", max_length=32)
    object_id = models.CharField("mã đối tượng", max_length=64)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, verbose_name="đơn vị")
    changes = models.JSONField("thay đổi", default=list, blank=True)
    data = models.JSONField("thông tin thêm", default=dict, blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True)

    class Meta:
        verbose_name = "sự kiện nhật ký"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
