"""Retention: archive idle conversations, purge what the policies say, never what a hold covers.

One run is one transaction: every deletion is made, then committed (or rolled back for a dry
run, so the dry run lists exactly what a real run would delete). Objects in storage are removed
after the commit, with their rows already gone.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from salesbot.booking_orders.models import BookingOrderRow
from salesbot.conversations import hot
from salesbot.conversations.models import Conversation, Message
from salesbot.files.models import FileRecord
from salesbot.kit.logging import get_logger
from salesbot.kit.storage import Storage, StorageError
from salesbot.lifecycle import holds, policies
from salesbot.lifecycle.models import DataExport
from salesbot.lifecycle.orphans import OrphanObject, find_orphans
from salesbot.lifecycle.policies import Periods
from salesbot.lifecycle.references import business_file_ids
from salesbot.mockups.models import Mockup
from salesbot.notifications import service as notifications
from salesbot.notifications.service import Recipient
from salesbot.proposals.models import Proposal, ProposalFile
from salesbot.settings import Settings
from salesbot.users import audit
from salesbot.users.models import RoleAssignment, User

log = get_logger(__name__)


@dataclass(frozen=True)
class Item:
    """One thing a run archives or deletes."""

    kind: str
    id: uuid.UUID
    owner_id: uuid.UUID | None
    company_id: uuid.UUID | None
    label: str


@dataclass
class Report:
    dry_run: bool
    now: datetime
    items: list[Item] = field(default_factory=list)
    # Conversations whose people were told, this run, when they will be deleted.
    notices: list[Item] = field(default_factory=list)
    # Stored objects no row names, older than the grace period (found by listing the storage).
    orphan_objects: list[OrphanObject] = field(default_factory=list)
    objects_failed: int = 0

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(item.kind for item in self.items)
        if self.orphan_objects:
            counted["orphan_object"] = len(self.orphan_objects)
        return dict(sorted(counted.items()))


@dataclass
class _Scope:
    """Holds and policies, read once per run."""

    base: Periods
    companies: dict[uuid.UUID, Periods]
    people: dict[uuid.UUID, set[uuid.UUID]]
    held: holds.Held

    def periods(self, user_id: uuid.UUID | None) -> Periods:
        mine = self.people.get(user_id, set()) if user_id else set()
        return policies.longest([self.companies[c] for c in mine if c in self.companies], self.base)

    def user_held(self, user_id: uuid.UUID | None) -> bool:
        if user_id is None:
            return False
        return user_id in self.held.users or bool(
            self.people.get(user_id, set()) & self.held.companies
        )

    def company_of(self, user_id: uuid.UUID | None) -> uuid.UUID | None:
        mine = sorted(self.people.get(user_id, set())) if user_id else []
        return mine[0] if mine else None


async def _scope(session: AsyncSession, settings: Settings) -> _Scope:
    people: dict[uuid.UUID, set[uuid.UUID]] = {}
    rows = await session.execute(
        select(RoleAssignment.user_id, RoleAssignment.company_id).where(
            RoleAssignment.company_id.is_not(None)
        )
    )
    for user_id, company_id in rows.all():
        if company_id is not None:
            people.setdefault(user_id, set()).add(company_id)
    return _Scope(
        base=policies.default(settings),
        companies=await policies.by_company(session, settings),
        people=people,
        held=await holds.held(session),
    )


def _before(now: datetime, days: int) -> datetime | None:
    return now - timedelta(days=days) if days > 0 else None


async def _archive_idle(session: AsyncSession, scope: _Scope, now: datetime) -> list[Item]:
    """Archiving keeps everything (it only moves a conversation out of the list)."""
    rows = await session.execute(
        select(Conversation.id, Conversation.user_id, Conversation.updated_at, Conversation.title)
        .where(Conversation.archived_at.is_(None), Conversation.deleted_at.is_(None))
        .order_by(Conversation.id)
    )
    items = []
    for cid, user_id, updated_at, title in rows.all():
        cutoff = _before(now, scope.periods(user_id).archive_idle_days)
        if cutoff is not None and updated_at < cutoff:
            items.append(
                Item("archived_conversation", cid, user_id, scope.company_of(user_id), title)
            )
    if items:
        await session.execute(
            update(Conversation)
            .where(Conversation.id.in_([i.id for i in items]))
            .values(archived_at=now)
        )
    return items


async def _deleted_conversations(
    session: AsyncSession, scope: _Scope, now: datetime
) -> tuple[list[Item], set[uuid.UUID]]:
    """Soft-deleted conversations past the period, and the files their messages carried."""
    rows = await session.execute(
        select(Conversation.id, Conversation.user_id, Conversation.deleted_at, Conversation.title)
        .where(Conversation.deleted_at.is_not(None))
        .order_by(Conversation.id)
    )
    items = []
    for cid, user_id, deleted_at, title in rows.all():
        cutoff = _before(now, scope.periods(user_id).purge_deleted_days)
        if cutoff is None or deleted_at is None or deleted_at >= cutoff:
            continue
        if cid in scope.held.conversations or scope.user_held(user_id):
            continue
        items.append(Item("conversation", cid, user_id, scope.company_of(user_id), title))
    ids = [i.id for i in items]
    carried = await _attached(session, ids) if ids else set()
    if ids:
        await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    return items, carried


def _file_ids(entries: Iterable[Any] | None) -> set[uuid.UUID]:
    found = set()
    for entry in entries or ():
        try:
            found.add(uuid.UUID(str(entry["file_id"] if isinstance(entry, dict) else entry)))
        except (KeyError, ValueError, TypeError):
            continue
    return found


async def _attached(
    session: AsyncSession, conversation_ids: list[uuid.UUID] | None
) -> set[uuid.UUID]:
    """Files named by messages (of the given conversations, or of all)."""
    query = select(Message.attachments).where(Message.attachments.is_not(None))
    if conversation_ids is not None:
        query = query.where(Message.conversation_id.in_(conversation_ids))
    found: set[uuid.UUID] = set()
    result = await session.stream_scalars(query.execution_options(yield_per=1000))
    async for attachments in result:
        found |= _file_ids(attachments)
    return found


async def _in_use(session: AsyncSession, among: set[uuid.UUID]) -> set[uuid.UUID]:
    """The ids in `among` still used by a message, a mockup or a business record."""
    if not among:
        return set()
    used = (await _attached(session, None)) & among
    rows = await session.execute(select(Mockup.output_file_id, Mockup.creative_file_ids))
    for output, creatives in rows.all():
        used |= ({output} if output else set()) | _file_ids(creatives)
    return (used & among) | await business_file_ids(session, among)


NOTICE_KEY = "purge_notice_sent"


async def _notify_upcoming(
    session: AsyncSession, scope: _Scope, now: datetime, notice_days: int
) -> list[Item]:
    """Tell people, once, which deleted conversations a later run will delete, and when."""
    rows = (
        await session.scalars(
            select(Conversation)
            .where(Conversation.deleted_at.is_not(None))
            .order_by(Conversation.id)
        )
    ).all()
    told = []
    for talk in rows:
        days = scope.periods(talk.user_id).purge_deleted_days
        if not days or talk.deleted_at is None or (talk.meta or {}).get(NOTICE_KEY):
            continue
        due = talk.deleted_at + timedelta(days=days)
        if not now < due <= now + timedelta(days=notice_days):
            continue
        if talk.id in scope.held.conversations or scope.user_held(talk.user_id):
            continue
        user = await session.get(User, talk.user_id)
        if user is None:
            continue
        notifications.notify(
            session,
            [Recipient(user.id, user.email, user.name)],
            kind="retention_notice",
            title=f"“{talk.title[:80]}” will be deleted on {due:%Y-%m-%d}",
            body="You deleted this conversation. To keep a copy, download your data from "
            f"Settings before {due:%Y-%m-%d %H:%M} UTC.",
            link="/settings#data",
        )
        talk.meta = {**(talk.meta or {}), NOTICE_KEY: now.isoformat()}
        told.append(
            Item("purge_notice", talk.id, talk.user_id, scope.company_of(talk.user_id), talk.title)
        )
    return told


async def _business_records(
    session: AsyncSession, scope: _Scope, now: datetime
) -> tuple[list[Item], set[uuid.UUID]]:
    """Booking orders and proposals past their own period (years), and their documents."""
    items: list[Item] = []
    files: set[uuid.UUID] = set()
    bos = await session.execute(
        select(
            BookingOrderRow.id,
            BookingOrderRow.company_id,
            BookingOrderRow.owner_id,
            BookingOrderRow.reference,
            func.coalesce(BookingOrderRow.approved_at, BookingOrderRow.updated_at),
            BookingOrderRow.source_file_id,
            BookingOrderRow.excel_file_id,
            BookingOrderRow.stamped_file_id,
            BookingOrderRow.final_pdf_file_id,
        ).order_by(BookingOrderRow.id)
    )
    for bo_id, company_id, owner_id, reference, since, *documents in bos.all():
        years = scope.companies.get(company_id, scope.base).business_record_years
        if since >= now - relativedelta(years=years):
            continue
        if company_id in scope.held.companies or scope.user_held(owner_id):
            continue
        items.append(Item("booking_order", bo_id, owner_id, company_id, reference or ""))
        files |= {f for f in documents if f is not None}
    proposals = await session.execute(
        select(Proposal.id, Proposal.owner_id, Proposal.created_at, Proposal.client_name)
    )
    for pid, owner_id, created_at, client in proposals.all():
        years = scope.periods(owner_id).business_record_years
        if created_at >= now - relativedelta(years=years) or scope.user_held(owner_id):
            continue
        items.append(Item("proposal", pid, owner_id, scope.company_of(owner_id), client))
    proposal_ids = [i.id for i in items if i.kind == "proposal"]
    if proposal_ids:
        made = await session.scalars(
            select(ProposalFile.file_id).where(ProposalFile.proposal_id.in_(proposal_ids))
        )
        files |= set(made.all())
        await session.execute(delete(Proposal).where(Proposal.id.in_(proposal_ids)))
    bo_ids = [i.id for i in items if i.kind == "booking_order"]
    if bo_ids:
        await session.execute(delete(BookingOrderRow).where(BookingOrderRow.id.in_(bo_ids)))
    return items, files


def _file_kind(record: FileRecord, extra: dict[uuid.UUID, str]) -> str:
    if record.id in extra:
        return extra[record.id]
    if record.deleted_at is not None:
        return "deleted_file"
    return "orphan_upload" if record.purpose == "upload" else "orphan_generated"


def _file_due(record: FileRecord, periods: Periods, now: datetime, kind: str) -> bool:
    if kind in ("attachment", "business_document"):
        return True
    if kind == "deleted_file":
        cutoff = _before(now, periods.purge_deleted_days)
        return cutoff is not None and record.deleted_at is not None and record.deleted_at < cutoff
    cutoff = _before(now, periods.orphan_upload_days)
    return cutoff is not None and record.created_at < cutoff


async def _files(
    session: AsyncSession, scope: _Scope, now: datetime, extra: dict[uuid.UUID, str]
) -> tuple[list[Item], list[str]]:
    """Soft-deleted files past the period, orphans past theirs, and what deletions freed."""
    shortest = min(
        [
            p.orphan_upload_days
            for p in [scope.base, *scope.companies.values()]
            if p.orphan_upload_days
        ]
        or [0]
    )
    recent = now - timedelta(days=shortest) if shortest else now
    query = select(FileRecord).where(
        FileRecord.deleted_at.is_not(None)
        | (FileRecord.created_at < recent)
        | FileRecord.id.in_(list(extra))
    )
    due = []
    for record in (await session.scalars(query.order_by(FileRecord.id))).all():
        kind = _file_kind(record, extra)
        held = scope.user_held(record.owner_id) or record.company_id in scope.held.companies
        if not held and _file_due(record, scope.periods(record.owner_id), now, kind):
            due.append((record, kind))
    used = await _in_use(session, {r.id for r, _ in due})
    gone = [(r, k) for r, k in due if r.id not in used]
    if gone:
        await session.execute(delete(FileRecord).where(FileRecord.id.in_([r.id for r, _ in gone])))
    items = [Item(k, r.id, r.owner_id, r.company_id, r.safe_name) for r, k in gone]
    return items, [r.storage_key for r, _ in gone]


async def _expired_exports(session: AsyncSession, now: datetime) -> tuple[list[Item], list[str]]:
    """Export ZIPs whose link has expired (copies: the data itself stays)."""
    rows = (
        await session.scalars(
            select(DataExport).where(
                DataExport.expires_at.is_not(None), DataExport.expires_at < now
            )
        )
    ).all()
    items = [Item("expired_export", e.id, e.user_id, None, f"{e.size or 0} bytes") for e in rows]
    keys = [e.storage_key for e in rows if e.storage_key]
    if rows:
        await session.execute(delete(DataExport).where(DataExport.id.in_([e.id for e in rows])))
    return items, keys


async def _plan_and_delete(
    session: AsyncSession, settings: Settings, now: datetime, report: Report
) -> tuple[list[Item], list[str]]:
    scope = await _scope(session, settings)
    report.notices = await _notify_upcoming(session, scope, now, settings.retention_notice_days)
    archived = await _archive_idle(session, scope, now)
    business, documents = await _business_records(session, scope, now)
    conversations, carried = await _deleted_conversations(session, scope, now)
    extra = {fid: "attachment" for fid in carried} | {f: "business_document" for f in documents}
    files, keys = await _files(session, scope, now, extra)
    exports, export_keys = await _expired_exports(session, now)
    return [*archived, *business, *conversations, *files, *exports], keys + export_keys


async def run_retention(
    sessions: async_sessionmaker[AsyncSession],
    storage: Storage,
    settings: Settings,
    *,
    now: datetime,
    dry_run: bool,
) -> Report:
    """Apply every retention rule once (the schedulable entry point); `now` is the clock."""
    report = Report(dry_run=dry_run, now=now)
    async with sessions() as session:
        # Listed before any deletion, so every key a row still names counts as named.
        report.orphan_objects = await find_orphans(
            session, storage, now=now, grace_hours=settings.retention_orphan_object_hours
        )
        report.items, keys = await _plan_and_delete(session, settings, now, report)
        keys += [orphan.key for orphan in report.orphan_objects]
        if dry_run:
            await session.rollback()
            return report
        if report.items or report.notices or report.orphan_objects:
            audit.record(
                session,
                None,
                "retention_purged",
                audit.Target("retention"),
                {
                    "counts": report.counts,
                    "by_company": _by_company(report.items),
                    "notices": len(report.notices),
                },
            )
        await session.commit()
    await hot.forget(settings.redis_dsn, [i.id for i in report.items if i.kind == "conversation"])
    for key in keys:
        try:
            await storage.delete(key)
        except StorageError:
            report.objects_failed += 1
            log.warning("retention_object_delete_failed")
    log.info("retention_run", counts=report.counts, objects_failed=report.objects_failed)
    return report


def _by_company(items: list[Item]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter[str]] = {}
    for item in items:
        table.setdefault(str(item.company_id) if item.company_id else "none", Counter())[
            item.kind
        ] += 1
    return {company: dict(counts) for company, counts in sorted(table.items())}
