"""Writes to reports: saving a draft part and submitting. Each runs in one transaction,
moves state only through the workflow, and writes an audit event with old → new values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from baocao06.audit.actions import record
from baocao06.catalogues.task_records import record_tasks
from baocao06.core import clock
from baocao06.definitions import cells
from baocao06.definitions.validation import Problem, blocking, clean_part, report_content, validate_report

from . import workflow
from .models import PartConflict, Report, ReportPart, ReportStatus, ReportVersion

MAX_TEXT = 200_000  # hard cap on any one typed value, far above every definition's limit
MAX_ROWS = 5_000


class NotEditable(Exception):
    """The report cannot change now (submitted, accepted, or its round is closed)."""


class Conflict(Exception):
    """The edit was based on an old revision; `conflict` keeps what was sent, `current` is newer."""

    def __init__(self, current: ReportPart | None, conflict: PartConflict):
        self.current = current
        self.conflict = conflict
        super().__init__("Phần này vừa được người khác sửa; bản của bạn đã được giữ lại.")


class SubmitRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"Báo cáo còn {len(problems)} lỗi, chưa gửi được.")


class IdempotencyMismatch(Exception):
    """The same idempotency key was used for a different request."""


@dataclass
class SaveResult:
    part: ReportPart
    clean: Any
    problems: list[Problem]
    changed: bool


def view_for(report: Report):
    return report.round.get_layout().view_for(report.unit)


# --- Normalising what clients send ------------------------------------------------------------


def _scalar(value):
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return [str(v)[:MAX_TEXT] for v in value[:100] if v is not None]
    return str(value)[:MAX_TEXT]


def normalise_part(view, key: str, data: Any) -> dict:
    """Keep only the structure a part can have: known fields / rows / input columns."""
    data = data if isinstance(data, dict) else {}
    if key in view.table_index:
        table = view.table_index[key].table
        columns = {c["key"] for c in table.columns if table.is_input(c)}
        rows = []
        for row in (data.get("rows") or [])[:MAX_ROWS] if isinstance(data.get("rows"), list) else []:
            if not isinstance(row, dict) or not row.get("key"):
                continue
            values = row.get("values") if isinstance(row.get("values"), dict) else {}
            clean = {"key": str(row["key"])[:64], "values": {c: _scalar(v) for c, v in values.items() if c in columns}}
            if row.get("group"):
                clean["group"] = str(row["group"])[:60]
            rows.append(clean)
        return {"rows": rows}
    section = view.layout.section_index[key]
    fields = data.get("fields") if isinstance(data.get("fields"), dict) else {}
    return {"fields": {f["key"]: str(fields.get(f["key"]) or "")[:MAX_TEXT] for f in section.fields}}


def part_changes(key: str, old: dict, new: dict) -> list[dict]:
    """Cell-by-cell (or field-by-field) differences, for the audit log."""
    changes: list[dict] = []
    if "fields" in new or "fields" in old:
        before, after = old.get("fields") or {}, new.get("fields") or {}
        for name in sorted(set(before) | set(after)):
            if (before.get(name) or "") != (after.get(name) or ""):
                changes.append({"place": f"{key}/{name}", "old": before.get(name) or "", "new": after.get(name) or ""})
        return changes
    before = {r["key"]: r.get("values") or {} for r in old.get("rows") or []}
    after = {r["key"]: r.get("values") or {} for r in new.get("rows") or []}
    for row in sorted(set(before) | set(after)):
        if row not in after:
            changes.append({"place": f"{key}/{row}", "old": before[row], "new": None})
            continue
        if row not in before and not any(not cells.is_blank(v) for v in after[row].values()):
            continue
        old_values, new_values = before.get(row, {}), after[row]
        for column in sorted(set(old_values) | set(new_values)):
            a, b = old_values.get(column), new_values.get(column)
            if cells.is_blank(a) and cells.is_blank(b):
                continue
            if a != b:
                changes.append({"place": f"{key}/{row}/{column}", "old": a, "new": b})
    return changes


# --- Actions ----------------------------------------------------------------------------------


def do_save_part(report: Report, key: str, data: Any, *, base_revision: int, actor) -> SaveResult:
    """Save one part of a draft if `base_revision` is current; otherwise keep it as a conflict.

    Saving the same content again writes nothing (autosave retries are harmless).
    """
    view = view_for(report)
    if not view.is_part(key):
        raise KeyError(key)
    data = normalise_part(view, key, data)
    stale: ReportPart | None = None
    conflict: PartConflict | None = None
    changed = False
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round", "unit")
            .defer("round__layout")
            .get(pk=report.pk)
        )
        if not locked.round.is_open:
            raise NotEditable("Kỳ báo cáo đã khóa, không nhận thêm thay đổi.")
        try:
            new_status = workflow.next_status("save", locked.status)
        except workflow.IllegalTransition as exc:
            raise NotEditable(str(exc)) from exc
        part = ReportPart.objects.filter(report=locked, key=key).first()
        current = part.revision if part else 0
        if base_revision != current:
            stale = part
            conflict = PartConflict.objects.create(
                report=locked, key=key, data=data, base_revision=base_revision, current_revision=current, user=actor
            )
            record(
                "report.edit_refused",
                locked,
                actor=actor,
                unit=locked.unit,
                part=key,
                base_revision=base_revision,
                current_revision=current,
                conflict=conflict.pk,
            )
        elif part is None or part.data != data:
            changes = part_changes(key, part.data if part else {}, data)
            part = part or ReportPart(report=locked, key=key)
            part.data, part.revision = data, current + 1
            part.updated_at, part.updated_by = clock.now(), actor
            try:
                with transaction.atomic():
                    part.save()
            except IntegrityError:
                raise NotEditable("Phần này vừa được tạo đồng thời ở nơi khác; hãy tải lại trang.") from None
            old_status = locked.status
            locked.status = new_status
            locked.last_activity_at, locked.last_activity_by = part.updated_at, actor
            locked.save(update_fields=["status", "last_activity_at", "last_activity_by"])
            status_change = (
                [{"place": "status", "old": old_status, "new": new_status}] if old_status != new_status else []
            )
            record(
                "report.part_saved",
                locked,
                actor=actor,
                unit=locked.unit,
                changes=status_change + changes,
                part=key,
                revision=part.revision,
            )
            changed = True
    if conflict is not None:
        raise Conflict(stale, conflict)
    clean, problems = clean_part(view, key, part.data)
    return SaveResult(part, clean, problems, changed)


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def content_hash(content: dict) -> str:
    return fingerprint(content)


def do_submit_report(
    report: Report, *, actor, idempotency_key: str | None = None, request_fingerprint: str = ""
) -> ReportVersion:
    """Validate the whole draft and, if nothing blocks, store it as a new immutable version.

    With an idempotency key, a repeat of the same request returns the version it created;
    the same key with a different request is refused.
    """
    with transaction.atomic():
        locked = (
            Report.objects.select_for_update(of=("self",))
            .select_related("round", "unit")
            .defer("round__layout")
            .get(pk=report.pk)
        )
        if idempotency_key:
            existing = locked.versions.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                if request_fingerprint and existing.request_fingerprint != request_fingerprint:
                    raise IdempotencyMismatch("Khóa Idempotency-Key đã dùng cho một yêu cầu khác.")
                return existing
        if not locked.round.is_open:
            raise NotEditable("Kỳ báo cáo đã khóa, không nhận báo cáo nữa.")
        try:
            new_status = workflow.next_status("submit", locked.status)
        except workflow.IllegalTransition as exc:
            raise NotEditable(str(exc)) from exc
        view = view_for(locked)
        parts = {p.key: p.data for p in locked.parts.all()}
        problems = blocking(validate_report(view, parts, final=True))
        if problems:
            raise SubmitRefused(problems)
        content = report_content(view, parts)
        now = clock.now()
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        late = now > locked.deadline
        version = ReportVersion.objects.create(
            report=locked,
            number=number,
            content=content,
            content_hash=content_hash(content),
            submitted_at=now,
            submitted_by=actor,
            late=late,
            idempotency_key=idempotency_key or None,
            request_fingerprint=request_fingerprint,
        )
        old_status = locked.status
        locked.status, locked.submitted_at = new_status, now
        if locked.first_submitted_at is None:
            locked.first_submitted_at, locked.late = now, late
        locked.current_version = version
        locked.last_activity_at, locked.last_activity_by = now, actor
        locked.save(
            update_fields=[
                "status",
                "submitted_at",
                "first_submitted_at",
                "late",
                "current_version",
                "last_activity_at",
                "last_activity_by",
            ]
        )
        record(
            "report.submitted",
            locked,
            actor=actor,
            unit=locked.unit,
            changes=[{"place": "status", "old": old_status, "new": new_status}],
            version=number,
            content_hash=version.content_hash,
            late=late,
        )
        record_tasks(locked, view, content)
        if old_status == ReportStatus.RETURNED:
            _tell_secretariat_of_resubmission(locked, version)
    return version


def _tell_secretariat_of_resubmission(report: Report, version: ReportVersion) -> None:
    from django.urls import reverse

    from baocao06.notifications.actions import notify, secretariat_people
    from baocao06.notifications.models import NotificationKind

    notify(
        secretariat_people(),
        NotificationKind.RESUBMITTED,
        f"{report.unit.name} đã gửi lại báo cáo “{report.round.title}”",
        body=f"Lần gửi {version.number}, sau khi bị trả lại. Xem thay đổi so với lần gửi trước.",
        url=reverse("review:review", args=[report.pk]),
        report=report,
    )
