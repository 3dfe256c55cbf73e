"""Account rules: creating companies and users, assigning roles."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.users import audit, repository
from salesbot.users.credentials import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    hash_secret,
    new_secret,
    verify_password,
)
from salesbot.users.models import ApiKey, Company, Invite, RoleAssignment, User
from salesbot.users.roles import COMPANY_ROLES, ROLE_LABELS, Role


def normalise_email(email: str) -> str:
    """A deliverable-looking, normalised address; the message never echoes the input."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationFailed("Please enter a valid e-mail address.") from exc


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > 256:
        raise ValidationFailed("Passwords can have at most 256 characters.")


def _check_company_fit(role: Role, company: Company | None) -> None:
    """Company roles need a company; the others must not have one."""
    if (role in COMPANY_ROLES) != (company is not None):
        raise ValidationFailed(
            f"The {role.value} role needs a company"
            if company is None
            else f"The {role.value} role is not tied to a company"
        )


async def ensure_company(
    session: AsyncSession, *, code: str, name: str, bo_prefix: str, accent_color: str
) -> Company:
    company = await repository.company_by_code(session, code)
    if company is None:
        company = Company(code=code, name=name, bo_prefix=bo_prefix, accent_color=accent_color)
        session.add(company)
        await session.flush()
    return company


async def ensure_user(
    session: AsyncSession,
    *,
    email: str,
    name: str,
    password: str,
    roles: Iterable[tuple[Role, Company | None]],
) -> User:
    """Create the user if missing (idempotent) and make sure it holds the given roles."""
    address = normalise_email(email)
    user = await repository.user_by_email(session, address)
    if user is None:
        check_password_strength(password)
        user = User(email=address, name=name, password_hash=await hash_password(password))
        user.roles = []
        session.add(user)
    for role, company in roles:
        _check_company_fit(role, company)
        repository.add_role(user, role.value, company.id if company else None)
    await session.flush()
    return user


INVITE_INVALID = "This invitation link is not valid any more. Ask an admin for a new one."


async def resolve_roles(
    session: AsyncSession, wanted: Iterable[tuple[str, str | None]]
) -> list[tuple[Role, Company | None]]:
    """Turn (role name, company code) pairs into checked roles; messages never echo input."""
    resolved: list[tuple[Role, Company | None]] = []
    for name, code in wanted:
        try:
            role = Role(name)
        except ValueError as exc:
            roles = [r.value for r in Role]
            raise ValidationFailed(
                f"One of the roles is not known. Roles: {', '.join(roles)}.",
                code="unknown_role",
                details={"allowed": roles},
            ) from exc
        company = await repository.company_by_code(session, code) if code else None
        if code and company is None:
            codes = [c.code for c in await repository.list_companies(session)]
            raise ValidationFailed(
                f"One of the companies is not known. Companies: {', '.join(codes) or 'none yet'}.",
                code="unknown_company",
                details={"allowed": codes},
            )
        _check_company_fit(role, company)
        if (role, company) in resolved:
            where = f" at {company.code}" if company else ""
            raise ValidationFailed(
                f"{ROLE_LABELS[role]}{where} is listed twice; give each role once."
            )
        resolved.append((role, company))
    if not resolved:
        raise ValidationFailed("Give the user at least one role.")
    return resolved


async def create_invite(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    email: str,
    roles: list[tuple[str, str | None]],
    days: int,
    now: datetime,
) -> tuple[Invite, str]:
    """Store the invite (token hashed) and return the token, which is shown only this once."""
    address = normalise_email(email)
    if not 1 <= days <= 30:
        raise ValidationFailed("Invitations last between 1 and 30 days.")
    if await repository.user_by_email(session, address) is not None:
        raise Conflict("Someone with this e-mail address already has an account.")
    checked = await resolve_roles(session, roles)
    token = new_secret("inv_")
    invite = Invite(
        email=address,
        roles=[{"role": r.value, "company": c.code if c else None} for r, c in checked],
        token_hash=hash_secret(token),
        expires_at=now + timedelta(days=days),
        created_by_id=actor_id,
    )
    session.add(invite)
    await session.flush()
    audit.record(
        session,
        audit.ActorRef(actor_id),
        "invite_created",
        audit.Target("invite", invite.id),
        {"email": address, "roles": invite.roles},
    )
    await session.commit()
    return invite, token


async def list_invites(session: AsyncSession) -> list[Invite]:
    return await repository.list_invites(session)


async def revoke_invite(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    invite_id: uuid.UUID,
    now: datetime,
) -> None:
    invite = await repository.invite_by_id(session, invite_id)
    if invite is None:
        raise NotFound("Invitation not found.")
    if invite.accepted_at is None and invite.revoked_at is None:
        invite.revoked_at = now
        audit.record(
            session, audit.ActorRef(actor_id), "invite_revoked", audit.Target("invite", invite.id)
        )
    await session.commit()


async def accept_invite(
    session: AsyncSession, *, token: str, name: str, password: str, now: datetime
) -> User:
    """Create the invited user server-side; expiry, revocation and single use are enforced."""
    invite = await repository.invite_by_hash(session, hash_secret(token[:200]))
    if (
        invite is None
        or invite.accepted_at is not None
        or invite.revoked_at is not None
        or invite.expires_at <= now
    ):
        raise NotFound(INVITE_INVALID, code="invite_invalid")
    if await repository.user_by_email(session, invite.email) is not None:
        raise NotFound(INVITE_INVALID, code="invite_invalid")
    check_password_strength(password)
    clean_name = " ".join(name.split())[:200]
    if not clean_name:
        raise ValidationFailed("Please enter your name.")
    roles = await resolve_roles(session, [(r["role"], r.get("company")) for r in invite.roles])
    invite.accepted_at = now
    user = await ensure_user(
        session, email=invite.email, name=clean_name, password=password, roles=roles
    )
    audit.record(
        session,
        audit.ActorRef(user.id, user.email),
        "invite_accepted",
        audit.Target("invite", invite.id),
    )
    await session.commit()
    return user


async def create_api_key(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    held: frozenset[str],
    name: str,
    scopes: list[str],
    days: int,
    now: datetime,
) -> tuple[ApiKey, str]:
    """A new key limited to `scopes` (a subset of what the owner holds); the key is shown once."""
    wanted = sorted(set(scopes))
    if not wanted:
        raise ValidationFailed("Choose at least one permission for the key.")
    if not set(wanted) <= held:
        refused = sorted(set(wanted) - held)
        raise ValidationFailed(
            "An API key can only carry permissions you hold yourself; not: "
            + ", ".join(name[:60] for name in refused[:10]),
            details={"allowed": sorted(held), "refused": refused[:100]},
        )
    if not 1 <= days <= 365:
        raise ValidationFailed("API keys last between 1 and 365 days.")
    clean_name = " ".join(name.split())[:100]
    if not clean_name:
        raise ValidationFailed("Please give the key a name.")
    prefix = secrets.token_hex(4)
    key = f"sbk_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        user_id=user_id,
        name=clean_name,
        prefix=f"sbk_{prefix}",
        key_hash=hash_secret(key),
        scopes=wanted,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    await session.flush()
    audit.record(
        session, audit.ActorRef(user_id), "api_key_created", audit.Target("api_key", row.id)
    )
    await session.commit()
    return row, key


async def list_api_keys(session: AsyncSession, user_id: uuid.UUID) -> list[ApiKey]:
    return await repository.api_keys_of(session, user_id)


async def revoke_api_key(
    session: AsyncSession, *, user_id: uuid.UUID, key_id: uuid.UUID, now: datetime
) -> None:
    row = await repository.api_key_by_id(session, key_id)
    if row is None or row.user_id != user_id:
        raise NotFound("API key not found.")
    if row.revoked_at is None:
        row.revoked_at = now
        audit.record(
            session, audit.ActorRef(user_id), "api_key_revoked", audit.Target("api_key", row.id)
        )
    await session.commit()


async def change_password(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    current_password: str,
    new_password: str,
    now: datetime,
) -> list[uuid.UUID]:
    """Set a new password after checking the current one; every session must sign in again.

    Returns the ended session ids, for the caller to publish to the revocation check.
    """
    user = await repository.user_by_id(session, user_id)
    if user is None or not await verify_password(user.password_hash, current_password):
        raise ValidationFailed(
            "Your current password is not correct.",
            code="wrong_password",
            details=[{"field": "current_password", "message": "not correct"}],
        )
    check_password_strength(new_password)
    if new_password == current_password:
        raise ValidationFailed(
            "Choose a new password that differs from the current one.",
            details=[{"field": "new_password", "message": "same as the current password"}],
        )
    user.password_hash = await hash_password(new_password)
    ended = await repository.revoke_user_sessions(session, user.id, now, "password_changed")
    audit.record(session, audit.ActorRef(user.id, user.email), "password_changed")
    await session.commit()
    return ended


async def list_users(session: AsyncSession) -> list[User]:
    return await repository.list_users(session)


async def find_company(session: AsyncSession, company_id: uuid.UUID) -> Company | None:
    return await session.get(Company, company_id)


async def find_user(session: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await repository.user_by_id(session, user_id)


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The account with this address (compared normalised), or None."""
    try:
        address = normalise_email(email)
    except ValidationFailed:
        return None
    return await repository.user_by_email(session, address)


async def users_with_role(session: AsyncSession, role: str, company_id: uuid.UUID) -> list[User]:
    """Active users holding `role` for the company, by email."""
    stmt = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            RoleAssignment.role == role,
            RoleAssignment.company_id == company_id,
            User.is_active.is_(True),
        )
        .order_by(User.email)
    )
    return list((await session.execute(stmt)).scalars().unique())


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await repository.user_by_id(session, user_id)
    if user is None:
        raise NotFound("User not found.")
    return user


async def update_user(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID,
    user_id: uuid.UUID,
    name: str | None,
    is_active: bool | None,
    roles: list[tuple[str, str | None]] | None,
    now: datetime,
) -> tuple[User, list[uuid.UUID]]:
    """The updated user and the sessions ended: deactivation and a role change sign them out."""
    user = await get_user(session, user_id)
    ended: list[uuid.UUID] = []
    if name is not None:
        clean = " ".join(name.split())[:200]
        if not clean:
            raise ValidationFailed("The name cannot be empty.")
        user.name = clean
    if is_active is not None and is_active != user.is_active:
        if user.id == actor_id and not is_active:
            raise ValidationFailed("You cannot deactivate your own account.")
        user.is_active = is_active
        if not is_active:
            ended += await repository.revoke_user_sessions(session, user.id, now, "deactivated")
        audit.record(
            session,
            audit.ActorRef(actor_id),
            "user_activated" if is_active else "user_deactivated",
            audit.Target("user", user.id),
        )
    if roles is not None and await _replace_roles(session, actor_id, user, roles):
        ended += await repository.revoke_user_sessions(session, user.id, now, "roles_changed")
    await session.commit()
    await session.refresh(user, ["roles"])
    return user, ended


async def _replace_roles(
    session: AsyncSession, actor_id: uuid.UUID, user: User, roles: list[tuple[str, str | None]]
) -> bool:
    """Replace the user's roles (audited); True when they changed."""
    checked = await resolve_roles(session, roles)
    before = sorted(_role_label(r.role, r.company.code if r.company else None) for r in user.roles)
    if user.id == actor_id and not any(r is Role.admin for r, _ in checked):
        raise ValidationFailed("You cannot remove your own admin role.")
    user.roles.clear()
    await session.flush()
    for role, company in checked:
        repository.add_role(user, role.value, company.id if company else None)
    after = sorted(_role_label(r.value, c.code if c else None) for r, c in checked)
    if before == after:
        return False
    audit.record(
        session,
        audit.ActorRef(actor_id),
        "roles_changed",
        audit.Target("user", user.id),
        {"before": before, "after": after},
    )
    return True


def _role_label(role: str, company: str | None) -> str:
    return f"{role}@{company}" if company else role


# --- companies, as other capabilities read them --------------------------------------------


@dataclass(frozen=True)
class CompanyInfo:
    """A company as plain values (other capabilities never see the table)."""

    id: uuid.UUID
    code: str
    name: str
    accent_color: str


async def list_companies(session: AsyncSession) -> list[CompanyInfo]:
    """Every company, by code (there are a handful: the media owners using the product)."""
    found = sorted(await repository.list_companies(session), key=lambda c: c.code)
    return [CompanyInfo(c.id, c.code, c.name, c.accent_color) for c in found]


async def company_by_ref(session: AsyncSession, ref: str) -> CompanyInfo | None:
    """A company by its code or its name (case-insensitive)."""
    wanted = ref.strip().lower()
    companies = await list_companies(session)
    return next((c for c in companies if wanted in (c.code.lower(), c.name.lower())), None)


async def companies_by_id(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, CompanyInfo]:
    wanted = set(ids)
    if not wanted:
        return {}
    return {c.id: c for c in await list_companies(session) if c.id in wanted}


# A spent refresh token that comes back revokes its family (reuse detection): a family is only
# forgotten once every token in it has been expired for this long.
SESSION_PURGE_GRACE = timedelta(days=7)


async def purge_expired_sessions(session: AsyncSession, *, now: datetime) -> int:
    """Delete the refresh tokens of sessions that expired a week ago or more; the count."""
    return await repository.delete_dead_refresh_families(session, now - SESSION_PURGE_GRACE)


async def purge_dead_devices(session: AsyncSession, *, now: datetime) -> int:
    """Forget signed-in devices expired or signed out a week ago or more (their access tokens
    expired long before, so the revocation check no longer needs them); the count."""
    return await repository.delete_dead_auth_sessions(session, now - SESSION_PURGE_GRACE)


async def active_users(session: AsyncSession, now: datetime) -> tuple[int, int]:
    """(daily, monthly) active users: seen in the last 24 hours and the last 30 days."""
    daily = await repository.count_active_users(session, now - timedelta(days=1))
    monthly = await repository.count_active_users(session, now - timedelta(days=30))
    return daily, monthly
