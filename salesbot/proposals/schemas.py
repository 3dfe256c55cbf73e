"""Request and response models for proposals.

Amounts are sent as text ("1.5M", "2,800,000", "AED 4,000,000", "750k") or whole numbers and
returned as decimal strings plus display text; nothing passes through a float.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from salesbot.kit.tools import FileCard

Kind = Literal["separate", "combined"]
Amount = Annotated[str, Field(min_length=1, max_length=40)] | Annotated[int, Field(ge=0, le=10**13)]
DateText = Annotated[
    str, Field(min_length=1, max_length=40, description="2026-01-15, 15/01/2026 or Jan 15th 2026")
]
DurationText = Annotated[str, Field(min_length=1, max_length=40, examples=["2 weeks"])]
LocationName = Annotated[
    str, Field(min_length=1, max_length=200, description="Key, name or alias; typos are matched")
]
MAX_LOCATIONS = 20
MAX_OPTIONS = 8


class _Args(BaseModel):
    """Assistant tools send these shapes; unknown keys are ignored there, refused by the API."""

    model_config = ConfigDict(extra="ignore")


class _Forbid(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SeparateItem(_Args):
    location: LocationName
    start_date: DateText
    end_date: DateText | None = None
    durations: list[DurationText] = Field(default_factory=list, max_length=MAX_OPTIONS)
    net_rates: list[Amount] = Field(
        default_factory=list, max_length=MAX_OPTIONS, description="One rate per duration"
    )
    spots: int = Field(default=1, ge=1, le=100, description="Digital locations")
    production_fee: Amount | None = Field(default=None, description="Static locations")


class CombinedItem(_Args):
    location: LocationName
    start_date: DateText
    duration: DurationText | None = None
    end_date: DateText | None = None
    spots: int = Field(default=1, ge=1, le=100)
    production_fee: Amount | None = None


class _Common(_Args):
    client_name: str = Field(min_length=1, max_length=120)
    payment_terms: str | None = Field(
        default=None, max_length=300, description='Default "100% upfront"'
    )
    currency: str | None = Field(default=None, max_length=10, description="Default AED")
    rates_currency: str | None = Field(
        default=None,
        max_length=10,
        description=(
            "The currency of rates and fees written without one (default AED, the catalogue's); "
            'an amount may carry its own ("$400k", "USD 400k", "400k dollars", "AED 400k"). '
            "Amounts in another currency are converted to AED at the stored rate."
        ),
    )


class SeparateArgs(_Common):
    """One proposal per location, each with one or more duration/rate options."""

    proposals: list[SeparateItem] = Field(max_length=MAX_LOCATIONS)


class CombinedArgs(_Common):
    """One package over two or more locations with one net rate."""

    locations: list[CombinedItem] = Field(max_length=MAX_LOCATIONS)
    combined_net_rate: Amount | None = None


class SeparateItemIn(SeparateItem):
    model_config = ConfigDict(extra="forbid")


class CombinedItemIn(CombinedItem):
    model_config = ConfigDict(extra="forbid")


class SeparateProposalIn(SeparateArgs):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["separate"]
    proposals: list[SeparateItemIn] = Field(max_length=MAX_LOCATIONS)  # type: ignore[assignment]


class CombinedProposalIn(CombinedArgs):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["combined"]
    locations: list[CombinedItemIn] = Field(max_length=MAX_LOCATIONS)  # type: ignore[assignment]


ProposalCreate = Annotated[SeparateProposalIn | CombinedProposalIn, Field(discriminator="kind")]


class DuplicateRequest(_Forbid):
    """Changes for the new version; everything else is taken from the original's input."""

    client_name: str | None = Field(default=None, min_length=1, max_length=120)
    payment_terms: str | None = Field(default=None, max_length=300)
    currency: str | None = Field(default=None, max_length=10)


# ---------------------------------------------------------------- responses


class MoneyOut(BaseModel):
    aed: str = Field(description="Exact AED amount", examples=["1316196.00"])
    amount: str = Field(description="As shown, in the display currency", examples=["1316196"])
    currency: str = Field(examples=["AED"])
    text: str = Field(examples=["AED 1,316,196"])


class OptionOut(BaseModel):
    duration: str = Field(examples=["2 Weeks"])
    net_rate: MoneyOut
    fee: MoneyOut
    dm_fee: MoneyOut
    subtotal: MoneyOut
    vat: MoneyOut
    total: MoneyOut


class ProposalLocationOut(BaseModel):
    key: str
    display_name: str
    display_type: Literal["digital", "static"]
    location_line: str
    start_date: date
    end_date: date | None = None
    date_text: str
    spots: int
    fee_label: str = Field(examples=["Upload Fee:"])
    fee: MoneyOut
    durations: list[str]
    options: list[OptionOut] = Field(description="One per rate option (separate proposals)")


class PackageOut(BaseModel):
    fee_label: str = Field(examples=["Upload/Production Fee:"])
    net_rate: MoneyOut
    fees: list[MoneyOut] = Field(description="Each location's fee, in order")
    fee_total: MoneyOut
    dm_fee: MoneyOut
    subtotal: MoneyOut
    vat: MoneyOut
    total: MoneyOut


class WarningOut(BaseModel):
    """Something the salesperson should know; it did not stop the proposal."""

    code: str = Field(examples=["past_start_date"])
    field: str = Field(examples=["start_date"])
    location: str | None = Field(default=None, description="The location's key", examples=["uae21"])
    message: str = Field(
        examples=["The start date 1 Jan 2026 has already passed; did you mean 1 Jan 2027?"]
    )


_WARNINGS = "Things to check, such as a start date that has already passed"


class ProposalOut(BaseModel):
    """A produced proposal: figures as computed when it was made, and its files."""

    id: uuid.UUID
    version: int
    root_id: uuid.UUID = Field(description="The first version's id")
    previous_id: uuid.UUID | None = None
    kind: Kind
    owner_id: uuid.UUID | None = None
    client_name: str
    payment_terms: str
    currency: str
    created_at: datetime
    proposal_date: date
    valid_until: date
    terms: list[str]
    locations: list[ProposalLocationOut]
    package: PackageOut | None = None
    files: list[FileCard]
    input: dict[str, Any] = Field(description="The request as submitted")
    warnings: list[WarningOut] = Field(default_factory=list, description=_WARNINGS)
    currency_note: str | None = Field(
        default=None,
        description="How the typed amounts were read when any was converted or is shown "
        'converted, e.g. "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD."',
    )


class ProposalPreview(BaseModel):
    """The figures a proposal would have (nothing produced or recorded)."""

    kind: Kind
    client_name: str
    payment_terms: str
    currency: str
    proposal_date: date
    valid_until: date
    terms: list[str]
    locations: list[ProposalLocationOut]
    package: PackageOut | None = None
    warnings: list[WarningOut] = Field(default_factory=list, description=_WARNINGS)
    currency_note: str | None = Field(
        default=None,
        description="How the typed amounts were read when any was converted or is shown "
        'converted, e.g. "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD."',
    )


class ProposalLocationBrief(BaseModel):
    key: str
    display_name: str


class ProposalSummary(BaseModel):
    id: uuid.UUID
    version: int
    root_id: uuid.UUID
    previous_id: uuid.UUID | None = None
    kind: Kind
    owner_id: uuid.UUID | None = None
    client_name: str
    currency: str
    created_at: datetime
    proposal_date: date
    locations: list[ProposalLocationBrief]
    totals: list[str] = Field(description="Display totals: every option, or the package")
    files: list[FileCard]


class RenderError(BaseModel):
    status: int
    code: str
    message: str
    details: Any = None


class RenderProgressOut(BaseModel):
    """How far a proposal's rendering is (the form polls it while its request waits)."""

    status: Literal["queued", "running", "done", "failed"]
    percent: int = Field(ge=0, le=100)
    message: str = Field(description='The latest step, e.g. "Rendering slides 1/2…"')
    steps: list[str] = Field(description="Every step so far, oldest first")
    proposal_id: uuid.UUID | None = Field(default=None, description="Once done")
    error: RenderError | None = Field(default=None, description="Once failed")
