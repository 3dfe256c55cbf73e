"""The role → permission table, printed and checked exhaustively."""

from __future__ import annotations

import pytest

from salesbot.auth.deps import require
from salesbot.users.permissions import ALL_PERMISSIONS, ROLE_PERMISSIONS, permissions_for
from salesbot.users.roles import Role

EXPECTED_ADMIN_ONLY = {
    "users:manage",
    "invites:manage",
    "audit:read",
    "settings:manage",
    "health:details",
    "locations:manage",
}


def test_print_and_check_table(capsys: pytest.CaptureFixture[str]) -> None:
    for role in Role:
        print(f"{role.value:<13} {' '.join(sorted(ROLE_PERMISSIONS[role]))}")
    out = capsys.readouterr().out
    assert len(out.splitlines()) == len(Role)
    assert set(ROLE_PERMISSIONS) == set(Role)
    for permission in ALL_PERMISSIONS:
        resource, _, action = permission.partition(":")
        assert resource and action and permission == permission.lower()
    assert ROLE_PERMISSIONS[Role.admin] == ALL_PERMISSIONS
    for role in Role:
        if role is not Role.admin:
            assert not (ROLE_PERMISSIONS[role] & EXPECTED_ADMIN_ONLY), role


def test_specific_grants() -> None:
    viewer = ROLE_PERMISSIONS[Role.viewer]
    assert "proposals:read" in viewer
    assert not any(p.endswith((":create", ":edit", ":approve", ":generate")) for p in viewer)
    assert "booking_orders:approve" in ROLE_PERMISSIONS[Role.hos]
    assert "booking_orders:approve" not in ROLE_PERMISSIONS[Role.coordinator]
    assert "booking_orders:finance" in ROLE_PERMISSIONS[Role.finance]
    assert "booking_orders:finance" not in ROLE_PERMISSIONS[Role.hos]
    assert "proposals:read_all" in ROLE_PERMISSIONS[Role.hos]
    assert "proposals:read_all" not in ROLE_PERMISSIONS[Role.sales_person]
    assert "mockups:generate" in ROLE_PERMISSIONS[Role.sales_person]
    assert "mockups:setup" not in ROLE_PERMISSIONS[Role.sales_person]
    for role in Role:
        assert "account:self" in ROLE_PERMISSIONS[role]


def test_union_of_roles_and_unknown_names() -> None:
    both = permissions_for(["viewer", "finance"])
    assert both == ROLE_PERMISSIONS[Role.viewer] | ROLE_PERMISSIONS[Role.finance]
    assert permissions_for(["emperor"]) == frozenset()


def test_require_refuses_unknown_permission() -> None:
    with pytest.raises(ValueError, match="unknown permission"):
        require("proposals:everything")
