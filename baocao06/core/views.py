import logging
import sys

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template import loader

from .middleware import is_database_unavailable, unavailable


@login_required
def home(request):
    """Send each person where their work is: the Secretariat and viewers to rounds, units to reports."""
    if request.user.is_viewer:
        return redirect("rounds:list")
    return redirect("reports:list")


def healthz(request):
    """Liveness and database reachability, for load balancers and deadline-day monitoring."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def server_error(request):
    """The 500 page; a database outage raised before any view (in a middleware) answers 503 instead."""
    error = sys.exc_info()[1]  # Django calls this handler while it handles the exception
    if is_database_unavailable(error):
        logging.getLogger("baocao06.db").error("database unavailable: %s", type(error).__name__)
        return unavailable(request)
    from django.http import HttpResponseServerError

    return HttpResponseServerError(loader.get_template("500.html").render())
