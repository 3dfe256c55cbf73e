"""What pricing takes: the request shapes, the location facts and commercial terms it reads, and
the errors it raises (a message meant for the salesperson). Pure data, no I/O."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesbot.kit.parse import quote
from salesbot.proposals.priced import DisplayType

AmountInput = Decimal | int | str
DateInput = date | str

BASE_CURRENCY = "AED"
DEFAULT_PAYMENT_TERMS = "100% upfront"
MAX_AMOUNT = Decimal("1e12")
MAX_CLIENT_NAME = 120
MAX_PAYMENT_TERMS = 300


# --------------------------------------------------------------------------- errors


class ProposalError(ValueError):
    """A proposal cannot be produced; the message is meant for the salesperson.

    `allowed` lists the accepted values when the refused one comes from a fixed set.
    """

    def __init__(self, message: str, *, allowed: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.allowed = tuple(allowed)


class MissingInformation(ProposalError):
    """Required data is missing; `missing` lists (location key, field) pairs to ask for."""

    def __init__(self, missing: Sequence[tuple[str, str]]) -> None:
        self.missing = tuple(missing)
        keys = [key for key, _ in self.missing]
        noun = "location" if len(keys) == 1 else "locations"
        super().__init__(f"Missing production fee for static {noun}: {', '.join(keys)}")


def unknown_location_error(name: str, position: int) -> ProposalError:
    """`Unknown location 'x' in proposal 2` (position is 1-based)."""
    return ProposalError(f"Unknown location '{quote(name)}' in proposal {position}")


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class LocationFacts:
    """The facts of a location that pricing and the location line need."""

    key: str
    display_name: str
    display_type: DisplayType
    upload_fee: Decimal  # the location's own, else `commercial.service.default_upload_fee`
    series: str = ""
    width_m: Decimal | None = None
    height_m: Decimal | None = None
    number_of_faces: int = 1
    spot_duration_s: int = 16
    loop_duration_s: int = 96
    sov_pct: Decimal = Decimal("16.6")


def _default_symbols() -> dict[str, str]:
    return {"AED": "AED ", "USD": "$", "EUR": "€", "GBP": "£"}


@dataclass(frozen=True)
class PricingSettings:
    """The commercial terms in effect (from `commercial.service`; this module holds none).

    `rates` are AED per unit of each foreign currency.
    """

    vat_pct: Decimal
    dm_fee: Decimal
    rates: Mapping[str, Decimal]
    validity_days: int
    symbols: Mapping[str, str] = field(default_factory=_default_symbols)


@dataclass(frozen=True)
class SeparateItem:
    """One location of a separate proposal: one net rate per duration option."""

    location: str
    start_date: DateInput
    durations: Sequence[str]
    net_rates: Sequence[AmountInput]
    end_date: DateInput | None = None
    spots: int = 1
    production_fee: AmountInput | None = None


@dataclass(frozen=True)
class SeparateRequest:
    items: Sequence[SeparateItem]
    client_name: str = ""
    payment_terms: str = DEFAULT_PAYMENT_TERMS
    currency: str = BASE_CURRENCY
    company_name: str = ""
    rates_currency: str = BASE_CURRENCY  # the currency of amounts written without one


@dataclass(frozen=True)
class CombinedItem:
    """One location of a combined package: one duration; the rate is the package's."""

    location: str
    start_date: DateInput
    duration: str | None
    end_date: DateInput | None = None
    spots: int = 1
    production_fee: AmountInput | None = None


@dataclass(frozen=True)
class CombinedRequest:
    items: Sequence[CombinedItem]
    combined_net_rate: AmountInput | None
    client_name: str = ""
    payment_terms: str = DEFAULT_PAYMENT_TERMS
    currency: str = BASE_CURRENCY
    company_name: str = ""
    rates_currency: str = BASE_CURRENCY  # the currency of amounts written without one
