"""Filling a report in the browser: the page, autosave of one part, checking, submitting."""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from baocao06.definitions.validation import blocking, clean_table, validate_report

from . import conflicts, presenters
from .access import (
    access_report,
    can_edit_report,
    can_review_round,
    can_submit_report,
    followed_rounds,
    visible_reports,
)
from .actions import Conflict, NotEditable, SubmitRefused, context_for, do_save_part, do_submit_report, view_for
from .forms import parse_revision, part_from_post


@login_required
@require_GET
def report_list(request):
    reports = (
        visible_reports(request.user)
        .filter(round__status="open")
        .order_by("-round__opened_at", "unit__kind_order", "unit__sort_key")
    )
    if request.user.is_viewer:
        return redirect("rounds:list")
    followed = followed_rounds(request.user).select_related("owner").order_by("-opened_at")
    return render(request, "reports/list.html", {"reports": reports, "followed": followed})


def _page_context(request, report):
    from baocao06.review import presenters as review_presenters

    view = view_for(report)
    context = context_for(report)
    parts = {p.key: p for p in report.parts.select_related("updated_by")}
    data = {k: p.data for k, p in parts.items()}
    comments = review_presenters.index(review_presenters.threads(report, drafts=False), set(view.table_index))
    task_codes = _task_codes(report, view)
    task_origins = _task_origins(report, task_codes)
    sections = []
    for section in view.sections():
        form = presenters.section_form(view, section, data.get(section.key)) if view.is_part(section.key) else None
        sections.append(
            {
                "section": section,
                "form": form,
                "errors": form.field_errors() if form else {},
                "summary": presenters.summary_for(view, section, data, context),
                "part": parts.get(section.key),
                "tables": [view.table_index[t] for t in section.tables if t in view.table_index],
                "comments": comments.sections.get(section.key, {}),
            }
        )
    tables = []
    results = {t.key: clean_table(t, data.get(t.key), **context) for t in view.tables}
    for table_view in view.tables:
        result = results[table_view.key]
        grid = presenters.table_grid(
            table_view,
            result,
            reference=report.round.data_to,
            task_codes=task_codes.get(table_view.key),
            task_origins=task_origins,
            new_row_values=_new_row_values(report, table_view.table),
        )
        review_presenters.attach(grid, comments)
        tables.append(
            {"grid": grid, "part": parts.get(table_view.key), "comments": comments.tables.get(table_view.key, [])}
        )
    presenters.attach_comparisons([t["grid"] for t in tables], results)
    editable = report.is_editable and can_edit_report(request.user, report)
    reviewing = can_review_round(request.user, report.round)
    open_conflicts = {c.key: c for c in conflicts.open_conflicts(report, request.user)} if editable else {}
    for item in [*sections, *tables]:
        key = item["section"].key if "section" in item else item["grid"].table.key
        item["conflict"] = open_conflicts.get(key)
    return {
        "report": report,
        "round": report.round,
        "view": view,
        "sections": sections,
        "tables": tables,
        "can_edit": editable,
        "can_submit": report.is_editable and can_submit_report(request.user, report),
        "submit_key": uuid.uuid4().hex,
        "versions": report.versions.select_related("submitted_by").order_by("-number"),
        "conflicts": list(open_conflicts.values()),
        "refused": _refused_copies(report, request.user),
        "comments": comments,
        "explanations": report.explanations.select_related("requested_by", "answered_by"),
        "can_reply": report.round.is_open and (reviewing or can_edit_report(request.user, report)),
        "reviewing": reviewing,
        **_levels(request.user, report, [t["grid"] for t in tables]),
        "can_answer": can_edit_report(request.user, report),
    }


def _levels(user, report, grids=()) -> dict:
    """A province's (ministry's) report in a national round: its level round, or the right to open one;
    each consolidated figure's cell says what it is summed from and links to its drill-down."""
    from baocao06.compilation.consolidate import consolidated_columns, level_round_for
    from baocao06.compilation.consolidation_views import can_open_level
    from baocao06.rounds.levels import OWNER_KINDS

    if report.round.owner_id is not None or report.unit.kind not in OWNER_KINDS:
        return {}
    level = level_round_for(report.round, report.unit)
    may_open = level is None and report.round.is_open and can_open_level(user, report)
    tables = set(consolidated_columns(report.round.get_layout())) if level else set()
    if level is not None and tables:
        _attach_consolidated(level, [g for g in grids if g.table.key in tables])
    return {"level_round": level, "can_open_level": may_open, "consolidated_tables": tables}


def _attach_consolidated(level, grids) -> None:
    """Under each cell of a consolidated column on a fixed row: the sum over the accepted lower units
    and how many it rests on (`consolidate` without the drill-down: a few queries for the page)."""
    from baocao06.compilation.consolidate import consolidate, figure_label
    from baocao06.core.vietnamese import format_number

    result = consolidate(level, drill=False)
    for grid in grids:
        for group in grid.groups:
            for row in group.rows:
                if not row.fixed:
                    continue
                for cell in row.cells:
                    figure = result.figures.get((grid.table.key, row.key, cell.key))
                    if figure is None:
                        continue
                    cell.consolidated = f"{figure_label(result.children, figure.n)}: {format_number(figure.total)}"
                    cell.consolidated_anchor = f"f-{grid.table.key}-{row.key}-{cell.key}"


def _refused_copies(report, user) -> list:
    """Every refused copy of the report's parts, newest first, for the unit's own people: what a
    person typed stays reachable after they chose another version."""
    if not can_edit_report(user, report):
        return []
    return list(report.conflicts.select_related("user").order_by("-created_at", "-pk")[:30])


def _task_codes(report, view) -> dict[str, dict[str, str]]:
    """Codes of the tasks the rows of task tables are: recorded at submission, or carried (`n<code>`)."""
    from baocao06.catalogues.models import TaskRow
    from baocao06.catalogues.task_records import CODE_PREFIX

    codes: dict[str, dict[str, str]] = {}
    tables = [t.key for t in view.tables if t.table.tasks]
    if not tables:
        return codes
    for table_view in view.tables:
        if table_view.table.tasks:
            codes[table_view.key] = {key: key for key in table_view.fixed_rows}  # catalogue rows: their code
    for row in report.parts.filter(key__in=tables).values_list("key", "data"):
        for typed in (row[1] or {}).get("rows") or []:
            key = str(typed.get("key") or "")
            if key.startswith(f"n{CODE_PREFIX}-"):
                codes[row[0]][key] = key[1:]
    for table, row_key, code in TaskRow.objects.filter(report=report).values_list("table", "row_key", "task__code"):
        codes.setdefault(table, {})[row_key] = code
    return codes


def _task_origins(report, task_codes) -> dict[str, str]:
    """{code: name of the unit it came from} for the unit's tasks first reported by a unit it
    succeeds (carried across a merger, or already taken over at an earlier submission)."""
    from baocao06.catalogues.models import Task, TaskSource

    codes = {code for table in task_codes.values() for code in table.values()}
    if not codes:
        return {}
    origins = {}
    tasks = Task.objects.filter(code__in=codes, source=TaskSource.UNIT).select_related("unit", "from_unit")
    for task in tasks.only("code", "unit_id", "from_unit_id", "unit__name", "from_unit__name"):
        if task.from_unit_id:
            origins[task.code] = task.from_unit.name
        elif task.unit_id and task.unit_id != report.unit_id:
            origins[task.code] = task.unit.name
    return origins


def _new_row_values(report, table) -> dict | None:
    """In a round that follows another, a row the unit adds is marked new (as the definition says)."""
    carry = (table.tasks or {}).get("carry_over") or {}
    return carry.get("new") if report.round.previous_id else None


@login_required
@require_GET
def report_detail(request, report_id: int):
    report = access_report(request.user, report_id)
    return render(request, "reports/detail.html", _page_context(request, report))


def _problem_list(problems):
    return [p.as_dict() for p in problems]


@login_required
@require_POST
def save_part(request, report_id: int, key: str):
    """Autosave (JSON) or plain form post of one part. JSON answers carry the new revision,
    computed cells and problems; a stale revision is answered 409 with the current version."""
    report = access_report(request.user, report_id, edit=True, lean=True)
    view = view_for(report)
    if not view.is_part(key):
        return JsonResponse({"error": "Phần báo cáo không tồn tại."}, status=404)
    is_json = request.content_type == "application/json"
    try:
        if is_json:
            payload = json.loads(request.body or b"{}")
            base_revision, data = parse_revision(payload.get("base_revision")), payload.get("data")
            # "Keep mine" after a refusal: this save settles the person's refused copies of the part.
            resolving = "mine" if payload.get("resolves") else None
        else:
            base_revision, data = (
                parse_revision(request.POST.get("base_revision")),
                part_from_post(view, key, request.POST),
            )
            resolving = None
    except (ValueError, TypeError, AttributeError):
        return HttpResponseBadRequest("Dữ liệu gửi lên không hợp lệ.")
    if base_revision is None:
        return HttpResponseBadRequest("Phiên bản gốc (base_revision) không hợp lệ.")
    try:
        result = do_save_part(report, key, data, base_revision=base_revision, actor=request.user, resolving=resolving)
    except Conflict as exc:
        current = exc.current
        body = {
            "code": "conflict",
            "error": str(exc),
            "conflict_id": exc.conflict.pk,
            "conflict_url": reverse("reports:conflict", args=[report.pk, exc.conflict.pk]),
            "current": {
                "revision": current.revision if current else 0,
                "data": current.data if current else {},
                "updated_by": str(current.updated_by) if current and current.updated_by else "",
                "updated_at": timezone.localtime(current.updated_at).strftime("%H:%M %d/%m/%Y") if current else "",
            },
        }
        if is_json:
            return JsonResponse(body, status=409)
        messages.error(request, f"{exc} Người sửa gần nhất: {body['current']['updated_by']}.")
        return redirect(f"{report_url(report)}#part-{key}")
    except NotEditable as exc:
        if is_json:
            return JsonResponse({"code": "not_editable", "error": str(exc)}, status=409)
        messages.error(request, str(exc))
        return redirect(report_url(report))
    if not is_json:
        messages.success(request, "Đã lưu.")
        return redirect(f"{report_url(report)}#part-{key}")
    body = {
        "revision": result.part.revision,
        "saved_at": timezone.localtime(result.part.updated_at).strftime("%H:%M:%S"),
        "changed": result.changed,
        "problems": _problem_list(result.problems),
    }
    if key in view.table_index:
        body.update(presenters.computed_payload(result.clean))
        body["summaries"] = _summaries_from(view, key, result.part.data, context_for(report))
    return JsonResponse(body)


def _summaries_from(view, table_key, table_data, context=None):
    """Sections whose computed counts come from this table (I.2 from PL01)."""
    summaries = {}
    for section in view.sections():
        if section.summary and section.summary["table"] == table_key:
            summaries[section.key] = presenters.summary_for(view, section, {table_key: table_data}, context)
    return summaries


def report_url(report) -> str:
    return reverse("reports:detail", args=[report.pk])


@login_required
@require_GET
def check_report(request, report_id: int):
    """Every problem that would block (or warn at) submission, listed by place."""
    report = access_report(request.user, report_id)
    view = view_for(report)
    parts = {p.key: p.data for p in report.parts.all()}
    problems = validate_report(view, parts, final=True, **context_for(report))
    template = "reports/_problems.html" if request.htmx else "reports/check.html"
    return render(request, template, {"report": report, "problems": problems, "blocking": blocking(problems)})


@login_required
@require_POST
def submit_report(request, report_id: int):
    report = access_report(request.user, report_id, submit=True)
    key = (request.POST.get("idempotency_key") or "")[:128] or None
    try:
        version = do_submit_report(report, actor=request.user, idempotency_key=key, request_fingerprint="browser")
    except SubmitRefused as exc:
        messages.error(request, str(exc))
        return render(
            request,
            "reports/check.html",
            {"report": report, "problems": exc.problems, "blocking": exc.problems},
            status=422,
        )
    except NotEditable as exc:
        messages.error(request, str(exc))
        return redirect(report_url(report))
    late = " (sau hạn)" if version.late else ""
    messages.success(request, f"Đã gửi báo cáo lần {version.number}{late}. Phiên bản đã gửi được lưu vĩnh viễn.")
    return redirect(report_url(report))


@login_required
@require_GET
def version_detail(request, report_id: int, number: int):
    from baocao06.documents.views import documents_context

    report = access_report(request.user, report_id)
    version = report.versions.filter(number=number).select_related("submitted_by").first()
    if version is None:
        from django.http import Http404

        raise Http404
    view = view_for(report)
    version.report = report
    return render(
        request,
        "reports/version.html",
        {
            "report": report,
            "version": version,
            "rendered": presenters.version_sections(view, version.content, reference=report.round.data_to),
            **documents_context(request, version),
        },
    )
