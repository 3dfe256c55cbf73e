"""Money in proposals: the display currency and its rate, and amounts as the salesperson typed
them ("$400k", "USD 400k", unmarked = AED) converted to AED with a line saying how (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from salesbot.kit import currencies, parse
from salesbot.kit.money import cents, group_thousands, whole
from salesbot.proposals.inputs import BASE_CURRENCY, AmountInput, PricingSettings, ProposalError
from salesbot.proposals.priced import Currency, Money

# --------------------------------------------------------------------------- money display


def resolve_currency(code: str, settings: PricingSettings) -> Currency:
    """The display currency; an unknown code is an error listing the supported ones."""
    wanted = code.strip().upper() or BASE_CURRENCY
    try:
        rate = currencies.rate_of(code, settings.rates, BASE_CURRENCY)
    except currencies.UnsupportedCurrency as exc:
        raise ProposalError(str(exc), allowed=exc.allowed) from None
    fallback = "AED " if wanted == BASE_CURRENCY else f"{wanted} "
    return Currency(wanted, rate, settings.symbols.get(wanted, fallback))


def money(aed: Decimal, currency: Currency) -> Money:
    """AED shows whole units ("AED 1,578,696"); others aed/rate to cents ("$429,869.57")."""
    if currency.code == BASE_CURRENCY:
        shown = whole(aed)
        return Money(aed, shown, BASE_CURRENCY, f"{currency.symbol}{group_thousands(shown)}")
    converted = cents(aed / currency.rate)
    text = f"{currency.symbol}{group_thousands(converted, 2)}"
    return Money(aed, converted, currency.code, text)


# --------------------------------------------------------------------------- amounts as entered


@dataclass(frozen=True)
class ReadAmount:
    """One amount as the salesperson entered it, and the AED the calculation uses."""

    rate: bool  # a net rate (else a fee)
    currency: str
    entered: Decimal
    aed: Decimal


@dataclass
class AmountReader:
    """Reads amounts in the currency they carry ("$400k", "USD 400k", "400k dollars",
    "€300k", "AED 400k") or, unmarked, in `unmarked`; converts them to AED at the stored rate
    (to cents, half up) and remembers each, so the proposal can say what it read."""

    unmarked: Currency
    settings: PricingSettings
    read: list[ReadAmount] = field(default_factory=list)

    def aed(self, value: AmountInput, what: str, *, rate: bool = True) -> Decimal:
        try:
            entered = parse.parse_amount(value, what)
        except parse.ParseError as exc:
            raise ProposalError(str(exc)) from None
        code = currencies.marked_currency(value)
        currency = resolve_currency(code, self.settings) if code else self.unmarked
        aed = currencies.convert(
            entered, currency.code, BASE_CURRENCY, self.settings.rates, BASE_CURRENCY
        )
        self.read.append(ReadAmount(rate, currency.code, entered, aed))
        return aed

    def optional(self, value: AmountInput | None, what: str) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.aed(value, what, rate=False)


def currency_note(
    read: Sequence[ReadAmount], shown: Currency, settings: PricingSettings
) -> str | None:
    """One line saying how the typed amounts were read, whenever any was converted or shown
    converted: "Rates read as AED 400,000, shown in USD at 3.6725 AED per USD." """
    listed = [a for a in read if a.rate or a.currency != BASE_CURRENCY]
    foreign = [a for a in listed if a.currency != BASE_CURRENCY]
    if not foreign and shown.code == BASE_CURRENCY:
        return None
    parts: list[str] = []
    for a in listed[:4]:
        parts.append(
            currencies.conversion_text(
                a.currency, a.entered, BASE_CURRENCY, a.aed, settings.rates, BASE_CURRENCY
            )
        )
    if len(listed) > 4:
        parts.append(f"{len(listed) - 4} more")
    line = "Rates read as " + (", ".join(parts[:-1]) + " and " if len(parts) > 1 else "")
    line += parts[-1] if parts else "AED"
    if shown.code != BASE_CURRENCY:
        same = all(a.currency == shown.code for a in listed)
        per = currencies.rate_text(shown.code, settings.rates, BASE_CURRENCY)
        line += f", shown in {shown.code}" + ("" if same and listed else f" at {per}")
    return line + "."
