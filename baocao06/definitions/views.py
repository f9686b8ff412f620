"""Report definitions for the Secretariat (*Mẫu báo cáo*): versions, drafts and the editor.

Views parse input and check access (`require_secretariat` to write, `require_viewer` to read; units
are refused and the refusal logged); every write is one action of actions.py. Preview and YAML are
in preview_views.py.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports.access import require_secretariat, require_viewer

from . import editing
from .actions import (
    DraftClosed,
    DraftConflict,
    PublishRefused,
    do_create_draft,
    do_discard_draft,
    do_edit_draft,
    do_publish_draft,
)
from .compare import compare_documents
from .document import definition_document
from .drafts import OPERATIONS, Edit, draft_problems
from .editor import ProblemIndex
from .editor_forms import form_kind, read_form
from .editor_page import nav, page
from .models import Definition, DefinitionDraft


@login_required
@require_GET
def definition_list(request):
    require_viewer(request.user)
    definitions = (
        Definition.objects.defer("source_text", "spec").annotate(rounds=Count("round")).order_by("key", "-loaded_at")
    )
    families: dict[str, list] = {}
    for definition in definitions:
        families.setdefault(definition.key, []).append(definition)
    drafts = DefinitionDraft.objects.filter(published_as__isnull=True).select_related("based_on", "updated_by")
    rows = [{"draft": d, "errors": sum(1 for p in draft_problems(d.document) if p[2] == "error")} for d in drafts]
    return render(request, "definitions/list.html", {"families": families, "drafts": rows})


@login_required
@require_POST
def create_draft(request, definition_id: int):
    require_secretariat(request.user)
    definition = get_object_or_404(Definition.objects.defer("spec"), pk=definition_id)
    version = request.POST.get("version", "")[:60]
    draft = do_create_draft(definition, actor=request.user, version=version)
    messages.success(request, f"Đã tạo bản nháp phiên bản {draft.version} từ {definition.key} {definition.version}.")
    return redirect("definitions:draft", draft_id=draft.pk)


def _editor_context(request, document, problems, path, *, post=None, form_errors=None):
    try:
        current = page(document, path, problems, post=post, form_errors=form_errors)
    except editing.EditRefused:
        raise Http404 from None
    return {
        "document": document,
        "problems": problems,
        "page": current,
        "nav": nav(document, problems, tuple(path)),
        "errors": problems.errors,
        "warnings": [p for p in problems.problems if p.severity == "warning"],
    }


def _path(request) -> editing.Path:
    try:
        return editing.parse_path(request.GET.get("p", "") or request.POST.get("p", ""))
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def definition_detail(request, definition_id: int):
    """A published version in the editor's layout, read-only."""
    require_viewer(request.user)
    definition = get_object_or_404(Definition.objects.defer("spec"), pk=definition_id)
    document = definition_document(definition)
    problems = ProblemIndex([])
    context = _editor_context(request, document, problems, _path(request))
    context |= {
        "definition": definition,
        "can_edit": False,
        "base_url": reverse("definitions:definition", args=[definition.pk]),
        "rounds": definition.round_set.light().order_by("-opened_at")[:20],
        "made_from": getattr(definition, "draft", None),
    }
    return render(request, "definitions/editor.html", context)


def _draft(draft_id: int) -> DefinitionDraft:
    return get_object_or_404(DefinitionDraft.objects.select_related("based_on", "published_as"), pk=draft_id)


@login_required
@require_GET
def draft_editor(request, draft_id: int):
    require_viewer(request.user)
    draft = _draft(draft_id)
    if draft.is_published:
        return redirect(reverse("definitions:definition", args=[draft.published_as_id]) + _query(request))
    return _render_draft(request, draft, _path(request))


def _query(request) -> str:
    return f"?p={request.GET['p']}" if request.GET.get("p") else ""


def _render_draft(request, draft, path, *, post=None, form_errors=None, status=200):
    document = draft.document
    problems = ProblemIndex.build(document, draft_problems(document))
    context = _editor_context(request, document, problems, path, post=post, form_errors=form_errors)
    context |= {
        "draft": draft,
        "can_edit": request.user.is_secretariat,
        "base_url": reverse("definitions:draft", args=[draft.pk]),
    }
    return render(request, "definitions/editor.html", context, status=status)


def _editor_url(draft, path) -> str:
    text = editing.path_text(path)
    return reverse("definitions:draft", args=[draft.pk]) + (f"?p={text}" if text else "") + "#editor"


@login_required
@require_POST
def draft_edit(request, draft_id: int):
    """One editor operation: `op` (set, add, remove, up, down, indent, outdent) at `p`."""
    require_secretariat(request.user)
    draft = _draft(draft_id)
    op = request.POST.get("op", "")
    try:
        path = editing.parse_path(request.POST.get("p", ""))
        base_revision = int(request.POST.get("revision", ""))
    except ValueError:
        return HttpResponseBadRequest("Dữ liệu gửi lên không hợp lệ.")
    if op not in OPERATIONS:
        return HttpResponseBadRequest("Thao tác không hợp lệ.")
    edit = Edit(op, path, kind=request.POST.get("kind", ""), use=request.POST.get("use") == "1")
    if op == "set":
        try:
            kind = editing.kind_of(path)
        except editing.EditRefused:
            raise Http404 from None
        element = editing.find_at(draft.document, path) if path else draft.document
        form = read_form(form_kind(kind, element), request.POST, element)
        if form.errors:
            messages.error(request, "Chưa lưu: có giá trị không đọc được (xem tại ô được đánh dấu).")
            return _render_draft(request, draft, path, post=request.POST, form_errors=form.errors, status=422)
        edit.attrs, edit.name = form.attrs, form.name
    try:
        applied = do_edit_draft(draft, edit, base_revision=base_revision, actor=request.user)
    except DraftConflict as exc:
        messages.error(request, str(exc))
        return redirect(_editor_url(draft, path))
    except DraftClosed as exc:
        messages.error(request, str(exc))
        return redirect("definitions:draft", draft_id=draft.pk)
    except editing.EditRefused as exc:
        messages.error(request, str(exc))
        return redirect(_editor_url(draft, path))
    count = sum(1 for p in draft_problems(applied.document) if p[2] == "error")
    messages.success(
        request, "Đã lưu." + (f" Mẫu còn {count} lỗi cần sửa trước khi công bố." if count else " Mẫu hợp lệ.")
    )
    return redirect(_editor_url(draft, applied.path))


@login_required
@require_POST
def draft_publish(request, draft_id: int):
    require_secretariat(request.user)
    draft = _draft(draft_id)
    try:
        definition = do_publish_draft(draft, base_revision=int(request.POST.get("revision", "-1")), actor=request.user)
    except (DraftConflict, DraftClosed) as exc:
        messages.error(request, str(exc))
        return redirect("definitions:draft", draft_id=draft.pk)
    except PublishRefused as exc:
        messages.error(request, f"{exc} Xem danh sách lỗi ở đầu trang.")
        return redirect("definitions:draft", draft_id=draft.pk)
    messages.success(
        request,
        f"Đã công bố phiên bản {definition.key} {definition.version}; phiên bản này không sửa được nữa "
        "và có thể chọn khi mở kỳ báo cáo.",
    )
    return redirect("definitions:definition", definition_id=definition.pk)


@login_required
@require_POST
def draft_discard(request, draft_id: int):
    require_secretariat(request.user)
    draft = _draft(draft_id)
    try:
        do_discard_draft(draft, actor=request.user)
    except DraftClosed as exc:
        messages.error(request, str(exc))
        return redirect("definitions:draft", draft_id=draft.pk)
    messages.success(request, f"Đã hủy bản nháp {draft.version}.")
    return redirect("definitions:list")


@login_required
@require_GET
def draft_compare(request, draft_id: int):
    """The draft against the version it was copied from: sections, tables, columns, rows, rules…"""
    require_viewer(request.user)
    draft = _draft(draft_id)
    if draft.based_on is None:
        raise Http404
    blocks = compare_documents(definition_document(draft.based_on), draft.document)
    return render(request, "definitions/compare.html", {"draft": draft, "source": draft.based_on, "blocks": blocks})
