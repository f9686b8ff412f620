"""Writes to report definitions: loading a file, drafts of new versions, publishing.

Each action runs in one transaction and writes one audit event (old → new). A published version
(`Definition`) is never changed by any of them; a draft is edited one checked operation at a time,
and an edit sent from a page older than the draft's last change is refused (`DraftConflict`).
"""

from __future__ import annotations

import json

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.core import clock

from . import editing
from .document import check_document, definition_document, spec_yaml
from .drafts import Applied, Edit, apply_edit, draft_problems
from .loading import store_definition
from .models import Definition, DefinitionDraft
from .spec import SpecError


class DraftConflict(Exception):
    """The draft changed since the page the edit was made on."""

    def __init__(self, revision: int):
        self.revision = revision
        super().__init__(
            "Bản nháp vừa được sửa ở nơi khác (có thể bởi người khác); thao tác của bạn chưa được ghi. "
            "Trang đã được tải lại với nội dung mới nhất, hãy làm lại."
        )


class DraftClosed(Exception):
    """A published draft is read-only; its version is frozen."""


class PublishRefused(Exception):
    """The draft still has problems; `problems` lists them (place, message, severity)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(f"Bản nháp còn {len(problems)} lỗi, chưa công bố được.")


def _json(document) -> str:
    return json.dumps(document, ensure_ascii=False)


@transaction.atomic
def do_load_definition(text: str, *, actor=None, version: str | None = None) -> tuple[Definition, bool]:
    """Store a definition file as a published version (`load_definition`). With `version`, the
    file's content is stored under that version, as its canonical YAML (docs/definition-format.md)."""
    if version is not None:
        from .document import plain
        from .spec import parse_yaml, spec_from_data

        data = parse_yaml(text)
        if isinstance(data, dict):
            data = {**plain(data), "version": version}
        text = spec_yaml(spec_from_data(data))
    definition, created = store_definition(text, actor)
    if created:
        record(
            "definition.loaded",
            definition,
            actor=actor,
            key=definition.key,
            version=definition.version,
            checksum=definition.checksum,
        )
    return definition, created


@transaction.atomic
def do_create_draft(definition: Definition, *, actor, version: str = "") -> DefinitionDraft:
    """Copy a published version into a new draft (the version named `version`, or a free name)."""
    document = definition_document(definition)
    taken = set(Definition.objects.filter(key=definition.key).values_list("version", flat=True))
    taken |= {d.version for d in DefinitionDraft.objects.filter(published_as__isnull=True)}
    document["version"] = version.strip() or editing.unique_key(f"{definition.version}-moi", taken)
    now = clock.now()
    draft = DefinitionDraft.objects.create(
        based_on=definition,
        document_text=_json(document),
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    record(
        "definition.draft_created",
        draft,
        actor=actor,
        changes=[{"place": "version", "old": None, "new": document["version"]}],
        based_on=f"{definition.key} {definition.version}",
    )
    return draft


def _locked(draft: DefinitionDraft, base_revision: int | None) -> DefinitionDraft:
    locked = DefinitionDraft.objects.select_for_update().get(pk=draft.pk)
    if locked.is_published:
        raise DraftClosed("Bản nháp đã được công bố thành phiên bản; phiên bản đã công bố không sửa được.")
    if base_revision is not None and base_revision != locked.revision:
        raise DraftConflict(locked.revision)
    return locked


@transaction.atomic
def do_edit_draft(draft: DefinitionDraft, edit: Edit, *, base_revision: int, actor) -> Applied:
    """Apply one editor operation to a draft and store the result, valid or not (a draft may be
    invalid while being edited: every problem is shown at its place). One audit event per edit."""
    locked = _locked(draft, base_revision)
    applied = apply_edit(locked.document, edit)
    locked.document_text = _json(applied.document)
    locked.revision += 1
    locked.updated_at = clock.now()
    locked.updated_by = actor
    locked.save(update_fields=["document_text", "revision", "updated_at", "updated_by"])
    record(
        "definition.draft_edited",
        locked,
        actor=actor,
        changes=[
            {"place": editing.path_text(edit.path) or "(thông tin chung)", "old": applied.old, "new": applied.new}
        ],
        op=edit.op,
        kind=edit.kind,
        revision=locked.revision,
    )
    draft.document_text, draft.revision = locked.document_text, locked.revision
    return applied


@transaction.atomic
def do_publish_draft(draft: DefinitionDraft, *, base_revision: int, actor) -> Definition:
    """Publish a valid draft: its canonical YAML becomes a new, immutable `Definition`, offered
    when a round is opened; the draft becomes read-only."""
    locked = _locked(draft, base_revision)
    problems = [p for p in draft_problems(locked.document) if p[2] == "error"]
    spec, _ = check_document(locked.document)
    if problems or spec is None:
        raise PublishRefused(problems or [("tệp", "nội dung không hợp lệ", "error")])
    try:
        definition, created = store_definition(spec_yaml(spec), actor)
    except SpecError as exc:
        raise PublishRefused([(place, message, "error") for place, message in exc.problems]) from None
    if not created:  # the same content was published meanwhile under this version
        raise PublishRefused([("version", f"Phiên bản {spec.version} đã được công bố.", "error")])
    locked.published_as = definition
    locked.updated_at = clock.now()
    locked.updated_by = actor
    locked.save(update_fields=["published_as", "updated_at", "updated_by"])
    record(
        "definition.published",
        definition,
        actor=actor,
        changes=[{"place": "version", "old": None, "new": f"{definition.key} {definition.version}"}],
        draft=locked.pk,
        based_on=locked.based_on_id,
        checksum=definition.checksum,
    )
    draft.published_as = definition
    return definition


@transaction.atomic
def do_discard_draft(draft: DefinitionDraft, *, actor) -> None:
    """Delete an unpublished draft; its last content is kept in the audit event."""
    locked = _locked(draft, None)
    record(
        "definition.draft_discarded",
        locked,
        actor=actor,
        changes=[{"place": "draft", "old": locked.document, "new": None}],
    )
    locked.delete()
