"""Writes of the national compilation, each audited: compiling a round, asking for its files.

Compiling a national round takes seconds, so the page asks for it (`do_request_compile`) and a
background worker does it (`run_compile`, through `tasks.compile_task`); `do_compile` is the work itself,
also used by `manage.py compile_round`.
"""

from __future__ import annotations

from django.db import transaction

from baocao06.audit.actions import record
from baocao06.jobs import leases
from baocao06.jobs.models import ACTIVE
from baocao06.jobs.progress import Progress, enqueue

from . import engine, summaries
from .models import CompileJob, Generation, GenerationStatus, Snapshot


class CompileRefused(Exception):
    """A compilation that cannot be made (a clear message in Vietnamese)."""


def _refusal(provisional: bool) -> str:
    return (
        "Chưa có đơn vị nào gửi báo cáo: chưa có gì để tổng hợp."
        if provisional
        else "Chưa có báo cáo nào được tiếp nhận: chưa thể tổng hợp chính thức. Có thể tổng hợp tạm tính."
    )


def do_compile(round_, *, actor, provisional: bool = False, then=None) -> Snapshot:
    """Compile now: the snapshot (audited `round.compiled` by the engine) and what its pages show;
    `then(snapshot)` is run in the same transaction. The tables are worked out before it (see
    `engine.compile_round`)."""
    from .dashboard import prepare_page

    version_ids = engine.select_versions(round_, provisional=provisional)
    if not version_ids:
        raise CompileRefused(_refusal(provisional))
    # Versions without their compile summary (loaded in bulk, or submitted before summaries existed)
    # get it now, once: the compile would otherwise make it from their value rows at every run.
    summaries.prepare(version_ids, round_.get_layout(), round_.layout_hash)
    data = engine.national_tables(round_, version_ids, provisional=provisional, keep=True)
    with transaction.atomic():
        snapshot = engine.compile_round(
            round_, provisional=provisional, actor=actor, version_ids=version_ids, data=data
        )
        prepare_page(snapshot)
        if then is not None:
            then(snapshot)
    return snapshot


def do_request_compile(round_, *, actor, provisional: bool = False) -> CompileJob:
    """Queue a compilation of the round; an unfinished request of the same kind is reused, not repeated.

    Refused at once (nothing queued) when there is nothing to compile. The snapshot is made by the
    worker (`run_compile`), which audits it as `round.compiled`; the request is audited here."""
    from .tasks import compile_task

    leases.reap()  # a request held by a dead worker is run again or failed before it is reused
    if not engine.has_versions(round_, provisional=provisional):
        raise CompileRefused(_refusal(provisional))
    with transaction.atomic():
        waiting = (
            CompileJob.objects.select_for_update()
            .filter(round=round_, provisional=provisional, status__in=ACTIVE)
            .first()
        )
        if waiting:
            return waiting
        job = CompileJob.objects.create(
            round=round_, provisional=provisional, requested_by=actor, step="Đang chờ xử lý"
        )
        record("round.compile_requested", round_, actor=actor, provisional=provisional, job=job.pk)
        enqueue(job, compile_task, job.pk)
    return job


def run_compile(job_id: int) -> dict:
    """The task's work: compile and record the snapshot with its job, in one transaction."""
    from .dashboard import page_for

    job = CompileJob.objects.select_related("round", "requested_by").get(pk=job_id)
    progress = Progress(CompileJob, job.pk)
    if not progress.start("Chọn các báo cáo"):
        return {"job": job.pk, "status": job.status}
    try:
        snapshot = job.snapshot
        if snapshot is None:
            progress(10, "Tổng hợp số liệu, bảng và biểu đồ toàn quốc")
            snapshot = do_compile(
                job.round,
                actor=job.requested_by,
                provisional=job.provisional,
                then=lambda made: CompileJob.objects.filter(pk=job.pk).update(snapshot=made),
            )
        else:  # run again by the lease after its snapshot was recorded: only the page may be missing
            page_for(snapshot)
        progress.done(f"Đã tổng hợp lần {snapshot.number}")
    except CompileRefused as exc:
        progress.failed(exc, str(exc))
        return {"job": job.pk, "status": "failed"}
    except Exception as exc:  # the person waiting sees the failure; the log keeps the details
        progress.failed(exc, "Lỗi khi tổng hợp")
        raise
    return {"job": job.pk, "status": "done", "snapshot": snapshot.pk}


def do_request_outputs(snapshot: Snapshot, *, actor) -> Generation:
    """Queue the generation of the snapshot's files; an unfinished request is reused, not repeated.

    Refused (DraftRefused) while the round's national draft written on this snapshot has no approved
    version: the final files print the approved text (drafting_actions.py)."""
    from .drafting_actions import refuse_outputs_without_approval
    from .tasks import generate_outputs_task

    refuse_outputs_without_approval(snapshot)

    leases.reap()  # a generation held by a dead worker is run again or failed before it is reused
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
        enqueue(generation, generate_outputs_task, generation.pk)
    return generation
