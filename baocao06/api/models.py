"""API tokens: how a ministry's or province's own system sends figures without a browser session."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiRole(models.TextChoices):
    REPORTER = "reporter", "Nhập số liệu (đọc, ghi bản nháp)"
    APPROVER = "approver", "Nhập và gửi báo cáo"
    VIEWER = "viewer", "Xem số liệu tổng hợp toàn quốc"


class ApiToken(models.Model):
    """A secret that lets one system act for one unit in one role, until it expires or is revoked.

    Only a hash of the secret is stored; the secret is shown once, when the Secretariat creates it.
    Writes made with a token are made by its own service account (`user`), which is inactive: it can
    never sign in, so a token can never become a browser session, and the audit log names it.
    """

    name = models.CharField("tên hệ thống", max_length=150)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="api_tokens", verbose_name="đơn vị")
    role = models.CharField("quyền", max_length=16, choices=ApiRole.choices)
    prefix = models.CharField("mã nhận dạng", max_length=16, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="người tạo"
    )
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    expires_at = models.DateTimeField("hết hạn lúc")
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    last_used_at = models.DateTimeField("dùng gần nhất", null=True, blank=True)

    class Meta:
        verbose_name = "mã truy cập API"
        verbose_name_plural = "mã truy cập API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} — {self.unit} ({self.prefix})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now and self.unit_id is not None

    @property
    def can_write(self) -> bool:
        return self.role in {ApiRole.REPORTER, ApiRole.APPROVER}

    @property
    def can_submit(self) -> bool:
        return self.role == ApiRole.APPROVER
