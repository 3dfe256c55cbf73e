"""The personal-data ZIP: JSON files written entry by entry and the person's files copied in.

Memory stays bounded whatever the size: rows are streamed from the database in batches and
written to the ZIP on disk as they come; file bytes are copied chunk by chunk from storage.
"""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.booking_orders.models import BookingOrderRow
from salesbot.conversations.models import Conversation, Message
from salesbot.files.models import FileRecord
from salesbot.kit.storage import Storage
from salesbot.mockups.models import Mockup
from salesbot.notifications.models import Notification
from salesbot.proposals.models import Proposal
from salesbot.users.models import ApiKey, AuditEvent, RefreshToken, User

Progress = Callable[[int], Awaitable[None]]
BATCH = 500

README = """Your data from Sales Proposal Bot
=================================

Exported {when} for {email}.

profile.json            your account: name, e-mail, roles, when it was made and last used
sessions.json           your sign-in sessions (when made, when they expire or were revoked;
                        never the tokens themselves)
api_keys.json           your API keys: name, prefix, scopes, dates (never the keys)
conversations/*.json    each conversation with every message, in order
files.json              every file you uploaded or the product made for you (name, type,
                        size, SHA-256 checksum, date); the bytes are under files/
files/                  the files themselves, named <file id>-<file name>
proposals.json          the proposals you produced, with their figures
mockups.json            the mockups you requested
booking_orders.json     the booking orders you created
notifications.json      the notifications you received
audit.json              the audit-log entries about you or made by you

All times are UTC (ISO 8601). Amounts are exact decimal strings.
"""


# What each JSON file holds of its rows (never a secret: no token or key hashes).
FIELDS: dict[str, tuple[str, ...]] = {
    "sessions.json": ("id", "family_id", "created_at", "expires_at", "rotated_at", "revoked_at"),
    "api_keys.json": (
        "id",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ),
    "proposals.json": (
        "id",
        "root_id",
        "version",
        "kind",
        "client_name",
        "currency",
        "payment_terms",
        "proposal_date",
        "valid_until",
        "input",
        "figures",
        "option_totals",
        "files",
        "created_at",
    ),
    "mockups.json": (
        "id",
        "location_key",
        "location_name",
        "photo_name",
        "time_of_day",
        "finish",
        "creative_source",
        "creative_file_ids",
        "prompt",
        "status",
        "output_file_id",
        "created_at",
        "completed_at",
    ),
    "booking_orders.json": (
        "id",
        "reference",
        "revision",
        "state",
        "bo_number",
        "client",
        "currency",
        "gross",
        "data",
        "approved_at",
        "created_at",
        "updated_at",
    ),
    "notifications.json": ("id", "kind", "title", "body", "link", "read_at", "created_at"),
    "audit.json": (
        "id",
        "action",
        "actor_id",
        "actor_email",
        "target_type",
        "target_id",
        "ip",
        "details",
        "created_at",
    ),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    return value


def _row(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1, default=_plain).encode()


class ArchiveWriter:
    """Writes the ZIP for one person; `progress` hears a percentage now and then."""

    def __init__(
        self, session: AsyncSession, storage: Storage, user: User, progress: Progress
    ) -> None:
        self.session = session
        self.storage = storage
        self.user = user
        self.progress = progress

    async def write(self, path: Path, now: datetime) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            archive.writestr(
                "README.txt", README.format(when=now.isoformat(), email=self.user.email)
            )
            archive.writestr("profile.json", _dump(self._profile()))
            sections: list[tuple[str, Select[Any], tuple[str, ...]]] = self._sections()
            for number, (name, query, fields) in enumerate(sections):
                await self._json_list(archive, name, query, fields)
                await self.progress(5 + 20 * (number + 1) // len(sections))
            await self._conversations(archive)
            await self.progress(50)
            await self._files(archive)

    def _profile(self) -> dict[str, Any]:
        user = self.user
        return {
            **_row(user, ("id", "email", "name", "is_active", "created_at", "last_login_at")),
            "roles": [
                {"role": r.role, "company": r.company.code if r.company else None}
                for r in user.roles
            ],
        }

    def _sections(self) -> list[tuple[str, Select[Any], tuple[str, ...]]]:
        uid = self.user.id
        about_them = (AuditEvent.target_type == "user") & (AuditEvent.target_id == str(uid))
        queries: dict[str, Select[Any]] = {
            "sessions.json": select(RefreshToken).where(RefreshToken.user_id == uid),
            "api_keys.json": select(ApiKey).where(ApiKey.user_id == uid),
            "proposals.json": select(Proposal).where(Proposal.owner_id == uid),
            "mockups.json": select(Mockup).where(Mockup.owner_id == uid),
            "booking_orders.json": select(BookingOrderRow).where(BookingOrderRow.owner_id == uid),
            "notifications.json": select(Notification).where(Notification.user_id == uid),
            "audit.json": select(AuditEvent).where(or_(AuditEvent.actor_id == uid, about_them)),
        }
        return [(name, query, FIELDS[name]) for name, query in queries.items()]

    async def _rows(self, query: Select[Any]) -> AsyncIterator[Any]:
        entity = query.column_descriptions[0]["entity"]
        result = await self.session.stream_scalars(
            query.order_by(entity.id).execution_options(yield_per=BATCH)
        )
        async for row in result:
            yield row

    async def _json_list(
        self,
        archive: zipfile.ZipFile,
        name: str,
        query: Select[Any],
        fields: tuple[str, ...],
        head: dict[str, Any] | None = None,
    ) -> int:
        """A JSON document written one row at a time: `{...head, "items": [...]}`."""
        count = 0
        with archive.open(name, "w", force_zip64=True) as out:
            out.write(
                _dump(head or {})[:-1].rstrip() + (b', "items": [' if head else b'"items": [')
            )
            async for row in self._rows(query):
                out.write((b",\n" if count else b"\n") + _dump(_row(row, fields)))
                count += 1
            out.write(b"\n]}\n")
        return count

    async def _conversations(self, archive: zipfile.ZipFile) -> None:
        query = select(Conversation).where(Conversation.user_id == self.user.id)
        heads = [
            _row(
                c,
                (
                    "id",
                    "title",
                    "model",
                    "created_at",
                    "updated_at",
                    "archived_at",
                    "pinned",
                    "deleted_at",
                ),
            )
            async for c in self._rows(query)
        ]
        fields = (
            "id",
            "role",
            "content",
            "tool_calls",
            "tool_call_id",
            "attachments",
            "tokens_used",
            "created_at",
        )
        for head in heads:
            messages = select(Message).where(Message.conversation_id == uuid.UUID(head["id"]))
            await self._json_list(
                archive, f"conversations/{head['id']}.json", messages, fields, head
            )

    async def _files(self, archive: zipfile.ZipFile) -> None:
        query = select(FileRecord).where(FileRecord.owner_id == self.user.id)
        fields = (
            "id",
            "original_name",
            "safe_name",
            "kind",
            "content_type",
            "size",
            "sha256",
            "purpose",
            "created_at",
            "deleted_at",
        )
        records = [_row(r, (*fields, "storage_key")) async for r in self._rows(query)]
        listed = [{k: v for k, v in r.items() if k != "storage_key"} for r in records]
        archive.writestr("files.json", _dump({"items": listed}))
        live = [r for r in records if r["deleted_at"] is None]
        for number, record in enumerate(live):
            entry = f"files/{record['id']}-{record['safe_name']}"
            with archive.open(
                zipfile.ZipInfo(entry, date_time=_zip_time(record["created_at"])),
                "w",
                force_zip64=True,
            ) as out:
                await _copy(self.storage, record["storage_key"], out)
            await self.progress(50 + 45 * (number + 1) // len(live))


def _zip_time(iso: str) -> tuple[int, int, int, int, int, int]:
    when = datetime.fromisoformat(iso)
    return (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)


async def _copy(storage: Storage, key: str, out: IO[bytes]) -> None:
    async for chunk in await storage.open(key):
        out.write(chunk)
