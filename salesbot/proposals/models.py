"""Proposal history: one immutable row per produced proposal, its locations and its files."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin


class Proposal(IdMixin, TimestampMixin, Base):
    """A produced proposal; never updated. A re-generation is a new row (next `version`).

    `input` is the request as submitted (so it can be produced again), `figures` the priced
    result as shown (amounts as strings), `files` the file cards of what was produced.
    """

    __tablename__ = "proposals"
    __table_args__ = (
        UniqueConstraint("root_id", "version", name="uq_proposals_root_id_version"),
        CheckConstraint("kind IN ('separate', 'combined')", name="kind"),
        Index("ix_proposals_owner_id_id", "owner_id", "id"),
    )

    owner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    # The first version's id (its own id for an original); versions share it.
    root_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, index=True)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # The chat it was made in (none from the form or the API): follow-up edits find it there.
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    client_name: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    payment_terms: Mapped[str] = mapped_column(String(300), nullable=False)
    proposal_date: Mapped[date] = mapped_column(Date, nullable=False, index=True)
    valid_until: Mapped[date] = mapped_column(Date, nullable=False)
    input: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    option_totals: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False)


class ProposalLocation(Base):
    """A location of a proposal, copied at the time (the catalogue may change later)."""

    __tablename__ = "proposal_locations"
    __table_args__ = (
        Index("ix_proposal_locations_company_id_proposal_id", "company_id", "proposal_id"),
    )

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    # No foreign key: deleting a location must not rewrite history.
    location_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    location_key: Mapped[str] = mapped_column(String(80), nullable=False, index=True)
    display_name: Mapped[str] = mapped_column(String(200), nullable=False)
    company_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("companies.id", ondelete="SET NULL")
    )


class ProposalFile(Base):
    """A file produced for a proposal (PPTX per location, PDF)."""

    __tablename__ = "proposal_files"

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    file_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="CASCADE"), nullable=False, index=True
    )
    role: Mapped[str] = mapped_column(String(10), nullable=False)  # pptx | pdf
