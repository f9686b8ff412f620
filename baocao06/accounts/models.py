"""People and what they may do: global roles (Secretariat, viewer) and unit memberships."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class GlobalRole(models.TextChoices):
    NONE = "", "—"
    SECRETARIAT = "secretariat", "Thư ký Tổ công tác"
    VIEWER = "viewer", "Lãnh đạo (xem báo cáo)"


class UnitRole(models.TextChoices):
    REPORTER = "reporter", "Chuyên viên"
    APPROVER = "approver", "Lãnh đạo đơn vị"
    # A province's or ministry's staff who review the reports of the units under it (its level round).
    REVIEWER = "reviewer", "Thẩm định báo cáo cấp dưới"


class User(AbstractUser):
    """A person who signs in. Their unit roles are in `Membership`; a person may hold several."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=32, blank=True)
    global_role = models.CharField("vai trò chung", max_length=16, choices=GlobalRole.choices, blank=True, default="")
    mfa_enabled = models.BooleanField("đã bật xác thực hai lớp", default=False, editable=False)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_secretariat(self) -> bool:
        return self.is_active and self.global_role == GlobalRole.SECRETARIAT

    @property
    def is_viewer(self) -> bool:
        return self.is_active and self.global_role in {GlobalRole.VIEWER, GlobalRole.SECRETARIAT}


class Membership(models.Model):
    """`user` acts for `unit` in `role` (reporter fills, approver submits, reviewer reviews the reports
    of the units under `unit` in the rounds `unit` owns)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="người dùng")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="memberships", verbose_name="đơn vị")
    role = models.CharField("vai trò", max_length=16, choices=UnitRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class LoginFailure(models.Model):
    """A failed sign-in, counted per username and address to throttle guessing.

    Kept in the database (not a per-process cache) so every app process sees the same count.
    Officials share office addresses, so the limit is per username *and* address, with a higher
    limit per username alone against guessing from many addresses.
    """

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "at"], name="login_failure_idx")]

    def __str__(self) -> str:
        return f"{self.username}@{self.address} {self.at:%d/%m/%Y %H:%M}"


class TotpDevice(models.Model):
    """A person's authenticator app (TOTP, RFC 6238). Required for the Secretariat and approvers."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)  # base32
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_used_step = models.BigIntegerField(default=0)  # a code is accepted once (no replay)

    class Meta:
        verbose_name = "ứng dụng xác thực"
        verbose_name_plural = "ứng dụng xác thực"

    def __str__(self) -> str:
        return f"TOTP {self.user}"


class RecoveryCode(models.Model):
    """A one-time recovery code (stored as a hash), for when the authenticator app is lost."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"recovery code of {self.user} ({'used' if self.used_at else 'unused'})"
