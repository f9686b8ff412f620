"""The national compilation: submitted content normalised for SQL, snapshots and their output files."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from baocao06.jobs.models import BackgroundJob


class PartKind(models.TextChoices):
    SECTION = "s", "Mục đề cương"
    TABLE = "t", "Phụ lục"


class VersionValue(models.Model):
    """One value of a submitted version, normalised so that national tables are SQL aggregates.

    Written once, with the version, by `reports.actions.do_submit_report` (see `values.py`), and never
    changed (versions are immutable). A table cell is one row (`number` for integer, money and percent
    cells, `text` for the rest; a multiple choice gives one row per chosen value); a narrative field is
    one row with `kind = s`, `part` the section key, `column` the field key and `text` the text.
    """

    version = models.ForeignKey("reports.ReportVersion", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=1, choices=PartKind.choices)
    part = models.CharField(max_length=60)
    row = models.CharField(max_length=64, blank=True)
    group = models.CharField(max_length=16, blank=True)
    # What national tables group a row by: the row key for fixed rows; for a row a unit added itself,
    # "~" + its label folded (case and spaces ignored), so the same service from many units is one row.
    merge_key = models.CharField(max_length=200, blank=True)
    position = models.PositiveIntegerField(default=0)
    column = models.CharField(max_length=60)
    number = models.DecimalField(max_digits=24, decimal_places=4, null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["version", "kind", "part"], name="versionvalue_version_part_idx"),
            # The compile's aggregates over one appendix's columns (PL01 results, PL02, rankings) read
            # only those rows; see docs/decisions/0004.
            models.Index(
                fields=["part", "column", "version"],
                include=["number", "group", "merge_key"],
                name="versionvalue_part_column_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}:{self.part}/{self.row}/{self.column}"


class Snapshot(models.Model):
    """One compilation of a round: the exact versions it used, its national tables and their hash.

    Outputs are generated from the snapshot only, so one snapshot always gives the same figures.
    """

    round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveIntegerField("lần tổng hợp")
    provisional = models.BooleanField("tạm tính", default=False)
    created_at = models.DateTimeField("lúc", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    versions = models.ManyToManyField("reports.ReportVersion", through="SnapshotVersion", related_name="+")
    data = models.JSONField("bảng tổng hợp")
    content_hash = models.CharField("mã băm nội dung", max_length=64)

    class Meta:
        verbose_name = "bản tổng hợp"
        verbose_name_plural = "bản tổng hợp"
        ordering = ["round", "-number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="snapshot_round_number_unique")]

    def __str__(self) -> str:
        return f"{self.round} — tổng hợp lần {self.number}{' (tạm tính)' if self.provisional else ''}"


class SnapshotVersion(models.Model):
    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey("reports.ReportVersion", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["snapshot", "version"], name="snapshotversion_unique")]

    def __str__(self) -> str:
        return f"{self.snapshot_id}:{self.version_id}"


class SnapshotPage(models.Model):
    """What the round's national page and the dashboard show of a snapshot, prepared once.

    Made by the compile job right after the snapshot (`dashboard.prepare_page`), so a page never
    compiles, draws a chart or reads the snapshot's whole `data` (tens of MB at national scale, the
    units' texts included) while a person waits: `data` holds only the tables the pages show
    (completeness, services, the view's rankings and task counts, the comparison with the previous
    round) and `charts` the SVG images."""

    snapshot = models.OneToOneField(Snapshot, on_delete=models.CASCADE, primary_key=True, related_name="page")
    data = models.JSONField()
    charts = models.JSONField()

    class Meta:
        verbose_name = "trang tổng hợp"
        verbose_name_plural = "trang tổng hợp"

    def __str__(self) -> str:
        return str(self.snapshot_id)


class UnitSheet(models.Model):
    """A submitted version's appendix tables as rows of its sheet in the national workbook, prepared once.

    A version never changes, so its sheet's rows (`outputs/unit_sheets.py`: every row after the unit's
    name and version line, as raw deflate ending on a sync flush) are written when the version is
    submitted (`prepare_unit_sheets_task`) and the national workbook copies them as they are. `layout`
    names what else the rows depend on: the round's frozen layout, the workbook's styles and the
    writer's format (`unit_sheets.sheet_layout_key`); another key is another sheet. Derived data, like
    `SnapshotPage`: made from the immutable version, never edited, so not an audited change.
    """

    version = models.ForeignKey("reports.ReportVersion", on_delete=models.CASCADE, related_name="+")
    layout = models.CharField(max_length=64)
    rows = models.PositiveIntegerField()  # rows of the sheet, the two head rows included
    max_col = models.IntegerField()  # the last column used (0-based; -1 when none)
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "layout"], name="unitsheet_version_layout_unique")]

    def __str__(self) -> str:
        return f"{self.version_id}:{self.layout[:12]}"


class VersionSummary(models.Model):
    """What the national compile reads of a submitted version besides its numbers, made once.

    `summaries.summarise` writes it from the version's value rows when the version is submitted (the
    tasks' counts and open tasks, the names of the unit's own service rows); `key` names what else it
    depends on (the round's frozen layout and the summary's format: `summaries.summary_key`). Derived
    data, like `UnitSheet`: made from the immutable version, never edited, so not an audited change.
    """

    version = models.ForeignKey("reports.ReportVersion", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="versionsummary_version_key_unique")]

    def __str__(self) -> str:
        return f"{self.version_id}:{self.key[:12]}"


class SumsBase(models.Model):
    """The services' sums of one set of a round's versions, kept so that the next compile of the round
    reads only the versions that came or went since (`sums.round_sums`).

    `version_ids` are the versions summed, `sums` their totals as `[part, group, merge key, column,
    "sum", count]`, `key` what else they depend on (the tables summed and `sums.FORMAT`). Derived data,
    like `VersionSummary`: sums of immutable versions, replaced whole by a compile, never edited, so
    not an audited change.
    """

    round = models.ForeignKey("rounds.Round", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    version_ids = models.JSONField()
    sums = models.JSONField()
    made_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "key"], name="sumsbase_round_key_unique")]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.key[:12]}"


class GenerationStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang tạo"
    DONE = "done", "Hoàn thành"
    FAILED = "failed", "Lỗi"


class Generation(BackgroundJob):
    """Producing a snapshot's files (DOCX, XLSX, JSON, CSV) in the background, with its progress.

    A background job (baocao06/jobs): if its worker dies, the lease runs it again or fails it."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="generations")
    status = models.CharField(max_length=8, choices=GenerationStatus.choices, default=GenerationStatus.QUEUED)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.snapshot} — {self.get_status_display()} {self.progress}%"


class CompileJob(BackgroundJob):
    """Compiling a round in the background: a request, its progress, and the snapshot it produced.

    The snapshot and `snapshot` here are written in one transaction, so a compile the lease runs again
    after its worker died never makes a second snapshot."""

    round = models.ForeignKey("rounds.Round", on_delete=models.CASCADE, related_name="compile_jobs")
    provisional = models.BooleanField("tạm tính", default=False)
    snapshot = models.ForeignKey(Snapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "yêu cầu tổng hợp"
        verbose_name_plural = "yêu cầu tổng hợp"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.round} — tổng hợp {'tạm tính' if self.provisional else 'chính thức'} ({self.status})"


class OutputKind(models.TextChoices):
    DOCX = "docx", "Báo cáo (DOCX)"
    PDF = "pdf", "Báo cáo (PDF/A)"
    XLSX = "xlsx", "Phụ lục (XLSX)"
    JSON = "json", "Bảng tổng hợp (JSON)"
    CSV = "csv", "Bảng tổng hợp (CSV, nén ZIP)"


class OutputFile(models.Model):
    """One file made from a snapshot (DOCX, XLSX, JSON, CSV), stored under MEDIA_ROOT and served only
    through the access-checked download view."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(max_length=8, choices=OutputKind.choices)
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=300)  # relative to settings.MEDIA_ROOT
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["generation", "kind"], name="outputfile_kind_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def download_name(self) -> str:
        """The name people see and save: the round and the compilation's number as the page shows
        them ("Tổng hợp lần 2" of round 1 → tong-hop-ky-1-lan-2-…), never a database id."""
        snapshot = self.generation.snapshot
        return f"tong-hop-ky-{snapshot.round_id}-lan-{snapshot.number}-{self.name}"


class ConsolidationTake(models.Model):
    """What a province's (ministry's) draft last took from its accepted lower units: each child's
    version and each consolidated figure, so the page can show what changed since and refresh on request."""

    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE, related_name="consolidation_take")
    level_round = models.ForeignKey("rounds.Round", on_delete=models.PROTECT, related_name="+")
    basis = models.JSONField("phiên bản của các đơn vị cấp dưới", default=dict)  # unit id → version id
    values = models.JSONField("số liệu tổng hợp", default=dict)  # "table|row|column" → sum as text
    taken_at = models.DateTimeField("lấy lúc")
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    def __str__(self) -> str:
        return f"consolidation of report {self.report_id} at {self.taken_at:%d/%m/%Y %H:%M}"


class FigureAdjustment(models.Model):
    """A province's own value for a consolidated figure, with the reason shown beside it."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="figure_adjustments")
    table = models.CharField(max_length=60)
    row = models.CharField(max_length=64)
    column = models.CharField(max_length=60)
    value = models.DecimalField("số điều chỉnh", max_digits=24, decimal_places=4)
    reason = models.TextField("lý do điều chỉnh")
    adjusted_at = models.DateTimeField("điều chỉnh lúc")
    adjusted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "table", "row", "column"], name="figure_adjustment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report_id}:{self.table}.{self.row}.{self.column} = {self.value}"


class DraftStatus(models.TextChoices):
    DRAFT = "draft", "Đang soạn"
    SUBMITTED = "submitted", "Chờ lãnh đạo duyệt"
    APPROVED = "approved", "Đã duyệt"


class NationalDraft(models.Model):
    """The national report the Secretariat writes over a snapshot (compilation/drafting.py).

    One per round. `snapshot` is the compilation whose figures `{{so_lieu:KEY}}` references print;
    moving the draft to a newer snapshot lists the figures that changed (`moved_changes`). Each
    section's text is a `NationalDraftSection` saved with a revision like a unit's report part; the
    whole draft is kept as a `NationalDraftVersion` when submitted, approved or saved as a version.
    The DOCX of `snapshot` prints the approved version's text as its body."""

    round = models.OneToOneField("rounds.Round", on_delete=models.CASCADE, related_name="national_draft")
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT)
    approved_version = models.ForeignKey(
        "NationalDraftVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_annex = models.BooleanField("kèm phụ lục ý kiến của các đơn vị", default=True)
    moved_changes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "bản soạn báo cáo tổng hợp"
        verbose_name_plural = "bản soạn báo cáo tổng hợp"
        permissions = [("approve_nationaldraft", "Duyệt báo cáo tổng hợp (lãnh đạo Thư ký Tổ công tác)")]

    def __str__(self) -> str:
        return f"{self.round} — báo cáo tổng hợp ({self.get_status_display()})"


class NationalDraftSection(models.Model):
    """The national text of one outline section, with its revision (stale saves are refused and kept
    as `NationalDraftConflict`), whether it still is the untouched suggestion, and the units'
    paragraphs marked as used."""

    draft = models.ForeignKey(NationalDraft, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=60)
    text = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    from_suggestion = models.BooleanField(default=False)
    used = models.JSONField(default=list, blank=True)  # unit keys whose paragraph was marked as used
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["draft", "key"], name="nationaldraftsection_unique")]

    def __str__(self) -> str:
        return f"{self.draft_id}:{self.key}@{self.revision}"


class NationalDraftConflict(models.Model):
    """A stale save of a section, refused and kept whole so nothing typed is lost."""

    section = models.ForeignKey(NationalDraftSection, on_delete=models.CASCADE, related_name="conflicts")
    text = models.TextField()
    base_revision = models.PositiveIntegerField()
    current_revision = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"{self.section_id} refused at {self.base_revision} < {self.current_revision}"


class NationalDraftVersion(models.Model):
    """The whole draft as it stood (submitted, approved, or saved by hand): never changed."""

    draft = models.ForeignKey(NationalDraft, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField()  # {section key: text}
    reason = models.CharField(max_length=16)  # saved, submitted, approved
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["draft", "-number"]
        constraints = [models.UniqueConstraint(fields=["draft", "number"], name="nationaldraftversion_unique")]

    def __str__(self) -> str:
        return f"{self.draft_id} v{self.number} ({self.reason})"
