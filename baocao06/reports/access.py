"""Who may see and change which report. Every view, export and API endpoint goes through here.

Objects of another unit are answered with 404 (not 403), so a URL does not reveal that a
report exists; each refusal is logged with the user and the object.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from baocao06.accounts.models import UnitRole
from baocao06.accounts.roles import unit_ids

from .models import Report, report_for_autosave

logger = logging.getLogger("baocao06.access")


# Every role a person may hold in a unit: a province's staff see the reports of its level rounds.
ALL_ROLES = tuple(UnitRole.values)


def can_view_report(user, report: Report) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_viewer or report.unit_id in unit_ids(user) or can_follow_round(user, report.round)


def can_follow_round(user, round_) -> bool:
    """Whether `user` sees the round's board and its units' reports: for a national round the
    Secretariat and viewers; for a level round also any staff of the province (ministry) owning it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_viewer:
        return True
    return round_.owner_id is not None and round_.owner_id in unit_ids(user, ALL_ROLES)


def can_review_round(user, round_) -> bool:
    """Who reviews and follows up the units of a round: the Secretariat for a national round, the
    owner's reviewers for a level round (scoped to that round, hence to the owner's subtree)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if round_.owner_id is None:
        return user.is_secretariat
    return round_.owner_id in unit_ids(user, (UnitRole.REVIEWER,))


def require_round_follower(user, round_) -> None:
    if not can_follow_round(user, round_):
        deny(user, "round", round_.pk)
        if round_.owner_id is None:
            raise PermissionDenied("Chức năng dành cho lãnh đạo và Thư ký Tổ công tác.")
        raise PermissionDenied("Bạn không theo dõi kỳ báo cáo này.")


def require_round_reviewer(user, round_) -> None:
    if not can_review_round(user, round_):
        deny(user, "round-review", round_.pk)
        if round_.owner_id is None:
            raise PermissionDenied("Chức năng dành cho Thư ký Tổ công tác.")
        raise PermissionDenied("Chức năng dành cho người thẩm định của kỳ báo cáo.")


def can_edit_report(user, report: Report) -> bool:
    """Reporters and approvers of the unit edit drafts (not the Secretariat: it reviews)."""
    return report.unit_id in unit_ids(user)


def can_submit_report(user, report: Report) -> bool:
    return report.unit_id in unit_ids(user, (UnitRole.APPROVER,))


def deny(user, what: str, obj_id) -> None:
    logger.warning("access denied: user=%s %s=%s", getattr(user, "pk", None), what, obj_id)


def access_report(user, report_id: int, *, edit: bool = False, submit: bool = False, lean: bool = False) -> Report:
    """The report if `user` may see it (and edit/submit it when asked); 404 otherwise.

    A reporter asking to submit gets 403: they may see the report, not act for the approver. `lean`
    (autosave) reads only the columns an autosave needs (`reports.models.report_for_autosave`).
    """
    try:
        report = report_for_autosave(report_id) if lean else Report.objects.with_round().get(pk=report_id)
    except (Report.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
    if report is None:
        raise Http404
    if not can_view_report(user, report):
        deny(user, "report", report_id)
        raise Http404
    if (edit and not can_edit_report(user, report)) or (submit and not can_submit_report(user, report)):
        deny(user, "report-write", report_id)
        raise PermissionDenied("Bạn không có quyền thực hiện thao tác này với báo cáo.")
    return report


def visible_reports(user) -> QuerySet[Report]:
    """Reports listed for the user: all for the Secretariat and viewers, else their units'."""
    qs = Report.objects.select_related("round", "unit").defer("round__layout")
    if user.is_viewer:
        return qs
    return qs.filter(unit_id__in=unit_ids(user))


def followed_rounds(user):
    """Level rounds owned by a unit the user works for (a province's staff follow them)."""
    from baocao06.rounds.models import Round

    return Round.objects.light().filter(owner_id__in=unit_ids(user, ALL_ROLES))


def require_secretariat(user) -> None:
    if not (user.is_authenticated and user.is_secretariat):
        deny(user, "secretariat", "-")
        raise PermissionDenied("Chức năng dành cho Thư ký Tổ công tác.")


def require_viewer(user) -> None:
    if not (user.is_authenticated and user.is_viewer):
        deny(user, "viewer", "-")
        raise PermissionDenied("Chức năng dành cho lãnh đạo và Thư ký Tổ công tác.")
