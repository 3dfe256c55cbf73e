"""A person's data made directly in the tables and storage, for the lifecycle tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from fastapi import FastAPI

from salesbot.booking_orders.models import BookingOrderEvent, BookingOrderRow
from salesbot.conversations.models import Conversation, Message
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from salesbot.kit.db import utcnow
from salesbot.mockups.models import Mockup
from salesbot.notifications.models import Notification
from salesbot.proposals.models import Proposal, ProposalFile
from salesbot.users import service as users
from salesbot.users.roles import Role
from tests.support.auth import PASSWORD


@dataclass
class Person:
    id: uuid.UUID
    email: str
    name: str
    conversations: list[uuid.UUID] = field(default_factory=list)
    own_files: list[FileRecord] = field(default_factory=list)
    business_files: list[FileRecord] = field(default_factory=list)
    proposal_id: uuid.UUID | None = None
    bo_id: uuid.UUID | None = None


async def make_user(
    app: FastAPI,
    key: str,
    role: Role = Role.sales_person,
    company: str | None = None,
) -> Person:
    async with app.state.db.sessions() as session:
        made = None
        if company is not None:
            made = await users.ensure_company(
                session, code=company, name=company.title(), bo_prefix="BL", accent_color="#2b59c3"
            )
        user = await users.ensure_user(
            session,
            email=f"{key}@example.com",
            name=f"{key.title()} Person",
            password=PASSWORD,
            roles=[(role, made)],
        )
        await session.commit()
        return Person(user.id, user.email, user.name)


async def add_file(
    app: FastAPI,
    owner: uuid.UUID,
    name: str = "note.txt",
    *,
    data: bytes | None = None,
    purpose: str = "upload",
    created_at: datetime | None = None,
    deleted_at: datetime | None = None,
) -> FileRecord:
    async with app.state.db.sessions() as session:
        record = await files.store_generated(
            session,
            app.state.storage,
            owner_id=owner,
            name=name,
            data=data or f"the text of {name} for {owner}\n".encode(),
            content_type="text/plain",
        )
        record.purpose = purpose
        record.deleted_at = deleted_at
        if created_at is not None:
            record.created_at = created_at
        await session.commit()
        return record


async def add_conversation(
    app: FastAPI,
    owner: uuid.UUID,
    *,
    messages: int = 3,
    attachment: FileRecord | None = None,
    updated_at: datetime | None = None,
    deleted_at: datetime | None = None,
    archived_at: datetime | None = None,
) -> uuid.UUID:
    when = updated_at or utcnow()
    async with app.state.db.sessions() as session:
        conversation = Conversation(
            user_id=owner,
            title="About Nike",
            updated_at=when,
            created_at=when,
            deleted_at=deleted_at,
            archived_at=archived_at,
        )
        session.add(conversation)
        await session.flush()
        for n in range(messages):
            attached = None
            if attachment is not None and n == 0:
                attached = [{"file_id": str(attachment.id), "name": attachment.safe_name}]
            session.add(
                Message(
                    conversation_id=conversation.id,
                    user_id=owner,
                    role="user" if n % 2 == 0 else "assistant",
                    content=f"message {n} of {owner}",
                    attachments=attached,
                    created_at=when,
                )
            )
        await session.commit()
        return conversation.id


async def add_business_records(app: FastAPI, person: Person, company_id: uuid.UUID) -> None:
    """An approved booking order (with its original document) and an issued proposal (a deck).

    The booking order has no produced documents here: the erasure tests that need them make a
    real one through the booking-order flow.
    """
    bo_file = await add_file(app, person.id, "bo.txt")
    proposal_file = await add_file(app, person.id, "proposal.txt", purpose="generated")
    person.business_files += [bo_file, proposal_file]
    async with app.state.db.sessions() as session:
        bo = BookingOrderRow(
            company_id=company_id,
            owner_id=person.id,
            state="approved",
            reference="BL-0001",
            client="Nike",
            gross=Decimal("105000.00"),
            data={"client": "Nike", "sales_person": person.name, "gross": "105000.00"},
            hos_name=person.name,
            source_file_id=bo_file.id,
        )
        session.add(bo)
        await session.flush()
        session.add(
            BookingOrderEvent(
                booking_order_id=bo.id,
                actor_id=person.id,
                actor_name=person.name,
                action="submit",
                to_state="submitted",
            )
        )
        proposal = Proposal(
            owner_id=person.id,
            root_id=uuid.uuid4(),
            kind="separate",
            client_name="Nike",
            currency="AED",
            payment_terms="100% upfront",
            proposal_date=date(2026, 1, 1),
            valid_until=date(2026, 1, 31),
            input={},
            figures={"total": "52500.00"},
            option_totals=["52500.00"],
            files=[],
        )
        session.add(proposal)
        await session.flush()
        session.add(
            ProposalFile(proposal_id=proposal.id, position=0, file_id=proposal_file.id, role="pdf")
        )
        await session.commit()
        person.bo_id, person.proposal_id = bo.id, proposal.id


async def add_personal_data(app: FastAPI, person: Person) -> None:
    """Two conversations (one with an attachment), two own files, a mockup, a notification."""
    upload = await add_file(app, person.id, "brief.txt")
    generated = await add_file(app, person.id, "mockup.txt", purpose="generated")
    person.own_files += [upload, generated]
    person.conversations.append(await add_conversation(app, person.id, attachment=upload))
    person.conversations.append(await add_conversation(app, person.id, messages=2))
    async with app.state.db.sessions() as session:
        session.add(
            Mockup(
                owner_id=person.id,
                location_key="uae21",
                location_name="UAE 21",
                photo_name="uae21_1.jpg",
                time_of_day="day",
                finish="gold",
                creative_source="upload",
                status="done",
                output_file_id=generated.id,
            )
        )
        session.add(Notification(user_id=person.id, kind="info", title="Hello", body=""))
        await session.commit()
