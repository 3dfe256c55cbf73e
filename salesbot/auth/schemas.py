"""Request and response models for sign-in, invites, API keys and the audit log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from salesbot.users.credentials import MIN_PASSWORD_LENGTH
from salesbot.users.permissions import ALL_PERMISSIONS
from salesbot.users.roles import Role


class LoginRequest(BaseModel):
    email: str = Field(max_length=320)
    password: str = Field(max_length=256)


class DevLoginRequest(BaseModel):
    email: str = Field(max_length=320)


class RefreshRequest(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=200)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    csrf_token: str


class RoleOut(BaseModel):
    role: str
    company: str | None = None


class MeResponse(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    roles: list[RoleOut]
    permissions: list[str]
    auth_method: str
    # The role needs two-step sign-in and it is not set up: only Settings works until it is.
    mfa_enrolment_required: bool = False


class RoleIn(BaseModel):
    role: Role
    company: str | None = Field(default=None, max_length=40)


class InviteCreate(BaseModel):
    email: str = Field(max_length=320)
    roles: list[RoleIn] = Field(min_length=1, max_length=20)
    days: int = Field(default=7, ge=1, le=30)


class InviteOut(BaseModel):
    id: uuid.UUID
    email: str
    roles: list[RoleOut]
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None
    status: str


class InviteCreated(InviteOut):
    token: str
    link: str


class InviteAccept(BaseModel):
    token: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=256)


class AcceptedUser(BaseModel):
    id: uuid.UUID
    email: str
    name: str


# A key's scopes are permission names: the fixed set is documented, the owner's rights decide.
PermissionName = Annotated[
    str, Field(max_length=60, json_schema_extra={"enum": sorted(ALL_PERMISSIONS)})
]


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: list[PermissionName] = Field(min_length=1, max_length=100)
    days: int = Field(default=90, ge=1, le=365)


class ApiKeyOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str


class AuditEventOut(BaseModel):
    id: uuid.UUID
    created_at: datetime
    action: str
    actor_id: uuid.UUID | None
    actor_email: str | None
    target_type: str | None
    target_id: str | None
    ip: str | None
    details: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEventOut]
    next_cursor: str | None = None
    has_more: bool = False


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class SessionOut(BaseModel):
    """A signed-in device."""

    id: uuid.UUID
    device: str
    user_agent: str | None
    ip: str | None
    created_at: datetime
    last_seen_at: datetime
    current: bool


class MfaCode(BaseModel):
    code: str = Field(min_length=6, max_length=40)


class MfaLogin(MfaCode):
    mfa_token: str = Field(min_length=1, max_length=2000)
    remember: bool = False  # skip the code on this browser for SALESBOT_MFA_REMEMBER_DAYS


class MfaStatus(BaseModel):
    enabled: bool
    recovery_codes_left: int


class MfaSetup(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


class MfaEnabled(BaseModel):
    recovery_codes: list[str]


class MfaRolesIn(BaseModel):
    """The roles that must use two-step sign-in; every role left out need not."""

    required_roles: list[Role] = Field(max_length=len(Role))


class MfaRolesOut(BaseModel):
    required_roles: list[Role]
    # "default": no admin has decided yet and SALESBOT_MFA_REQUIRED_ROLES applies.
    source: Literal["default", "admin"]
    updated_at: datetime | None = None
    roles: list[Role] = Field(description="Every role, in display order")
