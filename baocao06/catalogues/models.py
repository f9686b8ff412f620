"""Catalogues the Secretariat manages: public services and tasks (Resolution 175 and others)."""

from django.db import models

from baocao06.definitions.cells import deadline_date


class Programme(models.TextChoices):
    DA06 = "DA06", "25 dịch vụ công thiết yếu của Đề án 06"
    QD422 = "QD422", "Quyết định 422/QĐ-TTg"
    QD206 = "QD206", "Quyết định 206/QĐ-TTg"


class Service(models.Model):
    """An essential public service, with the decision it comes from and the ministry that owns it."""

    code = models.CharField("mã", max_length=32, unique=True)
    number = models.CharField("số thứ tự", max_length=16, blank=True)
    name = models.TextField("tên dịch vụ")
    programme = models.CharField("thuộc", max_length=16, choices=Programme.choices)
    owner = models.ForeignKey(
        "units.Unit",
        verbose_name="bộ, ngành quản lý",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_services",
    )
    decision = models.CharField("văn bản", max_length=255, blank=True)
    position = models.PositiveIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "dịch vụ công"
        verbose_name_plural = "dịch vụ công"
        ordering = ["programme", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class TaskSource(models.TextChoices):
    R175 = "r175", "Nghị quyết 175/NQ-CP"
    UNIT = "unit", "Đơn vị tự kê khai (Phụ lục 01)"


class Task(models.Model):
    """A task with a stable identity across rounds: a Resolution 175 task or one a unit reports."""

    code = models.CharField("mã", max_length=48, unique=True)
    source = models.CharField("nguồn", max_length=8, choices=TaskSource.choices, default=TaskSource.R175)
    group = models.CharField("nhóm", max_length=8, blank=True)
    number = models.CharField("số thứ tự", max_length=16, blank=True)
    title = models.TextField("nhiệm vụ")
    lead = models.TextField("đơn vị chủ trì (như văn bản ghi)", blank=True)
    lead_units = models.JSONField("đơn vị chủ trì (mã)", default=list, blank=True)
    coordinating = models.TextField("đơn vị phối hợp", blank=True)
    documents = models.TextField("văn bản chỉ đạo", blank=True)
    due = models.CharField("thời gian hoàn thành", max_length=300, blank=True)
    due_date = models.DateField("hạn (tính từ thời gian hoàn thành)", null=True, blank=True, editable=False)
    note = models.TextField("ghi chú", blank=True)
    position = models.PositiveIntegerField("thứ tự", default=0)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["source", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    def save(self, *args, **kwargs):
        self.due_date = deadline_date(self.due)
        super().save(*args, **kwargs)
