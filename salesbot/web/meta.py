"""`GET /api/meta`: the rules and labels the web UI shows, from their one source each.

It lives beside the UI rather than in a capability because it reads several (commercial terms,
booking-order stages, roles, limits); nothing imports `web`, so this adds no package cycle.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from salesbot.assistant.offline import replies
from salesbot.assistant.schemas import MAX_FILES, MAX_MESSAGE
from salesbot.auth.deps import AUTH_RESPONSES, require
from salesbot.auth.service import Principal
from salesbot.booking_orders.schemas import Stage
from salesbot.booking_orders.workflow import STAGES
from salesbot.commercial import service as commercial
from salesbot.kit.db import DbSession
from salesbot.kit.deps import AppSettings
from salesbot.proposals import service as proposals
from salesbot.users.credentials import MIN_PASSWORD_LENGTH
from salesbot.users.roles import COMPANY_ROLES, ROLE_LABELS, Role

router = APIRouter(prefix="/api", tags=["meta"], responses=AUTH_RESPONSES)
SignedIn = Annotated[Principal, Depends(require("account:self"))]


class MetaCurrency(BaseModel):
    code: str = Field(examples=["USD"])
    rate: str = Field(description="AED per one unit (AED itself is 1)", examples=["3.6725"])


class MetaStage(BaseModel):
    state: Stage
    label: str = Field(examples=["Coordinator review"])


class MetaRole(BaseModel):
    name: str = Field(examples=["coordinator"])
    label: str = Field(description="How the role reads to people", examples=["Coordinator"])
    company_scoped: bool = Field(description="Held for one company, named in the assignment")


class MetaLimits(BaseModel):
    max_upload_bytes: int = Field(description="Largest file one upload may be")
    max_message_chars: int = Field(description="Longest chat message")
    max_message_files: int = Field(description="Most files attached to one chat message")
    min_password_length: int


class MetaOut(BaseModel):
    """Commercial terms, booking-order stages in workflow order, roles and limits."""

    vat_pct: str = Field(description="VAT percentage", examples=["5"])
    base_currency: Literal["AED"] = "AED"
    currencies: list[MetaCurrency] = Field(description="The base currency first, then A-Z")
    dm_fee: str = Field(description="Municipality fee per image or message, AED")
    default_upload_fee: str = Field(description="Digital upload fee when a location sets none")
    proposal_validity_days: int
    booking_order_stages: list[MetaStage]
    roles: list[MetaRole]
    limits: MetaLimits
    chat_suggestions: list[str] = Field(
        description="Requests an empty conversation offers, dated from today"
    )
    timezone: str = Field(
        description="The zone every date and time is shown in (IANA name)", examples=["Asia/Dubai"]
    )


def _currencies(rates: dict[str, object]) -> list[MetaCurrency]:
    base = commercial.BASE_CURRENCY
    codes = [base, *sorted(code for code in rates if code != base)]
    return [MetaCurrency(code=code, rate=str(rates[code])) for code in codes]


@router.get("/meta", response_model=MetaOut)
async def get_meta(session: DbSession, settings: AppSettings, principal: SignedIn) -> MetaOut:
    """What the UI shows but does not decide: VAT, currencies, stage labels, roles, limits."""
    terms = await commercial.terms(session, settings)
    plain = commercial.plain_number
    return MetaOut(
        vat_pct=plain(terms.vat_pct),
        currencies=_currencies({code: plain(rate) for code, rate in terms.rates.items()}),
        dm_fee=plain(terms.dm_fee),
        default_upload_fee=plain(terms.default_upload_fee),
        proposal_validity_days=terms.proposal_validity_days,
        booking_order_stages=[MetaStage(state=s.state.value, label=s.label) for s in STAGES],
        roles=[
            MetaRole(name=r.value, label=ROLE_LABELS[r], company_scoped=r in COMPANY_ROLES)
            for r in Role
        ],
        limits=MetaLimits(
            max_upload_bytes=settings.max_upload_mb * 1024 * 1024,
            max_message_chars=MAX_MESSAGE,
            max_message_files=MAX_FILES,
            min_password_length=MIN_PASSWORD_LENGTH,
        ),
        chat_suggestions=replies.suggestions(proposals.local_now(settings).date()),
        timezone=settings.timezone,
    )
