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
    """A task with a stable identity across rounds: a Resolution 175 task or one a unit reports.

    A unit's tasks (source `unit`) are recorded from the free rows of its submitted reports (see
    catalogues/task_records.py) with a code `NV-<unit>-<n>`; carried into later rounds, their rows are
    keyed `n<code>`, so "carried over from the previous round" is a fact the system knows.
    """

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
    unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name="đơn vị báo cáo",
    )
    from_unit = models.ForeignKey(
        "units.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="chuyển từ đơn vị (trước sắp xếp)",
        help_text="Đơn vị đã báo cáo nhiệm vụ trước khi được hợp nhất vào đơn vị hiện tại; mã giữ nguyên.",
    )
    first_round = models.ForeignKey(
        "rounds.Round",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="báo cáo lần đầu",
    )
    last_report = models.ForeignKey(
        "reports.Report",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="báo cáo gần nhất",
    )
    last_result = models.CharField("kết quả gần nhất", max_length=32, blank=True)
    is_open = models.BooleanField("chưa hoàn thành", default=True)
    # False for work the definition says is never overdue (recurring); see definitions/taskrows.py.
    can_be_overdue = models.BooleanField("có thể quá hạn", default=True)

    class Meta:
        verbose_name = "nhiệm vụ"
        verbose_name_plural = "nhiệm vụ"
        ordering = ["source", "position", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"

    def save(self, *args, **kwargs):
        self.due_date = deadline_date(self.due)
        super().save(*args, **kwargs)


class TaskRow(models.Model):
    """Which task a row of a unit's report is: the task's identity, kept outside the row's key.

    A row typed in a round keeps the key the browser gave it; a carried row is keyed `n<code>`.
    """

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="task_rows")
    table = models.CharField(max_length=60)
    row_key = models.CharField(max_length=64)
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="rows")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "table", "row_key"], name="taskrow_report_row_unique")]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.table}/{self.row_key} → {self.task_id}"
