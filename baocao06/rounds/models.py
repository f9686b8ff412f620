"""Reporting rounds (kỳ báo cáo): a definition frozen into a layout, dates, and assigned units."""

import datetime as dt
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone

from baocao06.definitions.layout import Layout


class PeriodKind(models.TextChoices):
    FIRST_HALF = "h1", "6 tháng đầu năm"
    SECOND_HALF = "h2", "6 tháng cuối năm"
    YEAR = "year", "Cả năm"
    CUSTOM = "custom", "Theo văn bản yêu cầu"


def default_window(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """Data window of Decree 09/2019/NĐ-CP art. 12 for a period of `year`."""
    if kind == PeriodKind.FIRST_HALF:
        return dt.date(year - 1, 12, 15), dt.date(year, 6, 14)
    if kind == PeriodKind.SECOND_HALF:
        return dt.date(year, 6, 15), dt.date(year, 12, 14)
    return dt.date(year - 1, 12, 15), dt.date(year, 12, 14)


def default_compile_settings() -> dict:
    """Circular 02/2017/TT-VPCP art. 27 figures and the savings rule (see rounds/settings.py)."""
    from .settings import DEFAULTS

    return dict(DEFAULTS)


def default_reminder_offsets() -> list[int]:
    """3 days and 1 day before the deadline, 1 day after it (see notifications/reminders.py)."""
    return [-3, -1, 1]


class RoundStatus(models.TextChoices):
    OPEN = "open", "Đang nhận báo cáo"
    CLOSED = "closed", "Đã khóa"


@lru_cache(maxsize=32)
def _layout(round_id: int, layout_hash: str) -> Layout:
    """Parsed once per process per round version; the layout JSON is read only on a miss."""
    data = Round.objects.filter(pk=round_id).values_list("layout", flat=True).get()
    return Layout(data)


# What a report's page, its autosave and the API never read from its round: the frozen layout (100+ KB,
# read once per process by `get_layout()`), the unit mapping made when it was opened and the national
# report's form settings. Deferred wherever a report is loaded with its round (`Report.objects.
# with_round()`), since each JSON column is decoded on every row fetched.
ROUND_WIDE = ("layout", "unit_mapping", "document_settings")


class RoundQuerySet(models.QuerySet):
    def light(self):
        """Without the frozen layout JSON (100+ KB), which `get_layout()` reads once per process."""
        return self.defer("layout")


class Round(models.Model):
    """A round asks the assigned units to report on one frozen layout, by a deadline.

    The layout (definition + catalogue rows) is copied in when the round is opened and never
    changes afterwards; a later definition version or catalogue edit affects later rounds only.
    """

    title = models.CharField("tên kỳ báo cáo", max_length=255)
    definition = models.ForeignKey("definitions.Definition", on_delete=models.PROTECT, verbose_name="mẫu báo cáo")
    layout = models.JSONField("mẫu đã cố định", editable=False)
    layout_hash = models.CharField(max_length=64, editable=False)
    period_kind = models.CharField("kỳ", max_length=8, choices=PeriodKind.choices)
    year = models.PositiveSmallIntegerField("năm")
    data_from = models.DateField("số liệu từ ngày")
    data_to = models.DateField("số liệu đến ngày (chốt số liệu)")
    deadline = models.DateTimeField("hạn gửi báo cáo")
    dispatch_number = models.CharField("số văn bản yêu cầu", max_length=64, blank=True)
    dispatch_date = models.DateField("ngày văn bản", null=True, blank=True)
    contact_name = models.CharField("người liên hệ", max_length=150, blank=True)
    contact_phone = models.CharField("điện thoại liên hệ", max_length=32, blank=True)
    contact_email = models.EmailField("thư điện tử liên hệ", blank=True)
    status = models.CharField("trạng thái", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_at = models.DateTimeField("mở lúc", default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("khóa lúc", null=True, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_rounds",
        verbose_name="kỳ trước (chuyển tiếp nhiệm vụ)",
    )
    # A level round (kỳ báo cáo cấp tỉnh): a province or ministry (`owner`) gathers the reports of the
    # units under it, usually cascaded from the national round (`parent`) with an earlier deadline.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="level_rounds",
        verbose_name="kỳ báo cáo cấp trên",
    )
    owner = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_rounds",
        verbose_name="đơn vị tổ chức kỳ (cấp tỉnh, bộ)",
    )
    reminder_offsets = models.JSONField(
        "nhắc hạn (số ngày so với hạn gửi)", default=default_reminder_offsets, blank=True
    )
    # Read through rounds/settings.py (round_settings, baseline_figures), which merges the defaults.
    compile_settings = models.JSONField("thiết lập tính toán, tổng hợp", default=default_compile_settings, blank=True)
    unit_mapping = models.JSONField(
        "đơn vị được ánh xạ khi mở kỳ",
        default=dict,
        blank=True,
        editable=False,
        help_text="{day, remaps: [{from, from_name, to, to_name, places}], warnings: [...]} (rounds/succession.py)",
    )
    baseline = models.JSONField(
        "số liệu mốc tháng 12/2023", default=dict, blank=True, help_text="{bảng: {dòng: {cột: số}}}"
    )
    # How the national report is issued (issuer, number, addressees, signer…); read through
    # rounds/document.py (document_settings), which fills in the defaults.
    document_settings = models.JSONField("thể thức báo cáo tổng hợp", default=dict, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "kỳ báo cáo"
        verbose_name_plural = "kỳ báo cáo"
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "owner"], condition=models.Q(parent__isnull=False), name="round_one_level_round"
            ),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True) | models.Q(owner__isnull=False), name="round_level_has_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_level_round(self) -> bool:
        """Organised by a province or ministry for the units under it (not by the Secretariat)."""
        return self.owner_id is not None

    @property
    def reviewer_label(self) -> str:
        """Who reviews the round's reports, as units read it: the Secretariat or the owning province."""
        return self.owner.name if self.owner_id else "Thư ký Tổ công tác"

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN

    def get_layout(self) -> Layout:
        """The runtime layout, parsed once per process per round version (a frozen layout never
        changes, so its hash identifies it)."""
        return _layout(self.pk, self.layout_hash)

    @property
    def reference_date(self) -> dt.date:
        """The day whose units the round shows (the end of its data window)."""
        return self.data_to
