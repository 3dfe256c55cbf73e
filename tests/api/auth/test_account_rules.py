"""The account and sign-in rules' refusals, called as the endpoints call them.

Each refusal has its own message (never echoing the input) and writes nothing.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from salesbot.auth import service as auth
from salesbot.kit.db import utcnow
from salesbot.kit.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from salesbot.users import service
from salesbot.users.models import ApiKey, AuditEvent, Invite, User
from salesbot.users.roles import Role
from tests.api.auth.conftest import Seeded
from tests.support.auth import PASSWORD


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


async def _count(app: FastAPI, model: type) -> int:
    async with app.state.db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_roles_and_companies_must_fit(app: FastAPI, seeded: Seeded) -> None:
    async with app.state.db.sessions() as session:
        roles = "admin, hos, coordinator, finance, sales_person, viewer"
        with pytest.raises(
            ValidationFailed, match=exactly(f"One of the roles is not known. Roles: {roles}.")
        ) as role_refusal:
            await service.resolve_roles(session, [("emperor", None)])
        assert role_refusal.value.details == {"allowed": roles.split(", ")}
        with pytest.raises(
            ValidationFailed,
            match=exactly(f"One of the companies is not known. Companies: {seeded.company_code}."),
        ) as company_refusal:
            await service.resolve_roles(session, [("coordinator", "nowhere")])
        assert company_refusal.value.details == {"allowed": [seeded.company_code]}
        with pytest.raises(ValidationFailed, match=exactly("The coordinator role needs a company")):
            await service.resolve_roles(session, [("coordinator", None)])
        with pytest.raises(
            ValidationFailed, match=exactly("The admin role is not tied to a company")
        ):
            await service.resolve_roles(session, [("admin", seeded.company_code)])
        with pytest.raises(ValidationFailed, match=exactly("Give the user at least one role.")):
            await service.resolve_roles(session, [])
        ((role, company),) = await service.resolve_roles(session, [("finance", "backlite")])
        assert role is Role.finance and company is not None and company.code == "backlite"
        # ensure_company is idempotent: the existing company, not a second one.
        again = await service.ensure_company(
            session, code="backlite", name="Other name", bo_prefix="XX", accent_color="#000000"
        )
        assert again.id == company.id and again.name == "Backlite"


async def test_company_lookups(app: FastAPI, seeded: Seeded) -> None:
    async with app.state.db.sessions() as session:
        await service.ensure_company(
            session, code="viola", name="Viola Media", bo_prefix="VL", accent_color="#7b3fa0"
        )
        await session.commit()
        listed = await service.list_companies(session)
        assert [c.code for c in listed] == ["backlite", "viola"]
        by_name = await service.company_by_ref(session, "  viola media ")
        by_code = await service.company_by_ref(session, "VIOLA")
        assert by_name is not None and by_code is not None and by_name.id == by_code.id
        assert await service.company_by_ref(session, "nobody") is None
        assert await service.companies_by_id(session, []) == {}
        found = await service.companies_by_id(session, [by_name.id, uuid.uuid4()])
        assert list(found) == [by_name.id] and found[by_name.id].name == "Viola Media"
        assert await service.find_company(session, by_name.id) is not None
        assert await service.find_user(session, uuid.uuid4()) is None
        with pytest.raises(NotFound, match=exactly("User not found.")):
            await service.get_user(session, uuid.uuid4())


async def test_invites_refuse_bad_terms_and_spent_links(app: FastAPI, seeded: Seeded) -> None:
    now = utcnow()
    async with app.state.db.sessions() as session:

        async def ask(email: str, days: int) -> tuple[Invite, str]:
            return await service.create_invite(
                session,
                actor_id=seeded.admin.id,
                email=email,
                roles=[("viewer", None)],
                days=days,
                now=now,
            )

        for days in (0, 31):
            with pytest.raises(ValidationFailed, match="Invitations last between 1 and 30 days"):
                await ask("new@example.com", days)
        with pytest.raises(Conflict, match="already has an account"):
            await ask("Sales@Example.com", 7)
        assert await _count(app, Invite) == 0

        invite, token = await ask("new@example.com", 7)
        with pytest.raises(ValidationFailed, match=exactly("Please enter your name.")):
            await service.accept_invite(
                session, token=token, name="   ", password=PASSWORD, now=now
            )
        with pytest.raises(ValidationFailed, match="at least 10 characters"):
            await service.accept_invite(session, token=token, name="New", password="short", now=now)
        # The address got an account another way meanwhile: the link is spent.
        await service.ensure_user(
            session, email="new@example.com", name="Other", password=PASSWORD, roles=[]
        )
        await session.commit()
        with pytest.raises(NotFound, match="not valid any more") as spent:
            await service.accept_invite(
                session, token=token, name="New", password=PASSWORD, now=now
            )
        assert spent.value.code == "invite_invalid"

        # Revoking: unknown → not found; an accepted or revoked invite stays as it is.
        with pytest.raises(NotFound, match=exactly("Invitation not found.")):
            await service.revoke_invite(
                session, actor_id=seeded.admin.id, invite_id=uuid.uuid4(), now=now
            )
        await service.revoke_invite(session, actor_id=seeded.admin.id, invite_id=invite.id, now=now)
        later = now + timedelta(hours=1)
        await service.revoke_invite(
            session, actor_id=seeded.admin.id, invite_id=invite.id, now=later
        )
        (listed,) = await service.list_invites(session)
        assert listed.revoked_at is not None
        assert listed.revoked_at.replace(tzinfo=None) == now.replace(tzinfo=None)
        revoked = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "invite_revoked")
        )
        assert revoked == 1


async def test_api_keys_refuse_bad_terms_and_stay_with_their_owner(
    app: FastAPI, seeded: Seeded
) -> None:
    now = utcnow()
    held = frozenset({"proposals:read", "proposals:create"})
    async with app.state.db.sessions() as session:

        async def make(name: str, scopes: list[str], days: int) -> tuple[ApiKey, str]:
            return await service.create_api_key(
                session,
                user_id=seeded.sales.id,
                held=held,
                name=name,
                scopes=scopes,
                days=days,
                now=now,
            )

        refusals: list[tuple[str, list[str], int, str]] = [
            ("ci", [], 30, "Choose at least one permission"),
            ("ci", ["users:manage"], 30, "permissions you hold"),
            ("ci", ["proposals:read"], 0, "between 1 and 365 days"),
            ("ci", ["proposals:read"], 366, "between 1 and 365 days"),
            (" \t", ["proposals:read"], 30, "give the key a name"),
        ]
        for name, scopes, days, message in refusals:
            with pytest.raises(ValidationFailed, match=message):
                await make(name, scopes, days)
        assert await _count(app, ApiKey) == 0

        row, key = await make("  nightly   export ", ["proposals:read"] * 2, 30)
        assert row.name == "nightly export" and row.scopes == ["proposals:read"]
        assert key.startswith(row.prefix + "_")
        with pytest.raises(NotFound, match=exactly("API key not found.")):
            await service.revoke_api_key(session, user_id=seeded.admin.id, key_id=row.id, now=now)
        with pytest.raises(NotFound):
            await service.revoke_api_key(
                session, user_id=seeded.sales.id, key_id=uuid.uuid4(), now=now
            )
        await service.revoke_api_key(session, user_id=seeded.sales.id, key_id=row.id, now=now)
        await service.revoke_api_key(
            session, user_id=seeded.sales.id, key_id=row.id, now=now + timedelta(days=1)
        )
        (listed,) = await service.list_api_keys(session, seeded.sales.id)
        assert listed.revoked_at is not None
        assert listed.revoked_at.replace(tzinfo=None) == now.replace(tzinfo=None)
        with pytest.raises(Unauthorized, match="not valid"):
            await auth.principal_from_api_key(session, key, now=now)


async def test_password_change_refusals(app: FastAPI, seeded: Seeded) -> None:
    now = utcnow()
    async with app.state.db.sessions() as session:
        with pytest.raises(ValidationFailed) as wrong:
            await service.change_password(
                session, uuid.uuid4(), current_password=PASSWORD, new_password="x" * 12, now=now
            )
        assert wrong.value.code == "wrong_password"
        with pytest.raises(ValidationFailed, match="at most 256 characters"):
            await service.change_password(
                session, seeded.sales.id, current_password=PASSWORD, new_password="x" * 257, now=now
            )
        with pytest.raises(ValidationFailed, match="differs from the current one"):
            await service.change_password(
                session, seeded.sales.id, current_password=PASSWORD, new_password=PASSWORD, now=now
            )


async def test_admins_cannot_lock_themselves_out(app: FastAPI, seeded: Seeded) -> None:
    admin = seeded.admin.id
    async with app.state.db.sessions() as session:

        async def edit(
            user_id: uuid.UUID,
            *,
            name: str | None = None,
            is_active: bool | None = None,
            roles: list[tuple[str, str | None]] | None = None,
        ) -> User:
            user, _ended = await service.update_user(
                session,
                actor_id=admin,
                user_id=user_id,
                name=name,
                is_active=is_active,
                roles=roles,
                now=utcnow(),
            )
            return user

        with pytest.raises(ValidationFailed, match=exactly("The name cannot be empty.")):
            await edit(seeded.sales.id, name=" ")
        with pytest.raises(ValidationFailed, match="deactivate your own account"):
            await edit(admin, is_active=False)
        with pytest.raises(ValidationFailed, match="remove your own admin role"):
            await edit(admin, roles=[("viewer", None)])
        await session.rollback()
        # Setting the roles a user already has records no change.
        before = await session.scalar(select(func.count()).select_from(AuditEvent))
        same = await edit(seeded.sales.id, roles=[("sales_person", None)])
        assert [r.role for r in same.roles] == ["sales_person"]
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == before
        # Reactivating an active user changes nothing either.
        await edit(seeded.sales.id, is_active=True)
        assert await session.scalar(select(func.count()).select_from(AuditEvent)) == before


async def test_users_with_a_company_role(app: FastAPI, seeded: Seeded) -> None:
    async with app.state.db.sessions() as session:
        backlite = await service.ensure_company(
            session, code="backlite", name="Backlite", bo_prefix="BL", accent_color="#2b59c3"
        )
        for email, active in (
            ("b@example.com", True),
            ("a@example.com", True),
            ("z@example.com", False),
        ):
            user = await service.ensure_user(
                session,
                email=email,
                name=email,
                password=PASSWORD,
                roles=[(Role.finance, backlite)],
            )
            user.is_active = active
        await session.commit()
        found = await service.users_with_role(session, "finance", backlite.id)
        assert [u.email for u in found] == ["a@example.com", "b@example.com"]  # active, by email
        assert await service.users_with_role(session, "coordinator", backlite.id) == []


async def test_sign_in_refusals(app: FastAPI, seeded: Seeded) -> None:
    settings = app.state.settings
    revocations = app.state.revocations
    client = auth.ClientInfo(ip="127.0.0.1", user_agent="pytest")
    now = utcnow()
    async with app.state.db.sessions() as session:
        with pytest.raises(Unauthorized, match="password is incorrect"):
            await auth.dev_login(
                session, settings, email="nobody@example.com", now=now, client=client
            )
        with pytest.raises(Unauthorized, match="session has expired") as unknown:
            await auth.refresh(
                session,
                settings,
                refresh_token="rt_never-issued",
                now=now,
                client=client,
                revocations=revocations,
            )
        assert unknown.value.code == "session_expired"
        _, issued = await auth.login(
            session, settings, email="sales@example.com", password=PASSWORD, now=now, client=client
        )
        # Signing out with only the refresh token ends its family and names its owner.
        await auth.logout(
            session,
            settings,
            refresh_token=issued.refresh_token,
            access_token=None,
            now=now,
            revocations=revocations,
        )
        with pytest.raises(Unauthorized, match="session has expired"):
            await auth.refresh(
                session,
                settings,
                refresh_token=issued.refresh_token,
                now=now,
                client=client,
                revocations=revocations,
            )
        await auth.logout(  # nothing to do
            session,
            settings,
            refresh_token=None,
            access_token=None,
            now=now,
            revocations=revocations,
        )
        logouts = await session.scalars(
            select(AuditEvent.actor_id).where(AuditEvent.action == "logout")
        )
        assert list(logouts) == [seeded.sales.id]

        # An expired refresh token, and one whose user was deactivated, are refused.
        _, old = await auth.login(
            session, settings, email="viewer@example.com", password=PASSWORD, now=now, client=client
        )
        far = now + timedelta(days=settings.refresh_token_days, seconds=1)
        with pytest.raises(Unauthorized, match="session has expired"):
            await auth.refresh(
                session,
                settings,
                refresh_token=old.refresh_token,
                now=far,
                client=client,
                revocations=revocations,
            )
        viewer = await session.get(User, seeded.viewer.id)
        assert viewer is not None
        viewer.is_active = False
        await session.commit()
        with pytest.raises(Unauthorized, match="session has expired"):
            await auth.refresh(
                session,
                settings,
                refresh_token=old.refresh_token,
                now=now,
                client=client,
                revocations=revocations,
            )
        with pytest.raises(Unauthorized, match="password is incorrect"):
            await auth.dev_login(
                session, settings, email="viewer@example.com", now=now, client=client
            )
        # A deactivated account's valid access token is refused with its own reason.
        with pytest.raises(Forbidden, match="deactivated") as inactive:
            await auth.principal_from_bearer(
                session,
                settings,
                old.access_token,
                method="bearer",
                supabase=None,
                revocations=revocations,
            )
        assert inactive.value.code == "account_inactive"
        # A token for an account that no longer exists asks to sign in.
        await session.delete(viewer)
        await session.commit()
        with pytest.raises(Unauthorized, match="sign in"):
            await auth.principal_from_bearer(
                session,
                settings,
                old.access_token,
                method="cookie",
                supabase=None,
                revocations=revocations,
            )
