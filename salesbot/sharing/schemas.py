"""Request and response shapes of client links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

LinkState = Literal["active", "expired", "revoked", "replaced", "locked", "superseded"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ShareCreate(_Strict):
    recipient_email: EmailStr = Field(description="The client's e-mail; one live link each")
    recipient_name: str = Field(default="", max_length=120)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=180, description="Default SALESBOT_SHARE_LINK_DAYS"
    )
    pin: str | None = Field(
        default=None,
        pattern=r"^\d{4,10}$",
        description="Optional 4–10 digit PIN the client must enter (tell it to them apart)",
    )
    send_email: bool = Field(default=True, description="E-mail the link when e-mail is set up")


class PageTime(BaseModel):
    page: int
    seconds: float


class ShareOut(BaseModel):
    """A link as its owner sees it, with what the client did (the token is never shown again)."""

    id: uuid.UUID
    proposal_id: uuid.UUID
    recipient_email: str
    recipient_name: str
    has_pin: bool
    state: LinkState
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    emailed_at: datetime | None = None
    opens: int = Field(description="Times the client page was opened")
    first_opened_at: datetime | None = None
    last_opened_at: datetime | None = None
    page_seconds: list[PageTime] = Field(description="Time on screen per page, every open")
    decision: Literal["accepted", "declined"] | None = None
    decided_at: datetime | None = None


class ShareCreated(ShareOut):
    url: str = Field(description="The client's link; shown once, only its hash is stored")
    replaced: bool = Field(description="An earlier link to the same recipient was revoked")


class TimelineEvent(BaseModel):
    at: datetime
    kind: Literal[
        "link_created",
        "link_emailed",
        "opened",
        "accepted",
        "declined",
        "link_revoked",
        "link_replaced",
        "link_expired",
    ]
    share_id: uuid.UUID
    recipient_email: str
    text: str
    details: dict[str, object] = Field(default_factory=dict)


class Timeline(BaseModel):
    proposal_id: uuid.UUID
    events: list[TimelineEvent]
    links: list[ShareOut]


# --- the client's side ----------------------------------------------------------------------


class Choice(_Strict):
    location: str = Field(max_length=80, description="The location's key")
    option: int = Field(ge=0, le=20, description="The rate option's position (0 = first)")


class AcceptIn(_Strict):
    choices: list[Choice] = Field(default_factory=list, max_length=20)
    name: str = Field(min_length=1, max_length=120)
    title: str = Field(min_length=1, max_length=120)
    signature: str = Field(min_length=1, max_length=120, description="The name, typed")


class DeclineIn(_Strict):
    reason: str = Field(min_length=1, max_length=2000)
    name: str = Field(default="", max_length=120)


class BeaconIn(_Strict):
    view: str = Field(min_length=10, max_length=200)
    open: bool = False
    # Seconds on screen per page number since the last beacon of this view.
    pages: dict[int, float] = Field(default_factory=dict, max_length=200)


class DecisionOut(BaseModel):
    decision: Literal["accepted", "declined"]
    decided_at: datetime
    download_url: str | None = None
