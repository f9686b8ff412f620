"""What a web worker loads before its first request instead of during it.

Django imports the URLconf (every app's views and the API's schemas) and compiles templates on first
use, so the first request a new worker serves paid for all of it: 1.6 s for the round's national page
at national scale, against 70 ms once loaded (QUALITY.md: any page ≤ 1 s server time). `wsgi.py` calls
`warm_up()` when gunicorn loads the application, before the worker accepts connections.
"""

from __future__ import annotations

from django.template.loader import get_template
from django.urls import get_resolver

# The pages people open first after a deadline or a compilation (the cached loader keeps them).
TEMPLATES = (
    "base.html",
    "reports/detail.html",
    "reports/list.html",
    "compilation/national.html",
    "compilation/dashboard.html",
    "review/review.html",
    "rounds/followup.html",
)


def warm_up() -> list[str]:
    """Import every view (by resolving the URLconf) and compile the commonest pages' templates.
    Returns the templates loaded."""
    get_resolver().url_patterns  # noqa: B018 - importing the URLconf is the point
    for name in TEMPLATES:
        get_template(name)
    return list(TEMPLATES)
