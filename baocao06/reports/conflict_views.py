"""A refused edit on the report page: the two versions side by side, and settling it (keep the
stored version, keep mine, or save a merge). The comparison is also a fragment htmx loads into the
part where the conflict happened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from .access import access_report, can_edit_report, deny
from .actions import Conflict, NotEditable, view_for
from .conflicts import KEEP_CHOICES, ConflictGone, compare, do_resolve_conflict, merged
from .models import PartConflict


def _conflict(request, report, conflict_id: int) -> PartConflict:
    """A refused copy of this report, shown only to the unit's own people (it is their draft)."""
    conflict = PartConflict.objects.filter(pk=conflict_id, report=report).select_related("user").first()
    if conflict is None or not can_edit_report(request.user, report):
        deny(request.user, "conflict", conflict_id)
        raise Http404
    return conflict


def _part_url(report, key: str) -> str:
    return f"{reverse('reports:detail', args=[report.pk])}#part-{key}"


@login_required
@require_GET
def conflict_detail(request, report_id: int, conflict_id: int):
    report = access_report(request.user, report_id)
    conflict = _conflict(request, report, conflict_id)
    view = view_for(report)
    if not view.is_part(conflict.key):
        raise Http404
    context = {
        "report": report,
        "c": compare(view, conflict),
        "can_resolve": not conflict.resolved and conflict.user_id == request.user.pk and report.is_editable,
        "keep_choices": KEEP_CHOICES,
    }
    template = "reports/_conflict_compare.html" if request.htmx else "reports/conflict.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))  # the fragment is never served as the whole page
    return response


@login_required
@require_POST
def resolve_conflict(request, report_id: int, conflict_id: int):
    report = access_report(request.user, report_id, edit=True)
    conflict = _conflict(request, report, conflict_id)
    if conflict.user_id != request.user.pk:
        deny(request.user, "conflict-resolve", conflict_id)
        raise Http404
    keep = request.POST.get("keep", "")
    if keep not in KEEP_CHOICES:
        messages.error(request, "Hãy chọn giữ bản nào.")
        return redirect("reports:conflict", report.pk, conflict.pk)
    view = view_for(report)
    data = None
    if keep == "mine":
        data = conflict.data
    elif keep == "merge":
        data = merged(view, compare(view, conflict), request.POST)
    try:
        base = int(request.POST.get("base_revision", "-1"))
        do_resolve_conflict(conflict, actor=request.user, keep=keep, data=data, base_revision=base)
    except ValueError:
        messages.error(request, "Dữ liệu gửi lên không hợp lệ.")
        return redirect("reports:conflict", report.pk, conflict.pk)
    except ConflictGone as exc:
        messages.info(request, str(exc))
        return redirect(_part_url(report, conflict.key))
    except Conflict as exc:
        # The part moved on again while the person was choosing: their choice is kept as a new
        # refused copy, compared with the newest version.
        messages.error(request, "Phần này vừa được sửa thêm trong lúc bạn chọn; hãy so sánh lại với bản mới nhất.")
        return redirect("reports:conflict", report.pk, exc.conflict.pk)
    except NotEditable as exc:
        messages.error(request, str(exc))
        return redirect(_part_url(report, conflict.key))
    done = {
        "theirs": "Đã giữ bản đang lưu; bản của bạn vẫn xem được trong “Các bản chưa được lưu”.",
        "mine": "Đã lưu bản của bạn.",
        "merge": "Đã lưu bản hợp nhất.",
    }
    messages.success(request, done[keep])
    return redirect(_part_url(report, conflict.key))
