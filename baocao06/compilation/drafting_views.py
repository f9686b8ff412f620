"""The drafting page of the national report (*Soạn báo cáo tổng hợp*), Secretariat only.

One outline section at a time (`?muc=KEY`): its editor (autosaved by static/js/drafting.js with the
revision it was based on; a plain form post without the script), the suggested first draft, the
figures to insert, and beside them the units' paragraphs of the section, filtered by kind (`loai`),
unit (`don_vi`) and a search without diacritics (`q`). Writes go through drafting_actions.py.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports.access import require_secretariat
from baocao06.rounds.models import Round

from . import drafting
from .drafting_actions import (
    DraftConflict,
    DraftRefused,
    can_approve,
    do_approve_draft,
    do_mark_used,
    do_move_draft,
    do_save_section,
    do_save_version,
    do_set_unit_annex,
    do_start_draft,
    do_submit_draft,
    do_take_suggestion,
)
from .models import NationalDraft, NationalDraftSection, Snapshot


def _numbered(number: str | None) -> str:
    """ "I." and "1.2." as the report prints them; "(3)" as it is."""
    if not number:
        return ""
    return number if number.startswith("(") else f"{number}."


def _page_url(draft: NationalDraft, key: str | None = None) -> str:
    url = reverse("compilation:drafting", args=[draft.round_id])
    return f"{url}?muc={key}" if key else url


def _draft(draft_id: int) -> NationalDraft:
    return get_object_or_404(NationalDraft.objects.select_related("round", "snapshot"), pk=draft_id)


@login_required
@require_GET
def drafting_page(request, round_id: int):
    require_secretariat(request.user)
    round_ = get_object_or_404(Round.objects.light(), pk=round_id)
    draft = NationalDraft.objects.filter(round=round_).select_related("snapshot", "approved_version").first()
    latest = Snapshot.objects.filter(round=round_).defer("data").order_by("-number").first()
    if draft is None:
        return render(request, "compilation/drafting.html", {"round": round_, "draft": None, "latest": latest})
    layout = round_.get_layout()
    data = draft.snapshot.data
    outline = list(data.get("narrative") or [])
    keys = [s["key"] for s in outline]
    key = request.GET.get("muc") or (keys[0] if keys else "")
    if key not in keys:
        raise Http404("Không có mục này.")
    sections = {s.key: s for s in NationalDraftSection.objects.filter(draft=draft)}
    section = sections.get(key)
    kind, unit, query = request.GET.get("loai", ""), request.GET.get("don_vi", ""), request.GET.get("q", "")
    paragraphs = drafting.section_paragraphs(data, key, kind=kind, unit=unit, query=query)
    everyone = drafting.section_paragraphs(data, key)
    catalogue = drafting.figures(data)
    text = section.text if section else ""
    suggestion = drafting.suggest(data, layout, key)
    current = next(s for s in outline if s["key"] == key)
    context = {
        "round": round_,
        "draft": draft,
        "latest": latest,
        "outline": [
            {
                "key": s["key"],
                "number": _numbered(s.get("number")),
                "title": s.get("title") or "",
                "depth": s.get("depth") or 0,
                "written": bool(sections.get(s["key"]) and sections[s["key"]].text),
            }
            for s in outline
        ],
        "current": {**current, "number": _numbered(current.get("number"))},
        "key": key,
        "section": section,
        "text": text,
        "revision": section.revision if section else 0,
        "rendered": drafting.render(text, catalogue).splitlines(),
        "unknown": drafting.unknown_references(text, catalogue),
        "suggestion": suggestion,
        "figures": list(catalogue.values()),
        "paragraphs": paragraphs,
        "used": set(section.used) if section else set(),
        "kinds": sorted({(p.group, p.kind_name) for p in everyone}),
        "units": sorted({(p.key, p.name) for p in everyone}, key=lambda u: u[1]),
        "filters": {"loai": kind, "don_vi": unit, "q": query},
        "can_approve": can_approve(request.user),
        "versions": draft.versions.all()[:10],
        "snapshots": Snapshot.objects.filter(round=round_).defer("data").order_by("-number"),
    }
    return render(request, "compilation/drafting.html", context)


@login_required
@require_POST
def start_draft(request, round_id: int):
    require_secretariat(request.user)
    round_ = get_object_or_404(Round.objects.light(), pk=round_id)
    snapshot = get_object_or_404(Snapshot.objects.defer("data"), round=round_, pk=request.POST.get("snapshot"))
    draft = do_start_draft(round_, snapshot, actor=request.user)
    return redirect(_page_url(draft))


def _wants_json(request) -> bool:
    return request.content_type == "application/json"


@login_required
@require_POST
def save_section(request, draft_id: int, key: str):
    """Autosave (JSON {base_revision, text} → {revision} or 409 with the current text) or a form post."""
    require_secretariat(request.user)
    draft = _draft(draft_id)
    if _wants_json(request):
        try:
            body = json.loads(request.body or b"{}")
            base, text = int(body.get("base_revision", 0)), str(body.get("text", ""))
        except (ValueError, TypeError, AttributeError):
            return JsonResponse({"error": "Dữ liệu gửi lên không hợp lệ."}, status=400)
    else:
        try:
            base = int(request.POST.get("base_revision", "0"))
        except ValueError:
            base = -1
        text = request.POST.get("text", "")
    try:
        section = do_save_section(draft, key, text, base_revision=base, actor=request.user)
    except KeyError:
        raise Http404("Không có mục này.") from None
    except DraftConflict as exc:
        message = str(exc)
        if _wants_json(request):
            current = {"revision": exc.section.revision, "text": exc.section.text}
            return JsonResponse({"error": message, "current": current}, status=409)
        messages.error(request, message)
        return redirect(_page_url(draft, key))
    if _wants_json(request):
        catalogue = drafting.figures(draft.snapshot.data)
        return JsonResponse(
            {"revision": section.revision, "unknown": drafting.unknown_references(section.text, catalogue)}
        )
    messages.success(request, "Đã lưu mục.")
    return redirect(_page_url(draft, key))


def _act(request, draft: NationalDraft, key: str | None, action, success: str):
    try:
        action()
    except DraftConflict as exc:
        messages.error(request, str(exc))
    except DraftRefused as exc:
        messages.error(request, str(exc))
    except KeyError:
        raise Http404("Không có mục này.") from None
    else:
        messages.success(request, success)
    return redirect(_page_url(draft, key))


def _revision(request) -> int:
    try:
        return int(request.POST.get("base_revision", "0"))
    except ValueError:
        return -1


@login_required
@require_POST
def take_suggestion(request, draft_id: int, key: str):
    require_secretariat(request.user)
    draft = _draft(draft_id)
    return _act(
        request,
        draft,
        key,
        lambda: do_take_suggestion(draft, key, base_revision=_revision(request), actor=request.user),
        "Đã đưa gợi ý vào mục; hãy đọc và sửa lại trước khi trình duyệt.",
    )


@login_required
@require_POST
def mark_used(request, draft_id: int, key: str):
    require_secretariat(request.user)
    draft = _draft(draft_id)
    used = request.POST.get("used") == "1"
    unit = request.POST.get("unit", "")
    return _act(
        request,
        draft,
        key,
        lambda: do_mark_used(draft, key, unit, used, actor=request.user),
        "Đã đánh dấu đã dùng." if used else "Đã bỏ đánh dấu.",
    )


@login_required
@require_POST
def draft_action(request, draft_id: int, what: str):
    """Save a version, submit for approval, approve, move to another snapshot, the units' annex."""
    require_secretariat(request.user)
    draft = _draft(draft_id)
    key = request.POST.get("muc") or None
    if what == "phien-ban":
        return _act(request, draft, key, lambda: do_save_version(draft, actor=request.user), "Đã lưu phiên bản.")
    if what == "trinh":
        return _act(request, draft, key, lambda: do_submit_draft(draft, actor=request.user), "Đã trình lãnh đạo duyệt.")
    if what == "duyet":
        if not can_approve(request.user):
            raise PermissionDenied("Chỉ lãnh đạo Thư ký Tổ công tác được duyệt báo cáo tổng hợp.")
        return _act(request, draft, key, lambda: do_approve_draft(draft, actor=request.user), "Đã duyệt báo cáo.")
    if what == "chuyen":
        snapshot = get_object_or_404(
            Snapshot.objects.defer("data"), round_id=draft.round_id, pk=request.POST.get("snapshot")
        )
        return _act(
            request,
            draft,
            key,
            lambda: do_move_draft(draft, snapshot, actor=request.user),
            f"Đã chuyển bản soạn sang tổng hợp lần {snapshot.number}.",
        )
    if what == "phu-luc-don-vi":
        enabled = request.POST.get("enabled") == "1"
        return _act(
            request,
            draft,
            key,
            lambda: do_set_unit_annex(draft, enabled, actor=request.user),
            "Đã lưu lựa chọn phụ lục ý kiến của các đơn vị.",
        )
    raise Http404("Không có thao tác này.")
