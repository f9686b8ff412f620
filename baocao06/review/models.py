"""Review of submitted reports: the Secretariat's comments, anchored where they apply, and replies."""

from django.conf import settings
from django.db import models
from django.utils import timezone

MAX_COMMENT = 5000


class Comment(models.Model):
    """A remark on a report, anchored to the report as a whole, a section (and field), a table row or
    a cell — or a reply in the thread of such a remark.

    The Secretariat's remarks on a report under review are drafts (`published_at` empty), seen only by
    the Secretariat, until the report is returned or accepted; replies and remarks on a returned report
    are published at once. Comments are never edited; a draft can be withdrawn before it is published.
    """

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="comments")
    version = models.ForeignKey(
        "reports.ReportVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="comments"
    )
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replies")
    part = models.CharField("mục / phụ lục", max_length=60, blank=True)
    field = models.CharField("trường", max_length=60, blank=True)
    row = models.CharField("dòng", max_length=64, blank=True)
    column = models.CharField("cột", max_length=60, blank=True)
    place = models.CharField("vị trí", max_length=300)
    body = models.TextField("nội dung", max_length=MAX_COMMENT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_secretariat = models.BooleanField(default=False)
    created_at = models.DateTimeField("lúc", default=timezone.now)
    published_at = models.DateTimeField("công bố lúc", null=True, blank=True)

    class Meta:
        verbose_name = "nhận xét"
        verbose_name_plural = "nhận xét"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "published_at"], name="comment_report_idx")]

    def __str__(self) -> str:
        return f"{self.place}: {self.body[:60]}"

    @property
    def anchor(self) -> tuple[str, str, str, str]:
        return (self.part, self.field, self.row, self.column)


class ExplanationRequest(models.Model):
    """The Secretariat asks a unit to explain why its report is late; the unit's answer is kept with it."""

    report = models.ForeignKey("reports.Report", on_delete=models.PROTECT, related_name="explanations")
    message = models.TextField("nội dung đề nghị", max_length=MAX_COMMENT)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("đề nghị lúc", default=timezone.now)
    answer = models.TextField("giải trình của đơn vị", max_length=MAX_COMMENT, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField("giải trình lúc", null=True, blank=True)

    class Meta:
        verbose_name = "đề nghị giải trình"
        verbose_name_plural = "đề nghị giải trình"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.requested_at:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
