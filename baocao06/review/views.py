"""Reviewing reports: the Secretariat's review page and its actions, replies, comparing versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports import presenters as report_presenters
from baocao06.reports.access import access_report, can_edit_report, can_review_round, deny, require_round_reviewer
from baocao06.reports.actions import view_for
from baocao06.reports.models import ReportStatus

from . import anchors, presenters
from .actions import (
    ReviewRefused,
    anchor_for,
    do_accept_report,
    do_add_comment,
    do_reopen_report,
    do_reply,
    do_return_report,
    do_withdraw_comment,
)
from .diff import diff_contents
from .explanations import do_answer_explanation
from .models import Comment, ExplanationRequest


def _refused(request, report, exc: Exception):
    """An action the report's state does not allow: nothing changed; say why (409)."""
    context = {"report": report, "message": str(exc), "reviewing": can_review_round(request.user, report.round)}
    return render(request, "review/refused.html", context, status=409)


def review_url(report) -> str:
    return reverse("review:review", args=[report.pk])


@login_required
@require_GET
def review(request, report_id: int):
    """The Secretariat reviews the version submitted last: diff, anchored remarks, return / accept."""
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    version = report.current_version
    view = view_for(report)
    if request.htmx and request.htmx.target == "comment-form" and version is not None:
        return _comment_form(request, report, view, version)
    found = presenters.index(presenters.threads(report, drafts=True), set(view.table_index))
    context = {"report": report, "round": report.round, "version": version, "comments": found}
    if version is None:
        return render(request, "review/review.html", context)
    try:
        anchor = anchors.parse(view, version.content, request.GET.get("at", ""))
    except anchors.BadAnchor as exc:
        messages.error(request, str(exc))
        anchor = anchors.Anchor()
    previous = report.versions.filter(number=version.number - 1).first()
    rendered = report_presenters.version_sections(view, version.content, reference=report.round.data_to)
    for grid in rendered["tables"]:
        presenters.attach(grid, found)
    context.update(
        anchor=anchor,
        rendered=rendered,
        previous=previous,
        diff=diff_contents(view, previous.content, version.content) if previous else None,
        drafts=[c for c in found.threads if c.published_at is None],
        under_review=report.status == ReportStatus.SUBMITTED,
    )
    return render(request, "review/review.html", context)


def _comment_form(request, report, view, version):
    """The remark form for the place clicked (a section, a field, a row or a cell), for htmx: the
    review page stays where it is."""
    try:
        anchor = anchors.parse(view, version.content, request.GET.get("at", ""))
        error = ""
    except anchors.BadAnchor as exc:
        anchor, error = anchors.Anchor(), str(exc)
    context = {"report": report, "anchor": anchor, "anchor_error": error}
    context["under_review"] = report.status == ReportStatus.SUBMITTED
    response = render(request, "review/_comment_form.html", context)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))  # never served from cache as the whole page
    return response


@login_required
@require_POST
def add_comment(request, report_id: int):
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    try:
        anchor = anchor_for(
            report,
            part=request.POST.get("part", ""),
            field=request.POST.get("field", ""),
            row=request.POST.get("row", ""),
            column=request.POST.get("column", ""),
        )
        do_add_comment(report, actor=request.user, body=request.POST.get("body", ""), anchor=anchor)
    except (anchors.BadAnchor, ReviewRefused) as exc:
        return _refused(request, report, exc)
    messages.success(request, f"Đã ghi nhận xét tại: {anchor.place}.")
    return redirect(review_url(report) + "#comments")


def _own_comment(request, report, comment_id) -> Comment:
    comment = Comment.objects.filter(pk=comment_id, report=report).select_related("report").first()
    if comment is None:
        deny(request.user, "comment", comment_id)
        raise Http404
    return comment


@login_required
@require_POST
def withdraw_comment(request, report_id: int, comment_id: int):
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    try:
        do_withdraw_comment(_own_comment(request, report, comment_id), actor=request.user)
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, "Đã rút nhận xét.")
    return redirect(review_url(report) + "#comments")


@login_required
@require_POST
def return_report(request, report_id: int):
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    try:
        comments = do_return_report(report, actor=request.user, message=request.POST.get("message", ""))
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, f"Đã trả lại báo cáo cho {report.unit.name} kèm {len(comments)} nhận xét.")
    return redirect(review_url(report))


@login_required
@require_POST
def accept_report(request, report_id: int):
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    try:
        do_accept_report(report, actor=request.user)
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, f"Đã tiếp nhận báo cáo của {report.unit.name}.")
    return redirect(review_url(report))


@login_required
@require_POST
def reopen_report(request, report_id: int):
    report = access_report(request.user, report_id)
    require_round_reviewer(request.user, report.round)
    try:
        do_reopen_report(report, actor=request.user, reason=request.POST.get("reason", ""))
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, "Đã mở lại báo cáo; đơn vị có thể chỉnh sửa và gửi lại.")
    return redirect(review_url(report))


@login_required
@require_POST
def reply(request, report_id: int, comment_id: int):
    """A unit member or the Secretariat answers in a remark's thread."""
    report = access_report(request.user, report_id)
    secretariat = can_review_round(request.user, report.round)
    if not secretariat and not can_edit_report(request.user, report):
        deny(request.user, "comment-reply", comment_id)
        raise Http404
    comment = _own_comment(request, report, comment_id)
    if comment.published_at is None:
        deny(request.user, "comment-draft", comment_id)
        raise Http404
    try:
        answer = do_reply(comment, actor=request.user, body=request.POST.get("body", ""), from_secretariat=secretariat)
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, "Đã gửi trả lời.")
    target = review_url(report) if secretariat else reverse("reports:detail", args=[report.pk])
    return redirect(f"{target}#c-{answer.parent_id}")


@login_required
@require_GET
def compare(request, report_id: int, old: int, new: int):
    """Any two versions of a report, side by side as changes."""
    report = access_report(request.user, report_id)
    versions = {v.number: v for v in report.versions.filter(number__in=[old, new]).select_related("submitted_by")}
    if old not in versions or new not in versions:
        raise Http404
    diff = diff_contents(view_for(report), versions[old].content, versions[new].content)
    return render(
        request,
        "review/compare.html",
        {"report": report, "old": versions[old], "new": versions[new], "diff": diff},
    )


@login_required
@require_POST
def answer_explanation(request, report_id: int, request_id: int):
    """The unit answers the Secretariat's request to explain its lateness."""
    report = access_report(request.user, report_id, edit=True)
    asked = ExplanationRequest.objects.filter(pk=request_id, report=report).select_related("report").first()
    if asked is None:
        deny(request.user, "explanation", request_id)
        raise Http404
    try:
        do_answer_explanation(asked, actor=request.user, answer=request.POST.get("answer", ""))
    except ReviewRefused as exc:
        return _refused(request, report, exc)
    messages.success(request, "Đã gửi giải trình cho Thư ký Tổ công tác.")
    return redirect(reverse("reports:detail", args=[report.pk]) + "#explanations")
