"""The role → permission table for the whole product (`resource:action` strings)."""

from __future__ import annotations

from collections.abc import Iterable

from salesbot.users.roles import Role

# Every authenticated user may read their profile and manage their own API keys.
SELF = frozenset({"account:self"})

_SALES = frozenset(
    {
        "conversations:create",
        "conversations:read",
        "conversations:delete",
        "conversations:export",
        "files:upload",
        "files:read",
        "files:delete",
        "proposals:create",
        "proposals:read",
        "proposals:export",
        "locations:read",
        "mockups:generate",
        "booking_orders:create",
        "booking_orders:read",
        "notifications:read",
        "costs:read",
    }
)

_VIEWER = frozenset(
    {
        "conversations:read",
        "files:read",
        "proposals:read",
        "locations:read",
        "booking_orders:read",
        "notifications:read",
    }
)

_COORDINATOR = _SALES | {"booking_orders:edit", "mockups:setup"}

_HOS = _SALES | {
    "proposals:read_all",
    "booking_orders:edit",
    "booking_orders:approve",
    "costs:read_all",
    "mockups:setup",
}

_FINANCE = frozenset(
    {
        "conversations:create",
        "conversations:read",
        "files:upload",
        "files:read",
        "proposals:read",
        "proposals:read_all",
        "locations:read",
        "booking_orders:read",
        "booking_orders:finance",
        "notifications:read",
        "costs:read",
        "costs:read_all",
    }
)

_ADMIN_ONLY = frozenset(
    {
        "locations:manage",
        "users:manage",
        "invites:manage",
        "audit:read",
        "settings:manage",
        "health:details",
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.viewer: SELF | _VIEWER,
    Role.sales_person: SELF | _SALES,
    Role.coordinator: SELF | _COORDINATOR,
    Role.hos: SELF | _HOS,
    Role.finance: SELF | _FINANCE,
    Role.admin: SELF | _SALES | _COORDINATOR | _HOS | _FINANCE | _ADMIN_ONLY,
}

ALL_PERMISSIONS: frozenset[str] = frozenset().union(*ROLE_PERMISSIONS.values())


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    """The union of the permissions of the given role names; unknown names grant nothing."""
    granted: set[str] = set()
    for name in roles:
        try:
            granted |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(granted)


def is_known(permission: str) -> bool:
    return permission in ALL_PERMISSIONS
