"""Notifications in the app, the e-mail outbox, and the claims that make reminders exactly-once."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationKind(models.TextChoices):
    RETURNED = "returned", "Báo cáo bị trả lại"
    ACCEPTED = "accepted", "Báo cáo được tiếp nhận"
    REOPENED = "reopened", "Báo cáo được mở lại"
    COMMENT = "comment", "Nhận xét, trả lời mới"
    RESUBMITTED = "resubmitted", "Đơn vị gửi lại báo cáo"
    DEADLINE_NEAR = "deadline_near", "Sắp đến hạn gửi báo cáo"
    OVERDUE = "overdue", "Quá hạn gửi báo cáo"
    EXPLANATION = "explanation", "Đề nghị giải trình"
    EXPLANATION_ANSWERED = "explanation_answered", "Đơn vị đã giải trình"
    EXTENSION = "extension", "Gia hạn gửi báo cáo"
    SECURITY = "security", "Bảo mật tài khoản"


class Notification(models.Model):
    """One message for one person in their in-app list; the e-mail copy, if any, is an OutboxEmail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="người nhận"
    )
    kind = models.CharField("loại", max_length=24, choices=NotificationKind.choices)
    title = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=300, blank=True)
    report = models.ForeignKey(
        "reports.Report", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField("lúc", default=timezone.now)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["user", "-created_at"], name="notification_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


class OutboxEmail(models.Model):
    """An e-mail waiting to be sent, written in the same transaction as the event it tells about.

    Workers claim rows with a token and a lease (a conditional UPDATE), send, then record `sent_at`.
    A worker that dies between sending and recording leaves its lease to expire, so another worker
    re-sends at most the messages that were not recorded as sent; nothing is sent twice otherwise.
    """

    to = models.EmailField("gửi đến")
    subject = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung")
    notification = models.ForeignKey(Notification, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField("đã gửi lúc", null=True, blank=True)
    failed_at = models.DateTimeField("thôi gửi lúc", null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = "thư chờ gửi"
        verbose_name_plural = "thư chờ gửi"
        indexes = [models.Index(fields=["sent_at", "failed_at", "lease_until"], name="outbox_pending_idx")]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class ReminderClaim(models.Model):
    """The one reminder of a report for one offset (days from its deadline; negative = before).

    Inserted in the same transaction as the notifications and e-mails it produces, under a unique
    constraint: a second worker's insert fails (or waits, then fails) and it sends nothing; a worker
    that dies mid-way rolls the whole reminder back, and the next pass sends it.
    """

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="reminders")
    offset_days = models.SmallIntegerField("số ngày so với hạn")
    sent_at = models.DateTimeField("gửi lúc")
    worker = models.CharField(max_length=64, blank=True)
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "lần nhắc hạn"
        verbose_name_plural = "lần nhắc hạn"
        constraints = [models.UniqueConstraint(fields=["report", "offset_days"], name="reminder_report_offset_unique")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.offset_days:+d}"
