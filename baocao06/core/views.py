from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect


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
