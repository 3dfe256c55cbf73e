"""Client links: a link per recipient, its views (with time per page) and the client's decision.

Tokens and PINs are stored hashed; client IPs only truncated (see `privacy`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from salesbot.kit.db import Base, IdMixin, TimestampMixin, UTCDateTime

_LIVE = text("revoked_at IS NULL")
_ACCEPTED = text("decision = 'accepted'")


class ShareLink(IdMixin, TimestampMixin, Base):
    """One recipient's link to one proposal version; revoked links are kept for the timeline."""

    __tablename__ = "share_links"
    __table_args__ = (
        # One live link per recipient and proposal: a new one replaces (revokes) the old.
        Index(
            "uq_share_links_live_recipient",
            "proposal_id",
            "recipient_email",
            unique=True,
            sqlite_where=_LIVE,
            postgresql_where=_LIVE,
        ),
    )

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="SET NULL")
    )
    recipient_email: Mapped[str] = mapped_column(String(254), nullable=False)
    recipient_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    token_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    pin_hash: Mapped[str | None] = mapped_column(String(200))
    pin_failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "revoked" by a person, "replaced" by a newer link for the same recipient, "pin" locked.
    revoked_reason: Mapped[str | None] = mapped_column(String(20))
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShareView(IdMixin, Base):
    """One opening of the client page (made by the page's beacon, so link scanners don't count)."""

    __tablename__ = "share_views"

    share_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("share_links.id", ondelete="CASCADE"), nullable=False, index=True
    )
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    ip_prefix: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    device: Mapped[str] = mapped_column(String(10), nullable=False, default="")


class SharePageTime(IdMixin, Base):
    """Time a page was on screen during one view, as reported by one beacon."""

    __tablename__ = "share_page_times"

    view_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("share_views.id", ondelete="CASCADE"), nullable=False, index=True
    )
    page: Mapped[int] = mapped_column(Integer, nullable=False)
    milliseconds: Mapped[int] = mapped_column(Integer, nullable=False)


class ShareDecision(IdMixin, Base):
    """The client's acceptance or decline through a link (one per link, one acceptance per
    proposal version)."""

    __tablename__ = "share_decisions"
    __table_args__ = (
        CheckConstraint("decision IN ('accepted', 'declined')", name="decision"),
        Index(
            "uq_share_decisions_accepted_proposal",
            "proposal_id",
            unique=True,
            sqlite_where=_ACCEPTED,
            postgresql_where=_ACCEPTED,
        ),
    )

    share_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("share_links.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("proposals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    decision: Mapped[str] = mapped_column(String(10), nullable=False)
    # Accepted: the option chosen per location [{location, option, duration, total}].
    choices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, nullable=False, default=list)
    signer_name: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    signer_title: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    signature: Mapped[str] = mapped_column(String(120), nullable=False, default="")
    reason: Mapped[str] = mapped_column(Text, nullable=False, default="")
    ip_prefix: Mapped[str] = mapped_column(String(50), nullable=False, default="")
    device: Mapped[str] = mapped_column(String(10), nullable=False, default="")
    pdf_sha256: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    accepted_file_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("files.id", ondelete="SET NULL")
    )
    # The booking-order draft started from this acceptance (once).
    booking_order_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
