"""Request and response models for the admin user endpoints."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from salesbot.users.roles import Role


class UserRole(BaseModel):
    role: Role
    company: str | None = Field(default=None, max_length=40)


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    is_active: bool
    roles: list[UserRole]
    created_at: datetime
    last_login_at: datetime | None


class UserUpdate(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = None
    roles: list[UserRole] | None = Field(default=None, min_length=1, max_length=20)
