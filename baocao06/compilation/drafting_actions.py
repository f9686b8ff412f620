"""Writes of the national draft (compilation/drafting.py), each in one transaction and audited.

A section is saved like a unit's report part (reports/actions.py `do_save_part`): with the revision
it was based on; a save on an older revision is refused, kept whole as a `NationalDraftConflict` and
raised as `DraftConflict`; the same text sent again is not a conflict. The leader's approval
(permission `compilation.approve_nationaldraft`) fixes a version; the files of the draft's snapshot
print that approved version. An edit after approval puts the draft back to "Đang soạn" (the approved
version stays until a new one is approved).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from baocao06.audit.actions import record
from baocao06.core import clock

from . import drafting
from .models import (
    DraftStatus,
    NationalDraft,
    NationalDraftConflict,
    NationalDraftSection,
    NationalDraftVersion,
    Snapshot,
)

MAX_TEXT = 200_000
APPROVE = "compilation.approve_nationaldraft"


class DraftRefused(Exception):
    """A write the draft cannot take now (a clear message in Vietnamese)."""


class DraftConflict(Exception):
    def __init__(self, section: NationalDraftSection, conflict: NationalDraftConflict):
        self.section, self.conflict = section, conflict
        super().__init__("Mục này vừa được người khác sửa; bản của bạn đã được giữ lại.")


def _clean(text) -> str:
    return str(text or "")[:MAX_TEXT].replace("\x00", "").replace("\r\n", "\n")


def _section_keys(draft: NationalDraft) -> set[str]:
    return set(draft.round.get_layout().section_index)


def _lock(draft: NationalDraft) -> NationalDraft:
    return NationalDraft.objects.select_for_update().select_related("round", "snapshot").get(pk=draft.pk)


def _lapse_approval(draft: NationalDraft, actor) -> list[dict]:
    if draft.status == DraftStatus.DRAFT:
        return []
    old = draft.status
    draft.status = DraftStatus.DRAFT
    draft.save(update_fields=["status"])
    return [{"place": "status", "old": old, "new": draft.status}]


def do_start_draft(round_, snapshot: Snapshot, *, actor) -> NationalDraft:
    """Start the round's national draft over `snapshot` (the existing draft is returned as is)."""
    if snapshot.round_id != round_.pk:
        raise DraftRefused("Bản tổng hợp không thuộc kỳ báo cáo này.")
    with transaction.atomic():
        draft, created = NationalDraft.objects.get_or_create(
            round=round_, defaults={"snapshot": snapshot, "created_by": actor, "created_at": clock.now()}
        )
        if created:
            record("national_draft.started", draft, actor=actor, round=round_.pk, snapshot=snapshot.number)
    return draft


def do_save_section(draft: NationalDraft, key: str, text, *, base_revision: int, actor, from_suggestion=False):
    """Save a section's text if `base_revision` is current; otherwise keep it and raise DraftConflict."""
    if key not in _section_keys(draft):
        raise KeyError(key)
    text = _clean(text)
    with transaction.atomic():
        locked = _lock(draft)
        section, _ = NationalDraftSection.objects.select_for_update().get_or_create(draft=locked, key=key)
        if section.text == text and not from_suggestion:
            return section  # sent again (a retry): nothing to write, not a conflict
        if base_revision != section.revision:
            conflict = NationalDraftConflict.objects.create(
                section=section,
                text=text,
                base_revision=base_revision,
                current_revision=section.revision,
                user=actor,
            )
            record(
                "national_draft.edit_refused",
                locked,
                actor=actor,
                section=key,
                base_revision=base_revision,
                current_revision=section.revision,
                conflict=conflict.pk,
            )
            stale = (section, conflict)
        else:
            stale = None
            changes = [{"place": f"sections.{key}", "old": section.text, "new": text}]
            changes += _lapse_approval(locked, actor)
            section.text, section.revision = text, section.revision + 1
            section.from_suggestion = from_suggestion
            section.updated_at, section.updated_by = clock.now(), actor
            section.save()
            record(
                "national_draft.suggestion_taken" if from_suggestion else "national_draft.section_saved",
                locked,
                actor=actor,
                changes=changes,
                section=key,
                revision=section.revision,
            )
    if stale:
        raise DraftConflict(*stale)
    return section


def do_take_suggestion(draft: NationalDraft, key: str, *, base_revision: int, actor) -> NationalDraftSection:
    """Put the section's suggested draft into its editor (the person then edits it)."""
    suggestion = drafting.suggest(draft.snapshot.data, draft.round.get_layout(), key)
    if suggestion.empty:
        raise DraftRefused("Mục này chưa có gợi ý: chưa có số liệu hay ý kiến đơn vị nào.")
    return do_save_section(draft, key, suggestion.text, base_revision=base_revision, actor=actor, from_suggestion=True)


def do_mark_used(draft: NationalDraft, key: str, unit_key: str, used: bool, *, actor) -> NationalDraftSection:
    """Mark a unit's paragraph of a section as used in the national text (or not)."""
    if key not in _section_keys(draft):
        raise KeyError(key)
    with transaction.atomic():
        locked = _lock(draft)
        section, _ = NationalDraftSection.objects.select_for_update().get_or_create(draft=locked, key=key)
        old = list(section.used)
        keys = set(old) | {unit_key} if used else set(old) - {unit_key}
        if keys == set(old):
            return section
        section.used = sorted(keys)
        section.save(update_fields=["used"])
        record(
            "national_draft.paragraph_marked",
            locked,
            actor=actor,
            changes=[{"place": f"sections.{key}.used", "old": old, "new": section.used}],
            section=key,
            unit_key=unit_key,
            used=used,
        )
    return section


def _new_version(draft: NationalDraft, reason: str, actor) -> NationalDraftVersion:
    texts = dict(NationalDraftSection.objects.filter(draft=draft).exclude(text="").values_list("key", "text"))
    number = (NationalDraftVersion.objects.filter(draft=draft).aggregate(n=Max("number"))["n"] or 0) + 1
    return NationalDraftVersion.objects.create(
        draft=draft,
        number=number,
        snapshot=draft.snapshot,
        sections=texts,
        reason=reason,
        created_by=actor,
        created_at=clock.now(),
    )


def do_save_version(draft: NationalDraft, *, actor) -> NationalDraftVersion:
    with transaction.atomic():
        locked = _lock(draft)
        version = _new_version(locked, "saved", actor)
        record("national_draft.version_saved", locked, actor=actor, version=version.number)
    return version


def do_submit_draft(draft: NationalDraft, *, actor) -> NationalDraftVersion:
    """Send the draft to the Secretariat's leader for approval (a version is kept)."""
    with transaction.atomic():
        locked = _lock(draft)
        if not NationalDraftSection.objects.filter(draft=locked).exclude(text="").exists():
            raise DraftRefused("Chưa mục nào có nội dung: chưa thể trình duyệt.")
        unknown = _unknown_references(locked)
        if unknown:
            raise DraftRefused("Có số liệu không tồn tại trong bản tổng hợp: " + ", ".join(unknown) + ".")
        version = _new_version(locked, "submitted", actor)
        old, locked.status = locked.status, DraftStatus.SUBMITTED
        locked.save(update_fields=["status"])
        record(
            "national_draft.submitted",
            locked,
            actor=actor,
            changes=[{"place": "status", "old": old, "new": locked.status}],
            version=version.number,
        )
    return version


def can_approve(user) -> bool:
    return bool(user.is_authenticated and user.is_secretariat and user.has_perm(APPROVE))


def do_approve_draft(draft: NationalDraft, *, actor) -> NationalDraftVersion:
    """The Secretariat's leader approves the submitted draft: its text becomes the report's body."""
    if not can_approve(actor):
        raise PermissionDenied("Chỉ lãnh đạo Thư ký Tổ công tác được duyệt báo cáo tổng hợp.")
    with transaction.atomic():
        locked = _lock(draft)
        if locked.status != DraftStatus.SUBMITTED:
            raise DraftRefused("Bản soạn chưa được trình duyệt (hoặc đã sửa sau khi trình): chưa thể duyệt.")
        version = _new_version(locked, "approved", actor)
        old, locked.status, locked.approved_version = locked.status, DraftStatus.APPROVED, version
        locked.save(update_fields=["status", "approved_version"])
        record(
            "national_draft.approved",
            locked,
            actor=actor,
            changes=[{"place": "status", "old": old, "new": locked.status}],
            version=version.number,
        )
    return version


def _unknown_references(draft: NationalDraft) -> list[str]:
    catalogue = drafting.figures(draft.snapshot.data)
    texts = NationalDraftSection.objects.filter(draft=draft).values_list("text", flat=True)
    return sorted({key for text in texts for key in drafting.unknown_references(text, catalogue)})


def do_move_draft(draft: NationalDraft, snapshot: Snapshot, *, actor) -> list[dict]:
    """Move the draft onto another snapshot of its round; returns (and keeps) the referenced figures
    whose value changed. The approval lapses: the text now prints other figures."""
    if snapshot.round_id != draft.round_id:
        raise DraftRefused("Bản tổng hợp không thuộc kỳ báo cáo này.")
    with transaction.atomic():
        locked = _lock(draft)
        if locked.snapshot_id == snapshot.pk:
            return list(locked.moved_changes)
        texts = list(NationalDraftSection.objects.filter(draft=locked).values_list("text", flat=True))
        changes = drafting.changed_figures(
            texts, drafting.figures(locked.snapshot.data), drafting.figures(snapshot.data)
        )
        old_number = locked.snapshot.number
        status = _lapse_approval(locked, actor)
        locked.snapshot, locked.moved_changes = snapshot, changes
        locked.save(update_fields=["snapshot", "moved_changes"])
        record(
            "national_draft.moved",
            locked,
            actor=actor,
            changes=[{"place": "snapshot", "old": old_number, "new": snapshot.number}, *status],
            figures=changes,
        )
    return changes


def do_set_unit_annex(draft: NationalDraft, enabled: bool, *, actor) -> None:
    with transaction.atomic():
        locked = _lock(draft)
        if locked.unit_annex == enabled:
            return
        old, locked.unit_annex = locked.unit_annex, enabled
        locked.save(update_fields=["unit_annex"])
        record(
            "national_draft.annex_set",
            locked,
            actor=actor,
            changes=[{"place": "unit_annex", "old": old, "new": enabled}],
        )


def approved_body(snapshot: Snapshot) -> dict | None:
    """What the DOCX of `snapshot` prints as its body: the approved draft text of its round when the
    draft is on this snapshot ({"sections": {key: text}, "unit_annex": bool}), else None."""
    draft = NationalDraft.objects.filter(round_id=snapshot.round_id).select_related("approved_version").first()
    if draft is None or draft.approved_version is None or draft.approved_version.snapshot_id != snapshot.pk:
        return None
    return {"sections": dict(draft.approved_version.sections), "unit_annex": draft.unit_annex}


def refuse_outputs_without_approval(snapshot: Snapshot) -> None:
    """Final files of a snapshot the round's draft is written on wait for the leader's approval."""
    draft = NationalDraft.objects.filter(round_id=snapshot.round_id, snapshot=snapshot).first()
    if draft is not None and (draft.approved_version is None or draft.approved_version.snapshot_id != snapshot.pk):
        raise DraftRefused("Báo cáo tổng hợp đang soạn trên bản này chưa được lãnh đạo duyệt: chưa thể tạo tệp.")
