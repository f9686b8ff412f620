"""Report definitions: immutable published versions, and drafts the Secretariat edits.

A published `Definition` never changes (the model refuses to save an existing row, and the database
refuses UPDATE — migration 0003). A `DefinitionDraft` is the working copy of a new version: the
definition *document* (docs/definition-format.md, the same content a YAML file holds), changed by
small operations each checked by the engine, until it is published as a `Definition`.
"""

import json

from django.conf import settings
from django.db import models


class FrozenDefinition(Exception):
    """A published definition version cannot change."""


class Definition(models.Model):
    """One published version of a report definition, kept exactly as loaded and never edited.

    A new outline is a new version; rounds freeze their own resolved layout when opened, so
    loading a version never changes a round that exists.
    """

    key = models.CharField("mã mẫu", max_length=60)
    version = models.CharField("phiên bản", max_length=60)
    title = models.TextField("tiêu đề")
    source_text = models.TextField("tệp định nghĩa (YAML)")
    spec = models.JSONField("định nghĩa đã kiểm tra")
    checksum = models.CharField("mã băm", max_length=64)
    loaded_at = models.DateTimeField("nạp lúc", auto_now_add=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, verbose_name="người nạp"
    )

    class Meta:
        verbose_name = "mẫu báo cáo"
        verbose_name_plural = "mẫu báo cáo"
        ordering = ["key", "-loaded_at"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="definition_version_unique")]

    def __str__(self) -> str:
        return f"{self.key} {self.version} — {self.title[:60]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenDefinition(f"Phiên bản {self.key} {self.version} đã công bố, không sửa được.")
        super().save(*args, **kwargs)


class DefinitionDraft(models.Model):
    """A new version being written by the Secretariat, copied from a published version.

    `document_text` is the definition document as JSON text (text, not JSONB, so the order the
    Secretariat gave to sections, audiences and fields is kept). It may be invalid while being
    edited; only a valid draft is published, which makes it a `Definition` and the draft read-only.
    `revision` grows with every edit: an edit sent from a stale page is refused.
    """

    based_on = models.ForeignKey(
        Definition, null=True, blank=True, on_delete=models.PROTECT, related_name="drafts", verbose_name="từ phiên bản"
    )
    document_text = models.TextField("nội dung (JSON)")
    revision = models.PositiveIntegerField("lần sửa", default=0)
    created_at = models.DateTimeField("tạo lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="người tạo"
    )
    updated_at = models.DateTimeField("sửa lúc")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name="người sửa"
    )
    published_as = models.OneToOneField(
        Definition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="draft",
        verbose_name="đã công bố thành",
    )

    class Meta:
        verbose_name = "bản nháp mẫu báo cáo"
        verbose_name_plural = "bản nháp mẫu báo cáo"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Bản nháp {self.key} {self.version}"

    @property
    def document(self) -> dict:
        return json.loads(self.document_text)

    def _top(self, name: str) -> str:
        document = self.document
        value = document.get(name) if isinstance(document, dict) else None
        return value if isinstance(value, str) else ""

    @property
    def key(self) -> str:
        return self._top("key")

    @property
    def version(self) -> str:
        return self._top("version")

    @property
    def title(self) -> str:
        return self._top("title")

    @property
    def is_published(self) -> bool:
        return self.published_as_id is not None
