"""Roles and the role → permission table (code, tested exhaustively)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    hos = "hos"
    coordinator = "coordinator"
    finance = "finance"
    sales_person = "sales_person"
    viewer = "viewer"


# How each role reads to people (messages).
ROLE_LABELS: dict[Role, str] = {
    Role.admin: "Admin",
    Role.hos: "Head of sales",
    Role.coordinator: "Coordinator",
    Role.finance: "Finance",
    Role.sales_person: "Sales person",
    Role.viewer: "Viewer",
}

# Roles that are held for one company (the assignment names it).
COMPANY_ROLES = frozenset({Role.hos, Role.coordinator, Role.finance})
