"""Account rules: creating companies and users, assigning roles."""

from __future__ import annotations

from collections.abc import Iterable

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.passwords import MIN_PASSWORD_LENGTH, hash_password
from salesbot.kit.errors import ValidationFailed
from salesbot.users import repository
from salesbot.users.models import Company, User
from salesbot.users.roles import COMPANY_ROLES, Role


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
        if (role in COMPANY_ROLES) != (company is not None):
            raise ValidationFailed(
                f"The {role.value} role needs a company"
                if company is None
                else f"The {role.value} role is not tied to a company"
            )
        repository.add_role(user, role.value, company.id if company else None)
    await session.flush()
    return user
