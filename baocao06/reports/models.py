"""A unit's report in a round: draft parts, submitted versions, refused stale edits."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone

from baocao06.core import statements


class ReportStatus(models.TextChoices):
    """A report's state, in the words of the glossary (docs/architecture.md, "Words"): one word per
    state everywhere — pages, exports, charts, e-mails. "Đã gửi" is not a state: it says a unit has
    sent at least once."""

    NOT_STARTED = "not_started", "Chưa bắt đầu"
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Chờ thẩm định"
    RETURNED = "returned", "Bị trả lại"
    ACCEPTED = "accepted", "Đã tiếp nhận"


EDITABLE_STATUSES = frozenset({ReportStatus.NOT_STARTED, ReportStatus.DRAFT, ReportStatus.RETURNED})
# Reports the unit still owes (never sent, or sent back): the ones reminders chase.
OUTSTANDING_STATUSES = EDITABLE_STATUSES


def overdue_q(now) -> models.Q:
    """Reports owed past the unit's deadline (on a queryset annotated `with_deadline()`): never sent,
    or returned and not sent again. The same rule as `Report.is_overdue`."""
    owed = models.Q(first_submitted_at__isnull=True) | models.Q(status=ReportStatus.RETURNED)
    return models.Q(effective_deadline__lt=now) & owed


# What an autosave reads of its report, round and unit: the access rules, the unit's view of the
# layout, the engine's context. An autosave is the commonest request and most of its CPU was the ORM
# building and reading these rows, so `report_for_autosave` reads them in one statement built once
# (core.statements). Anything else read from them costs a query, which
# reports/tests/test_autosave_cost.py would count.
AUTOSAVE_FIELDS = ("id", "status", "round_id", "unit_id")
AUTOSAVE_RELATED = {
    "round": ("id", "status", "layout_hash", "owner_id", "compile_settings", "baseline"),
    "unit": ("id", "key", "kind"),
}


def report_for_autosave(report_id: int) -> "Report | None":
    """The report with its round and unit, only the columns in AUTOSAVE_FIELDS and AUTOSAVE_RELATED."""
    return statements.get(Report, AUTOSAVE_FIELDS, related=AUTOSAVE_RELATED, id=report_id)


class ReportQuerySet(models.QuerySet):
    def with_deadline(self):
        """Annotate `effective_deadline`: the unit's extension, or else the round's deadline."""
        return self.annotate(effective_deadline=Coalesce("deadline_extended_to", "round__deadline"))

    def with_round(self):
        """With its round and unit in the same query, without the round's wide JSON that no report page,
        autosave or API call reads (`rounds.models.ROUND_WIDE`)."""
        from baocao06.rounds.models import ROUND_WIDE

        return self.select_related("round", "unit").defer(*(f"round__{name}" for name in ROUND_WIDE))


class Report(models.Model):
    """One unit's report in one round. Its state moves only through the actions in actions.py."""

    round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="reports", verbose_name="kỳ")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="reports", verbose_name="đơn vị")
    status = models.CharField(
        "trạng thái", max_length=16, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField("hoạt động gần nhất", null=True, blank=True)
    last_activity_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    first_submitted_at = models.DateTimeField("gửi lần đầu lúc", null=True, blank=True)
    # Whether the unit's first submission came after its deadline (a resubmission after a return
    # does not make a unit late; each version keeps its own late flag).
    late = models.BooleanField("gửi muộn", default=False)
    current_version = models.ForeignKey(
        "ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    deadline_extended_to = models.DateTimeField("gia hạn đến", null=True, blank=True)
    extension_note = models.CharField("lý do gia hạn", max_length=500, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo"
        verbose_name_plural = "báo cáo"
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="report_round_unit_unique")]
        indexes = [models.Index(fields=["round", "status"], name="report_round_status_idx")]

    def __str__(self) -> str:
        return f"{self.unit} — {self.round}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES and self.round.is_open

    @property
    def deadline(self):
        """The unit's effective deadline: its extension if granted, else the round's."""
        return self.deadline_extended_to or self.round.deadline

    def is_overdue(self, now=None) -> bool:
        """Owing a report past the unit's deadline: nothing ever submitted, or returned and not sent
        again (a unit that sent on time and was sent back after the deadline owes it from then)."""
        now = now or timezone.now()
        owed = self.first_submitted_at is None or self.status == ReportStatus.RETURNED
        return owed and now > self.deadline


class ReportPart(models.Model):
    """The draft of one section or table: exactly what was typed, and a revision for concurrency.

    Each part is saved on its own (autosave sends one part), so two people editing different
    parts never conflict; an edit based on an old revision of the same part is refused.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=60)
    data = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="part_report_key_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.key}@{self.revision}"


class ReportVersion(models.Model):
    """A submitted version: the canonical content at submission, its hash, who and when. Immutable."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("lần gửi")
    content = models.JSONField("nội dung")
    content_hash = models.CharField("mã băm nội dung", max_length=64)
    submitted_at = models.DateTimeField("gửi lúc", default=timezone.now)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    late = models.BooleanField("gửi muộn", default=False)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "phiên bản đã gửi"
        verbose_name_plural = "phiên bản đã gửi"
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="version_report_number_unique"),
            models.UniqueConstraint(fields=["report", "idempotency_key"], name="version_idempotency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.report} — lần {self.number}"


class PartConflict(models.Model):
    """A stale edit that was refused, kept whole so that nothing a person typed is lost."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="conflicts")
    key = models.CharField(max_length=60)
    data = models.JSONField()
    base_revision = models.PositiveIntegerField()
    current_revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.key} refused at revision {self.base_revision} < {self.current_revision}"
