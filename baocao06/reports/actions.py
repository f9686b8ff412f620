"""Writes to reports: saving draft parts and submitting. Each runs in one transaction,
moves state only through the workflow, and writes an audit event with old → new values.

`do_save_part` saves one part (browser autosave, API); `do_save_parts` saves several parts at once,
all or nothing (Excel import). Both store exactly what was sent through the same code."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from baocao06.audit.actions import record, record_many
from baocao06.catalogues.task_records import record_tasks
from baocao06.compilation.values import store as store_values
from baocao06.core import clock, statements
from baocao06.definitions import cells
from baocao06.definitions.validation import Problem, blocking, check_for_submission, clean_part
from baocao06.rounds.settings import engine_context

from . import workflow
from .models import PartConflict, Report, ReportPart, ReportStatus, ReportVersion

# What a save reads of the stored part: the stale check, the cell changes, the answer's revision.
PART_FIELDS = ("id", "report_id", "key", "data", "revision", "updated_at", "updated_by_id")

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


class PartsConflict(Exception):
    """Some parts changed since the revisions the write was based on: nothing was saved.

    `stale` maps each such part to (base revision sent, current revision); what was sent for them
    is kept as `PartConflict` rows, so nothing a person typed is lost.
    """

    def __init__(self, stale: dict[str, tuple[int, int]], conflicts: list[PartConflict]):
        self.stale = stale
        self.conflicts = conflicts
        names = ", ".join(sorted(stale))
        super().__init__(f"Các phần {names} vừa được sửa ở nơi khác; không phần nào được ghi.")


class StaleRevisions(Exception):
    """A submission named the part revisions it expected, and the draft has moved on since."""

    def __init__(self, stale: dict[str, tuple[int, int]]):
        self.stale = stale
        super().__init__("Báo cáo đã thay đổi so với phiên bản bạn kiểm tra; chưa gửi.")


class SubmitRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"Báo cáo còn {len(problems)} lỗi, chưa gửi được.")


class IdempotencyMismatch(Exception):
    """The same idempotency key was used for a different request."""


class SaveResult:
    """A saved part and, when asked for, what the engine makes of it (computed cells, problems).

    The engine runs on first use, not in the action: the page and the API always ask (their answers
    carry the computed cells), a replay or an import that does not ask does not pay for it.
    """

    def __init__(self, part: ReportPart, changed: bool, view, context: dict):
        self.part, self.changed = part, changed
        self._view, self._context = view, context
        self._cleaned: tuple[Any, list[Problem]] | None = None

    def _clean(self) -> tuple[Any, list[Problem]]:
        if self._cleaned is None:
            self._cleaned = clean_part(self._view, self.part.key, self.part.data, **self._context)
        return self._cleaned

    @property
    def clean(self) -> Any:
        return self._clean()[0]

    @property
    def problems(self) -> list[Problem]:
        return self._clean()[1]


def view_for(report: Report):
    return report.round.get_layout().view_for(report.unit)


def context_for(report: Report) -> dict:
    """The round's baseline and settings for the validation engine (see rounds/settings.py)."""
    return engine_context(report.round)


# --- Normalising what clients send ------------------------------------------------------------


def _text(value) -> str:
    # NUL cannot be stored in PostgreSQL's JSON and never belongs in a report; nor can a lone surrogate.
    text = str(value)[:MAX_TEXT].replace("\x00", "")
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


def _scalar(value):
    if value is None or isinstance(value, bool):
        return None if value is None else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # kept as typed; the engine explains it is not a number
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        return [_text(v) for v in value[:100] if v is not None]
    return _text(value)


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
    return {"fields": {f["key"]: _text(fields.get(f["key"]) or "") for f in section.fields}}


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


def _lock_editable(report: Report) -> tuple[Report, str]:
    """The report row locked for this transaction, and the status a save moves it to.

    Only what a save reads and writes is selected (its status), in a statement built once
    (`core.statements`): this runs on every autosave, where the ORM's building of each query was most
    of its CPU. The unit is the one the caller already loaded (a report never changes unit).
    """
    locked = statements.get(
        Report, ("id", "status", "unit_id", "round_id"), lock=True, related={"round": ("id", "status")}, id=report.pk
    )
    if locked is None:
        raise Report.DoesNotExist
    locked.unit = report.unit
    # The caller reads the part in a statement of its own once this lock is held: under READ COMMITTED
    # a later statement sees what the previous holder of the lock committed, whereas a part joined into
    # this locking query would come from the snapshot taken before the wait (a lost update when two
    # saves of one part race).
    if not locked.round.is_open:
        raise NotEditable("Kỳ báo cáo đã khóa, không nhận thêm thay đổi.")
    try:
        return locked, workflow.next_status("save", locked.status)
    except workflow.IllegalTransition as exc:
        raise NotEditable(str(exc)) from exc


def _part(report: Report, key: str) -> ReportPart | None:
    """The stored part or None (a statement built once: see `_lock_editable`)."""
    part = statements.get(ReportPart, PART_FIELDS, report_id=report.pk, key=key)
    if part is not None:
        part.report = report
    return part


def _keep_refused(locked: Report, key: str, data: dict, base_revision: int, current: int, actor) -> PartConflict:
    return PartConflict.objects.create(
        report=locked,
        key=key,
        data=data,
        base_revision=base_revision,
        current_revision=current,
        user=_user(actor),
    )


def _write_part(locked: Report, key: str, data: dict, part: ReportPart | None, actor, now) -> tuple[ReportPart, list]:
    """Store `data` as the part's next revision; returns the part and its cell changes."""
    changes = part_changes(key, part.data if part else {}, data)
    if part is not None:
        # An existing row under the report's lock: a plain UPDATE of what changes (no savepoint).
        part.data, part.revision = data, part.revision + 1
        part.updated_at, part.updated_by = now, _user(actor)
        statements.update(part, ("data", "revision", "updated_at", "updated_by"))
        return part, changes
    part = ReportPart(report=locked, key=key, data=data, revision=1, updated_at=now, updated_by=_user(actor))
    try:
        with transaction.atomic():
            part.save(force_insert=True)
    except IntegrityError:
        raise NotEditable("Phần này vừa được tạo đồng thời ở nơi khác; hãy tải lại trang.") from None
    return part, changes


def _mark_activity(locked: Report, new_status: str, now, actor) -> list[dict]:
    old_status = locked.status
    locked.status = new_status
    locked.last_activity_at, locked.last_activity_by = now, _user(actor)
    statements.update(locked, ("status", "last_activity_at", "last_activity_by"))
    return [{"place": "status", "old": old_status, "new": new_status}] if old_status != new_status else []


def _is_stale(part: ReportPart | None, base_revision: int, data: dict) -> bool:
    """Whether a write based on `base_revision` would overwrite something its sender has not seen.

    An older base whose content is exactly what the part holds now is not stale: it is the same write
    sent again after its answer was lost (or the same text from someone else), so nothing can be lost
    and nothing is written."""
    current = part.revision if part else 0
    if base_revision == current:
        return False
    return not (part is not None and 0 <= base_revision < current and part.data == data)


def _user(actor):
    """The user to name in foreign keys (None for the system, e.g. an operator's command)."""
    return actor if getattr(actor, "pk", None) else None


def do_save_part(
    report: Report,
    key: str,
    data: Any,
    *,
    base_revision: int,
    actor,
    source: str = "browser",
    resolving: str | None = None,
) -> SaveResult:
    """Save one part of a draft if `base_revision` is current; otherwise keep it as a conflict.

    Saving the same content again writes nothing (autosave retries are harmless), also on an older
    revision: a write sent again after its answer was lost is not a conflict (`_is_stale`). `source`
    (browser, api) is written in the audit event. `resolving` ("mine" or "merge") says the save settles
    the person's refused copies of this part (reports/conflicts.py), which are then marked resolved.
    """
    view = view_for(report)
    if not view.is_part(key):
        raise KeyError(key)
    data = normalise_part(view, key, data)
    stale: ReportPart | None = None
    conflict: PartConflict | None = None
    changed = False
    with transaction.atomic():
        locked, new_status = _lock_editable(report)
        part = _part(locked, key)
        current = part.revision if part else 0
        if _is_stale(part, base_revision, data):
            stale = part
            conflict = _keep_refused(locked, key, data, base_revision, current, actor)
            record(
                "report.edit_refused",
                locked,
                actor=actor,
                unit=locked.unit,
                part=key,
                base_revision=base_revision,
                current_revision=current,
                conflict=conflict.pk,
                source=source,
            )
        elif part is None or part.data != data:
            now = clock.now()
            with statements.together():  # the part, the report's activity and the audit event: one round trip
                part, changes = _write_part(locked, key, data, part, actor, now)
                status_change = _mark_activity(locked, new_status, now, actor)
                record(
                    "report.part_saved",
                    locked,
                    actor=actor,
                    unit=locked.unit,
                    changes=status_change + changes,
                    part=key,
                    revision=part.revision,
                    source=source,
                )
            changed = True
        if resolving and conflict is None:
            from .conflicts import settle

            settle(locked, key, actor, kept=resolving, source=source)
    if conflict is not None:
        raise Conflict(stale, conflict)
    return SaveResult(part, changed, view, context_for(report))


def do_save_parts(
    report: Report,
    parts: dict[str, Any],
    base_revisions: dict[str, int],
    *,
    actor,
    source: str,
    each_audited: bool = False,
    **audit,
) -> dict[str, SaveResult]:
    """Save several parts of a draft in one transaction, all or nothing (an Excel import).

    Every part must be based on its current revision; if any is not, nothing is saved, what was sent
    for the stale parts is kept as conflicts and `PartsConflict` is raised. Parts whose content is
    unchanged are not rewritten. One audit event names the source and every cell changed; `audit`
    adds details (file name, checksum). With `each_audited`, each changed part gets the event
    `do_save_part` would have written for it (`report.part_saved`), as if saved alone at that moment:
    several autosaves replayed at once (the demo) leave the same audit trail as one by one.
    """
    view = view_for(report)
    unknown = [key for key in parts if not view.is_part(key)]
    if unknown:
        raise KeyError(unknown[0])
    sent = {key: normalise_part(view, key, data) for key, data in parts.items()}
    refused: dict[str, tuple[int, int]] = {}
    conflicts: list[PartConflict] = []
    saved: dict[str, ReportPart] = {}
    changed: set[str] = set()
    with transaction.atomic():
        locked, new_status = _lock_editable(report)
        current = {p.key: p for p in ReportPart.objects.filter(report=locked, key__in=list(sent))}
        for key in sent:
            revision = current[key].revision if key in current else 0
            if _is_stale(current.get(key), base_revisions.get(key, 0), sent[key]):
                refused[key] = (base_revisions.get(key, 0), revision)
        if refused:
            for key, (base, revision) in refused.items():
                conflicts.append(_keep_refused(locked, key, sent[key], base, revision, actor))
            record(
                "report.edit_refused",
                locked,
                actor=actor,
                unit=locked.unit,
                parts={key: {"base_revision": b, "current_revision": r} for key, (b, r) in refused.items()},
                conflicts=[c.pk for c in conflicts],
                source=source,
                **audit,
            )
        else:
            now = clock.now()
            all_changes: list[dict] = []
            part_audit: dict[str, list[dict]] = {}
            new_parts: list[ReportPart] = []
            for key, data in sent.items():
                part = current.get(key)
                if part is not None and part.data == data:
                    saved[key] = part
                    continue
                if part is None:  # inserted together below
                    saved[key] = ReportPart(
                        report=locked, key=key, data=data, revision=1, updated_at=now, updated_by=_user(actor)
                    )
                    new_parts.append(saved[key])
                    changes = part_changes(key, {}, data)
                else:
                    saved[key], changes = _write_part(locked, key, data, part, actor, now)
                all_changes += changes
                part_audit[key] = changes
                changed.add(key)
            if new_parts:
                try:
                    with transaction.atomic():
                        ReportPart.objects.bulk_create(new_parts)
                except IntegrityError:
                    raise NotEditable("Phần này vừa được tạo đồng thời ở nơi khác; hãy tải lại trang.") from None
            if changed and each_audited:
                status_change = _mark_activity(locked, new_status, now, actor)
                entries = []
                for key in sent:
                    if key in changed:
                        entries.append(
                            {
                                "changes": status_change + part_audit[key],
                                "part": key,
                                "revision": saved[key].revision,
                                "source": source,
                                **audit,
                            }
                        )
                        status_change = []  # the status moved with the first part saved
                record_many("report.part_saved", locked, entries, actor=actor, unit=locked.unit)
            elif changed:
                status_change = _mark_activity(locked, new_status, now, actor)
                record(
                    "report.parts_saved",
                    locked,
                    actor=actor,
                    unit=locked.unit,
                    changes=status_change + all_changes,
                    parts={key: saved[key].revision for key in sorted(changed)},
                    source=source,
                    **audit,
                )
    if refused:
        raise PartsConflict(refused, conflicts)
    context = context_for(report)
    return {key: SaveResult(part, key in changed, view, context) for key, part in saved.items()}


def fingerprint(payload: Any) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def content_hash(content: dict) -> str:
    return fingerprint(content)


def do_submit_report(
    report: Report,
    *,
    actor,
    idempotency_key: str | None = None,
    request_fingerprint: str = "",
    expected_revisions: dict[str, int] | None = None,
    source: str = "browser",
) -> ReportVersion:
    """Validate the whole draft and, if nothing blocks, store it as a new immutable version.

    With an idempotency key, a repeat of the same request returns the version it created;
    the same key with a different request is refused. With `expected_revisions` (part → revision,
    as an API client last saw them), a draft that has moved on since is refused (`StaleRevisions`).
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
        stored = list(locked.parts.all())
        if expected_revisions is not None:
            revisions = {p.key: p.revision for p in stored}
            stale = {
                key: (expected, revisions.get(key, 0))
                for key, expected in expected_revisions.items()
                if revisions.get(key, 0) != expected
            }
            if stale:
                raise StaleRevisions(stale)
        parts = {p.key: p.data for p in stored}
        context = context_for(locked)
        problems, content = check_for_submission(view, parts, **context)
        problems = blocking(problems)
        if problems:
            raise SubmitRefused(problems)
        now = clock.now()
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        late = now > locked.deadline
        version = ReportVersion.objects.create(
            report=locked,
            number=number,
            content=content,
            content_hash=content_hash(content),
            submitted_at=now,
            submitted_by=_user(actor),
            late=late,
            idempotency_key=idempotency_key or None,
            request_fingerprint=request_fingerprint,
        )
        old_status = locked.status
        locked.status, locked.submitted_at = new_status, now
        if locked.first_submitted_at is None:
            locked.first_submitted_at, locked.late = now, late
        locked.current_version = version
        locked.last_activity_at, locked.last_activity_by = now, _user(actor)
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
            source=source,
        )
        record_tasks(locked, view, content)
        store_values(version, view.layout, locked.unit_id, locked.round.layout_hash)
        _prepare_unit_sheet_later(version.pk)
        if old_status == ReportStatus.RETURNED:
            _tell_secretariat_of_resubmission(locked, version)
    return version


def _prepare_unit_sheet_later(version_id: int) -> None:
    """Once the version is committed, a background task writes its sheet of the national workbook
    (`compilation/outputs/unit_sheets.py`): the national files then copy it instead of writing it. A
    queue that cannot take the task costs only that: the files write the sheet themselves."""
    from baocao06.compilation.tasks import prepare_unit_sheets_task

    transaction.on_commit(lambda: prepare_unit_sheets_task.enqueue([version_id]), robust=True)


def _tell_secretariat_of_resubmission(report: Report, version: ReportVersion) -> None:
    from django.urls import reverse

    from baocao06.notifications.actions import notify, reviewer_people
    from baocao06.notifications.models import NotificationKind

    notify(
        reviewer_people(report.round),
        NotificationKind.RESUBMITTED,
        f"{report.unit.name} đã gửi lại báo cáo “{report.round.title}”",
        body=f"Lần gửi {version.number}, sau khi bị trả lại. Xem thay đổi so với lần gửi trước.",
        url=reverse("review:review", args=[report.pk]),
        report=report,
    )
