"""Reporting units: ministries, agencies, provinces, communes, state corporations."""

import datetime as dt

from django.db import models
from django.db.models import Q

from baocao06.core.vietnamese import collation_key

from .kinds import KIND_ORDER, UnitKind


class UnitQuerySet(models.QuerySet):
    def valid_on(self, day: dt.date):
        """Units that exist on `day` (a 2024 round sees 63 provinces, a 2026 round 34)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )

    def in_report_order(self):
        """Central bodies, then corporations, provinces, communes; Vietnamese collation inside."""
        return self.order_by("kind_order", "sort_key")


class Unit(models.Model):
    """A body that reports: identified by a stable `key`, official `code`, validity and successor.

    Units are never deleted: a merged province ends (`valid_to`) and names its `successor`, so an
    old round still shows the units of its time and comparisons map old units onto new ones.
    """

    key = models.CharField("mã khóa", max_length=24, unique=True)
    code = models.CharField("mã chính thức", max_length=24, db_index=True)
    name = models.CharField("tên", max_length=255)
    full_name = models.CharField("tên đầy đủ", max_length=255, blank=True)
    short_name = models.CharField("tên viết tắt", max_length=64, blank=True)
    kind = models.CharField("loại", max_length=24, choices=UnitKind.choices, db_index=True)
    kind_order = models.PositiveSmallIntegerField(default=0, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name="trực thuộc", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name="đơn vị kế thừa",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    email = models.EmailField("thư điện tử nhận thông báo", blank=True)
    notes = models.TextField("ghi chú", blank=True)
    sort_key = models.CharField(max_length=1024, editable=False, db_index=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["kind_order", "sort_key"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="unit_validity_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.sort_key = collation_key(self.name)
        self.kind_order = KIND_ORDER.get(self.kind, 9)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def current_successor(self, day: dt.date) -> "Unit":
        """Follow successor links until a unit valid on `day` (or the last one) is reached."""
        unit, seen = self, set()
        while not unit.is_valid_on(day) and unit.successor_id and unit.pk not in seen:
            seen.add(unit.pk)
            unit = unit.successor
        return unit
