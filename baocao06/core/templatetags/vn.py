"""Template filters for Vietnamese display: numbers, dates, personal data masking."""

import datetime as dt

from django import template
from django.utils import timezone

from baocao06.core.vietnamese import format_number, long_date

register = template.Library()


@register.filter
def vnnum(value, decimals=None):
    if value is None or value == "":
        return ""
    return format_number(value, None if decimals in (None, "") else int(decimals))


@register.filter
def vndate(value):
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date kept in JSON ("2026-12-14")
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if hasattr(value, "hour"):
        value = timezone.localtime(value)
        return value.strftime("%H:%M %d/%m/%Y")
    return value.strftime("%d/%m/%Y")


@register.filter
def vnlongdate(value):
    return long_date(value) if value else ""


@register.filter
def mask_phone(value):
    """Personal data in lists: show only the last three digits (Law 91/2025/QH15)."""
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return "" if not digits else "•" * max(len(digits) - 3, 3) + digits[-3:]


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
