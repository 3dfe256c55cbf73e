"""Money in proposals: the display currency and its rate, and amounts as the salesperson typed
them ("$400k", "USD 400k", unmarked = AED) converted to AED with a line saying how (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from salesbot.kit import parse
from salesbot.kit.money import cents, group_thousands, whole
from salesbot.kit.parse import quote
from salesbot.kit.wording import plain_number
from salesbot.proposals.inputs import BASE_CURRENCY, AmountInput, PricingSettings, ProposalError
from salesbot.proposals.priced import Currency, Money

# --------------------------------------------------------------------------- money display


def resolve_currency(code: str, settings: PricingSettings) -> Currency:
    """The display currency; an unknown code is an error listing the supported ones."""
    wanted = code.strip().upper() or BASE_CURRENCY
    symbols = settings.symbols
    if wanted == BASE_CURRENCY:
        return Currency(BASE_CURRENCY, Decimal(1), symbols.get(BASE_CURRENCY, "AED "))
    rate = settings.rates.get(wanted)
    if rate is None or rate <= 0:
        supported = sorted({BASE_CURRENCY, *(c for c, r in settings.rates.items() if r > 0)})
        raise ProposalError(
            f"Currency '{quote(code, 10)}' is not supported. "
            f"Supported currencies: {', '.join(supported)}",
            allowed=supported,
        )
    return Currency(wanted, rate, symbols.get(wanted, f"{wanted} "))


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
        marked = parse.read_amount(value) if isinstance(value, str) else None
        code = marked.currency if marked is not None and marked.currency else None
        currency = resolve_currency(code, self.settings) if code else self.unmarked
        aed = entered if currency.code == BASE_CURRENCY else cents(entered * currency.rate)
        self.read.append(ReadAmount(rate, currency.code, entered, aed))
        return aed

    def optional(self, value: AmountInput | None, what: str) -> Decimal | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return self.aed(value, what, rate=False)


def _entered_text(code: str, amount: Decimal) -> str:
    places = 0 if amount == amount.to_integral_value() else 2
    return f"{code} {group_thousands(amount, places)}"


def _per(currency: Currency) -> str:
    return f"{plain_number(currency.rate)} AED per {currency.code}"


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
        text = _entered_text(a.currency, a.entered)
        if a.currency != BASE_CURRENCY:
            per = _per(resolve_currency(a.currency, settings))
            text += f" ({_entered_text(BASE_CURRENCY, a.aed)} at {per})"
        parts.append(text)
    if len(listed) > 4:
        parts.append(f"{len(listed) - 4} more")
    line = "Rates read as " + (", ".join(parts[:-1]) + " and " if len(parts) > 1 else "")
    line += parts[-1] if parts else "AED"
    if shown.code != BASE_CURRENCY:
        same = all(a.currency == shown.code for a in listed)
        line += f", shown in {shown.code}" + ("" if same and listed else f" at {_per(shown)}")
    return line + "."
