"""Which units a person acts for, read once per request and shared by every check that needs it."""

from __future__ import annotations

from baocao06.core import statements

from .models import Membership, UnitRole


def unit_ids(user, roles: tuple[str, ...] = (UnitRole.REPORTER, UnitRole.APPROVER)) -> set[int]:
    """The units the user acts for in any of `roles` (memberships read once per user object)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cache = user.__dict__.get("_unit_roles")
    if cache is None:
        cache = {}
        # Read on nearly every request (the second-factor gate, every access check), so its SQL is built
        # once (core.statements) rather than by the ORM each time.
        for unit_id, role in statements.values(Membership, ("unit_id", "role"), user_id=user.pk):
            cache.setdefault(role, set()).add(unit_id)
        user.__dict__["_unit_roles"] = cache
    return set().union(*(cache.get(role, set()) for role in roles))
