"""Who may set up mockup photos, and the principal that reads files on a mockup's behalf."""

from __future__ import annotations

import uuid

from salesbot.auth.service import Principal, RoleGrant
from salesbot.kit.errors import Forbidden

_SETUP_ROLES = frozenset({"coordinator", "hos"})

# Photos and creatives are read on behalf of whoever makes a mockup, not only their uploader.
READER = Principal(
    user_id=uuid.UUID(int=0),
    email="system",
    name="Mockup reader",
    roles=(RoleGrant("admin"),),
    permissions=frozenset(),
    auth_method="system",
)


def _setup_scope(principal: Principal) -> set[uuid.UUID] | None:
    """Companies whose photos the caller may set up; None means every company."""
    if any(g.role == "admin" for g in principal.roles):
        return None
    grants = [g for g in principal.roles if g.role in _SETUP_ROLES]
    if any(g.company_id is None for g in grants):
        return None
    return {g.company_id for g in grants if g.company_id is not None}


def ensure_may_set_up(principal: Principal, company_id: uuid.UUID) -> None:
    """Forbidden unless the caller may set up photos of a location of `company_id`."""
    scope = _setup_scope(principal)
    if scope is not None and company_id not in scope:
        raise Forbidden("You can set up mockup photos only for your company's locations.")
