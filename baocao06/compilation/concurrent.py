"""Reads on another thread's own database connection, for the compile and the national workbook.

Another connection sees only committed data, so callers read this way only outside a transaction
(`connection.in_atomic_block`), and only what never changes once committed (submitted versions and
their values).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def on_own_connection(read: Callable[..., T], *args) -> T:
    """`read(*args)` in a pool's thread, whose connections are closed afterwards (Django opens one per
    thread; a pool's threads outlive the task, their connections must not)."""
    from django.db import connections

    try:
        return read(*args)
    finally:
        connections.close_all()  # this thread's own connections
