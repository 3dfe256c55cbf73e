"""Erasure of a person: their own data goes, business records stay under a pseudonym.

Goes (rows, and objects in storage): conversations with their messages and summaries, the
person's files that no business record uses, mockups, notifications, data exports, invites to
their address, sessions and API keys (with the account row, so every token stops at once).
Stays, with the name and e-mail replaced by the pseudonym: booking orders (and their history),
proposals (their owner becomes empty), the audit log, usage figures (without the person).
An approved booking order's stored Excel and PDF print the names, so they are rendered again
under the pseudonym (same file ids, new bytes); the old objects go after the commit. Proposal
decks print no person's name or e-mail, so they stay as they are.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.booking_orders import rendering
from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.booking_orders.views import Env
from salesbot.conversations import hot
from salesbot.conversations.models import Conversation, Message
from salesbot.files.models import FileRecord
from salesbot.inventory.models import Commitment
from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage, StorageError
from salesbot.lifecycle import holds
from salesbot.lifecycle.models import DataExport
from salesbot.lifecycle.pseudonym import Pseudonym, pseudonym_for
from salesbot.lifecycle.references import business_file_ids
from salesbot.mockups.models import Mockup
from salesbot.notifications.models import Notification
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users.models import AuditEvent, Invite, RoleAssignment, User
from salesbot.users.roles import Role

log = get_logger(__name__)

USER_NOT_FOUND = "User not found."


@dataclass(frozen=True)
class Erased:
    user_id: uuid.UUID
    pseudonym: str
    conversations: int
    messages: int
    files_deleted: int
    files_kept: int
    mockups: int
    notifications: int
    booking_orders_pseudonymised: int
    documents_reproduced: int = 0
    documents_withdrawn: int = 0
    objects_failed: int = 0


async def _check_allowed(session: AsyncSession, actor: audit.Actor, user: User) -> None:
    if await holds.user_is_held(session, user.id):
        raise Conflict(
            "This user is under legal hold and cannot be erased. Release the hold first.",
            code="legal_hold",
        )
    if any(r.role == Role.admin.value for r in user.roles):
        others = await session.scalar(
            select(func.count(func.distinct(RoleAssignment.user_id)))
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                RoleAssignment.role == Role.admin.value,
                RoleAssignment.user_id != user.id,
                User.is_active.is_(True),
            )
        )
        if not others:
            raise Conflict("The last admin cannot be erased.", code="last_admin")
    if user.id == actor.user_id:
        raise ValidationFailed("You cannot erase your own account.")


async def _own_files(
    session: AsyncSession, user_id: uuid.UUID
) -> tuple[list[FileRecord], list[FileRecord]]:
    """The person's files split into (to delete, to keep as business documents)."""
    files = list(
        (await session.scalars(select(FileRecord).where(FileRecord.owner_id == user_id))).all()
    )
    used = await business_file_ids(session, [f.id for f in files])
    kept = [f for f in files if f.id in used or f.company_id is not None]
    gone = [f for f in files if f not in kept]
    return gone, kept


def _replace(value: str | None, user: User, alias: Pseudonym) -> str | None:
    if value is None:
        return None
    if value.strip().lower() in {user.name.strip().lower(), user.email.lower()}:
        return alias.email if "@" in value else alias.name
    return value


async def _pseudonymise_business_records(
    session: AsyncSession, user: User, alias: Pseudonym
) -> tuple[list[BookingOrderRow], list[BookingOrderRow]]:
    """Booking orders they own or acted on: names and addresses become the pseudonym.

    Returns every such row, and those whose printed names changed (their documents must be
    rendered again).
    """
    acted = select(BookingOrderEvent.booking_order_id).where(BookingOrderEvent.actor_id == user.id)
    rows = (
        await session.scalars(
            select(BookingOrderRow).where(
                (BookingOrderRow.owner_id == user.id) | BookingOrderRow.id.in_(acted)
            )
        )
    ).all()
    changed = []
    for row in rows:
        before = (dict(row.data), row.hos_name)
        data = dict(row.data)
        if isinstance(data.get("sales_person"), str):
            data["sales_person"] = _replace(data["sales_person"], user, alias)
        if isinstance(data.get("notes"), str):
            notes = data["notes"].replace(user.email, alias.email)
            data["notes"] = notes.replace(user.name, alias.name) if user.name.strip() else notes
        row.data = data
        row.hos_name = _replace(row.hos_name, user, alias)
        if (data, row.hos_name) != before:
            changed.append(row)
    await session.execute(
        update(BookingOrderEvent)
        .where(BookingOrderEvent.actor_id == user.id)
        .values(actor_name=alias.name)
    )
    await session.execute(
        update(AuditEvent).where(AuditEvent.actor_id == user.id).values(actor_email=alias.email)
    )
    # Holds and bookings keep a name for the calendar: theirs becomes the pseudonym.
    await session.execute(
        update(Commitment).where(Commitment.owner_id == user.id).values(owner_name=alias.name)
    )
    return list(rows), changed


async def _reproduce_documents(
    session: AsyncSession, env: Env, rows: list[BookingOrderRow], new_keys: list[str]
) -> tuple[list[str], int]:
    """Render the changed booking orders' documents again: (old keys to delete, withdrawn).

    A document that cannot be produced again (its original is gone, say) is withdrawn rather
    than kept with the erased name on it: the figures stay, and the booking order says why.
    """
    old_keys: list[str] = []
    withdrawn = 0
    for row in rows:
        try:
            new, old = await rendering.reproduce_documents(session, env, row)
        except rendering.DocumentsNotReproduced as exc:
            old_keys += await _withdraw_documents(session, row, str(exc))
            withdrawn += 1
            continue
        new_keys.extend(new)
        old_keys.extend(old)
    return old_keys, withdrawn


async def _withdraw_documents(session: AsyncSession, row: BookingOrderRow, why: str) -> list[str]:
    ids = [fid for fid in (row.excel_file_id, row.final_pdf_file_id) if fid is not None]
    records = (await session.scalars(select(FileRecord).where(FileRecord.id.in_(ids)))).all()
    row.excel_file_id = row.final_pdf_file_id = None
    row.render_error = (
        f"Documents withdrawn when a person was erased ({why}); produce them again."
    )[:300]
    await session.flush()
    await session.execute(delete(FileRecord).where(FileRecord.id.in_(ids)))
    log.warning("erasure_documents_withdrawn", booking_order=str(row.id))
    return [r.storage_key for r in records]


async def _delete_personal_rows(session: AsyncSession, user: User) -> dict[str, int]:
    conversation_ids = select(Conversation.id).where(Conversation.user_id == user.id)
    messages = await session.scalar(
        select(func.count())
        .select_from(Message)
        .where(Message.conversation_id.in_(conversation_ids))
    )
    counts = {"messages": int(messages or 0)}
    for name, stmt in (
        ("mockups", delete(Mockup).where(Mockup.owner_id == user.id)),
        ("notifications", delete(Notification).where(Notification.user_id == user.id)),
        ("conversations", delete(Conversation).where(Conversation.user_id == user.id)),
    ):
        result = await session.execute(stmt)
        counts[name] = int(getattr(result, "rowcount", 0) or 0)
    await session.execute(delete(Invite).where(func.lower(Invite.email) == user.email.lower()))
    return counts


async def erase_user(
    session: AsyncSession,
    storage: Storage,
    actor: audit.Actor,
    *,
    user_id: uuid.UUID,
    reason: str,
    settings: Settings,
    now: datetime,
) -> Erased:
    """Erase `user_id` in one transaction, then remove the objects of what was deleted."""
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(USER_NOT_FOUND)
    await _check_allowed(session, actor, user)
    talks = list(
        await session.scalars(select(Conversation.id).where(Conversation.user_id == user_id))
    )
    new_keys: list[str] = []
    try:
        result, keys = await _erase(session, Env(settings, storage), user, new_keys, settings)
        audit.record(
            session,
            actor,
            "user_erased",
            audit.Target("user", user_id),
            {**_details(result), "reason": reason, "at": now.isoformat()},
        )
        await session.commit()
    except BaseException:
        await session.rollback()
        await _delete_objects(storage, new_keys)  # documents rendered for a rolled-back erasure
        raise
    await hot.forget(settings.redis_dsn, talks)
    failed = await _delete_objects(storage, keys)
    log.info("user_erased", user_id=str(user_id), objects_failed=failed)
    return Erased(**{**asdict(result), "objects_failed": failed})


def _details(result: Erased) -> dict[str, object]:
    return {k: v for k, v in asdict(result).items() if k not in ("user_id", "objects_failed")}


async def _erase(
    session: AsyncSession, env: Env, user: User, new_keys: list[str], settings: Settings
) -> tuple[Erased, list[str]]:
    """The erasure's writes (not committed): the result and the object keys to delete after."""
    alias = pseudonym_for(user.id, settings.secret_key.get_secret_value())
    gone, kept = await _own_files(session, user.id)
    exports = list(
        (await session.scalars(select(DataExport).where(DataExport.user_id == user.id))).all()
    )
    keys = [f.storage_key for f in gone] + [e.storage_key for e in exports if e.storage_key]
    bos, changed = await _pseudonymise_business_records(session, user, alias)
    old_documents, withdrawn = await _reproduce_documents(session, env, changed, new_keys)
    keys += old_documents
    counts = await _delete_personal_rows(session, user)
    if gone:
        await session.execute(delete(FileRecord).where(FileRecord.id.in_([f.id for f in gone])))
    await session.delete(user)  # sessions, API keys, roles and exports go with it (CASCADE)
    result = Erased(
        user_id=user.id,
        pseudonym=alias.name,
        conversations=counts["conversations"],
        messages=counts["messages"],
        files_deleted=len(gone),
        files_kept=len(kept),
        mockups=counts["mockups"],
        notifications=counts["notifications"],
        booking_orders_pseudonymised=len(bos),
        documents_reproduced=len(new_keys),
        documents_withdrawn=withdrawn,
    )
    return result, keys


async def _delete_objects(storage: Storage, keys: list[str]) -> int:
    """After the commit: a failure leaves wasted space, never a row without its bytes."""
    failed = 0
    for key in keys:
        try:
            await storage.delete(key)
        except StorageError:
            failed += 1
            log.warning("erased_object_delete_failed")
    return failed
