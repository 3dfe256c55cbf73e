"""What pricing produces: money amounts, priced options, locations and packages, the table.

Pure data (frozen dataclasses); `pricing` computes them, rendering and presenters show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from salesbot.kit.parse import Duration

DisplayType = Literal["digital", "static"]
ProposalKind = Literal["separate", "combined"]


@dataclass(frozen=True)
class Currency:
    code: str
    rate: Decimal  # AED per unit; 1 for AED
    symbol: str


@dataclass(frozen=True)
class Money:
    """An amount: exact AED, the shown amount in the display currency, and its text."""

    aed: Decimal
    amount: Decimal
    currency: str
    text: str


@dataclass(frozen=True)
class PricedOption:
    """One rate option of a separate proposal."""

    duration: Duration
    net_rate: Money
    fee: Money
    dm_fee: Money
    subtotal: Money
    vat: Money
    total: Money


@dataclass(frozen=True)
class PackageTotals:
    """The single calculation of a combined package."""

    net_rate: Money
    fees: tuple[Money, ...]  # one per location, in order
    fee_total: Money
    dm_fee: Money
    subtotal: Money
    vat: Money
    total: Money


@dataclass(frozen=True)
class PricedLocation:
    key: str
    display_name: str
    display_type: DisplayType
    location_line: str
    start_date: date
    end_date: date | None
    date_text: str
    spots: int
    fee_label: str
    fee: Money
    durations: tuple[Duration, ...]
    options: tuple[PricedOption, ...]  # separate proposals; empty for a package


@dataclass(frozen=True)
class TableRow:
    """One row of the investment table; a single value spans all value columns."""

    label: str
    values: tuple[str, ...]
    bold: bool = False
    emphasised: bool = False


@dataclass(frozen=True)
class InvestmentTable:
    """Everything drawn on an investment slide, identical for PPTX and PDF."""

    header: str
    columns: int
    rows: tuple[TableRow, ...]
    terms: tuple[str, ...]
    proposal_date_text: str


@dataclass(frozen=True)
class PricedProposal:
    kind: ProposalKind
    client_name: str
    payment_terms: str
    currency: str
    locations: tuple[PricedLocation, ...]
    package: PackageTotals | None
    terms: tuple[str, ...]
    validity_date: date
    validity_text: str
    proposal_date: date
    proposal_date_text: str
    tables: tuple[InvestmentTable, ...]  # one per location (separate) or one (combined)
    # How the typed amounts were read, when any was converted or is shown converted.
    currency_note: str | None = None

    @property
    def option_totals(self) -> tuple[Decimal, ...]:
        """AED totals of every option (separate) or the package total (combined)."""
        if self.package is not None:
            return (self.package.total.aed,)
        return tuple(o.total.aed for loc in self.locations for o in loc.options)
