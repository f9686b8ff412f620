"""A person's notifications: the list, opening one (marks it read), marking all read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from baocao06.reports.access import deny

from .actions import do_mark_read
from .models import Notification

PAGE_SIZE = 50


@login_required
@require_GET
def notification_list(request):
    notes = Notification.objects.filter(user=request.user).select_related("report__unit")
    if request.GET.get("chua-doc"):
        notes = notes.filter(read_at__isnull=True)
    page = Paginator(notes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": bool(request.GET.get("chua-doc"))})


@login_required
@require_GET
def open_notification(request, notification_id: int):
    note = Notification.objects.filter(pk=notification_id, user=request.user).first()
    if note is None:
        deny(request.user, "notification", notification_id)
        raise Http404
    do_mark_read(request.user, [note.pk])
    if note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None):
        return redirect(note.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request):
    do_mark_read(request.user)
    return redirect("notifications:list")
