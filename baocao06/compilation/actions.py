"""Writes of the national compilation, each audited: compiling a round, asking for its files."""

from __future__ import annotations

from django.db import transaction

from baocao06.audit.actions import record

from . import engine
from .models import Generation, GenerationStatus, Snapshot


class CompileRefused(Exception):
    """A compilation that cannot be made (a clear message in Vietnamese)."""


def do_compile(round_, *, actor, provisional: bool = False) -> Snapshot:
    version_ids = engine.select_versions(round_, provisional=provisional)
    if not version_ids:
        raise CompileRefused(
            "Chưa có đơn vị nào gửi báo cáo: chưa có gì để tổng hợp."
            if provisional
            else "Chưa có báo cáo nào được tiếp nhận: chưa thể tổng hợp chính thức. Có thể tổng hợp tạm tính."
        )
    return engine.compile_round(round_, provisional=provisional, actor=actor, version_ids=version_ids)


def do_request_outputs(snapshot: Snapshot, *, actor) -> Generation:
    """Queue the generation of the snapshot's files; an unfinished request is reused, not repeated."""
    from .tasks import generate_outputs_task

    with transaction.atomic():
        running = (
            Generation.objects.select_for_update()
            .filter(snapshot=snapshot, status__in=[GenerationStatus.QUEUED, GenerationStatus.RUNNING])
            .first()
        )
        if running:
            return running
        generation = Generation.objects.create(snapshot=snapshot, requested_by=actor, step="Đang chờ xử lý")
        record(
            "snapshot.outputs_requested",
            snapshot,
            actor=actor,
            round=snapshot.round_id,
            snapshot=snapshot.number,
            generation=generation.pk,
        )
        transaction.on_commit(lambda: generate_outputs_task.enqueue(generation.pk))
    return generation
