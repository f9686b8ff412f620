"""The time actions record. Normally now; the demo loader and tests set it to replay history.

Actions and the audit log read `clock.now()` instead of `timezone.now()` so that demo data of
a 2024 round carries 2024 timestamps through the same code paths as real use.
"""

import contextlib
import contextvars
import datetime as dt

from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("frozen_now", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def frozen_at(moment: dt.datetime):
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
