"""The commercial rules proposals and booking orders read: VAT, rates, default fees, validity.

VAT, fees and validity come from `Settings`; currency rates are admin-editable and kept in the
`app_settings` table, with the product's defaults until an admin changes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.commercial import repository
from salesbot.commercial.schemas import CurrencyRates
from salesbot.kit.errors import ValidationFailed
from salesbot.settings import Settings
from salesbot.users import audit

BASE_CURRENCY = "AED"
CURRENCY_RATES_KEY = "currency_rates"
# AED per one unit of each currency (domain.md §2); admins can change them.
DEFAULT_CURRENCY_RATES: dict[str, Decimal] = {
    "AED": Decimal("1"),
    "USD": Decimal("3.6725"),
    "EUR": Decimal("3.97"),
    "GBP": Decimal("4.62"),
}
MAX_RATE = Decimal(100_000)
# ISO 4217 codes an admin may give a rate for (a typo such as "USS" is refused).
KNOWN_CURRENCIES = frozenset(
    (  # noqa: SIM905 - a compact list of codes
        "AED AUD BHD CAD CHF CNY DKK EGP EUR GBP HKD INR JOD JPY KRW KWD "
        "LBP MAD NOK NZD OMR PHP PKR QAR RUB SAR SEK SGD THB TRY USD ZAR"
    ).split()
)


@dataclass(frozen=True)
class Terms:
    """The commercial terms in effect; `rates` are AED per unit and include AED itself."""

    vat_pct: Decimal
    dm_fee: Decimal
    default_upload_fee: Decimal
    proposal_validity_days: int
    rates: Mapping[str, Decimal]


def vat_pct(settings: Settings) -> Decimal:
    return settings.vat_pct


def dm_fee(settings: Settings) -> Decimal:
    """The municipality (DM) fee per image or message, in AED."""
    return settings.dm_fee


def default_upload_fee(settings: Settings) -> Decimal:
    """The digital upload fee for a location that does not set its own, in AED."""
    return settings.default_upload_fee


def proposal_validity_days(settings: Settings) -> int:
    return settings.proposal_validity_days


async def terms(session: AsyncSession, settings: Settings) -> Terms:
    return Terms(
        vat_pct=vat_pct(settings),
        dm_fee=dm_fee(settings),
        default_upload_fee=default_upload_fee(settings),
        proposal_validity_days=proposal_validity_days(settings),
        rates=await get_currency_rates(session),
    )


def plain_number(value: Decimal) -> str:
    """`5`, `7.5`: a percentage or rate as people write it (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


# --- currency rates ------------------------------------------------------------------------


async def get_currency_rates(session: AsyncSession) -> dict[str, Decimal]:
    """AED per unit for every supported currency (stored as strings to stay exact)."""
    stored = await repository.get_value(session, CURRENCY_RATES_KEY)
    if not stored:
        return dict(DEFAULT_CURRENCY_RATES)
    rates = {code: Decimal(str(rate)) for code, rate in stored.items()}
    rates[BASE_CURRENCY] = Decimal("1")
    return rates


async def set_currency_rates(
    session: AsyncSession, rates: Mapping[str, Decimal]
) -> dict[str, Decimal]:
    """Store the table as given (no checks; the caller commits)."""
    clean = {code.upper(): rate for code, rate in rates.items() if code.upper() != BASE_CURRENCY}
    await repository.set_value(
        session, CURRENCY_RATES_KEY, {code: str(rate) for code, rate in clean.items()}
    )
    return await get_currency_rates(session)


def _rates_out(rates: Mapping[str, Decimal]) -> CurrencyRates:
    return CurrencyRates(
        rates={
            code: plain_number(rate)
            for code, rate in sorted(rates.items())
            if code != BASE_CURRENCY
        }
    )


async def currency_rates(session: AsyncSession) -> CurrencyRates:
    return _rates_out(await get_currency_rates(session))


def _checked_rates(rates: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Upper-cased codes without AED; unknown codes and out-of-range rates are refused."""
    clean: dict[str, Decimal] = {}
    for raw_code, rate in rates.items():
        code = raw_code.strip().upper()
        if code not in KNOWN_CURRENCIES:
            raise ValidationFailed(
                f"Unknown currency '{' '.join(raw_code.split())[:10]}'. "
                "Use ISO codes such as USD, EUR or GBP.",
                code="unknown_currency",
                details={"allowed": sorted(KNOWN_CURRENCIES)},
            )
        if not rate.is_finite() or rate <= 0:
            raise ValidationFailed(
                f"The rate for {code} must be more than zero.", code="invalid_rate"
            )
        if rate > MAX_RATE:
            raise ValidationFailed(f"The rate for {code} is too large.", code="invalid_rate")
        if code == BASE_CURRENCY:
            if rate != 1:
                raise ValidationFailed(
                    "AED is the base currency; its rate is always 1.", code="invalid_rate"
                )
            continue
        clean[code] = rate
    if not clean:
        raise ValidationFailed("Give at least one currency rate besides AED.", code="no_rates")
    return clean


async def replace_currency_rates(
    session: AsyncSession,
    rates: Mapping[str, Decimal],
    *,
    actor: Principal,
) -> CurrencyRates:
    """Replace the rate table (AED per unit), audited; currencies left out are dropped."""
    clean = _checked_rates(rates)
    stored = await set_currency_rates(session, clean)
    audit.record(
        session,
        actor,
        "settings.currency_rates",
        audit.Target("settings", CURRENCY_RATES_KEY),
        {"rates": {code: str(rate) for code, rate in clean.items()}},
    )
    await session.commit()
    return _rates_out(stored)
