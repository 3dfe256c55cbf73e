"""The currency-rate table proposals convert with (AED per unit), as admins set it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.commercial import service as app_settings
from salesbot.kit.errors import ValidationFailed
from salesbot.kit.parse import quote
from salesbot.proposals import pricing
from salesbot.proposals.schemas import CurrencyRates
from salesbot.users import audit

MAX_RATE = Decimal(100_000)
# ISO 4217 codes an admin may give a rate for (a typo such as "USS" is refused).
KNOWN_CURRENCIES = frozenset(
    (  # noqa: SIM905 - a compact list of codes
        "AED AUD BHD CAD CHF CNY DKK EGP EUR GBP HKD INR JOD JPY KRW KWD "
        "LBP MAD NOK NZD OMR PHP PKR QAR RUB SAR SEK SGD THB TRY USD ZAR"
    ).split()
)


def _rates_out(rates: Mapping[str, Decimal]) -> CurrencyRates:
    return CurrencyRates(
        rates={
            code: format(rate.normalize(), "f")
            for code, rate in sorted(rates.items())
            if code != pricing.BASE_CURRENCY
        }
    )


async def currency_rates(session: AsyncSession) -> CurrencyRates:
    return _rates_out(await app_settings.get_currency_rates(session))


async def set_currency_rates(
    session: AsyncSession,
    rates: Mapping[str, Decimal],
    *,
    actor: Principal,
    ip: str | None = None,
) -> CurrencyRates:
    """Replace the rate table (AED per unit); unknown codes and non-positive rates are refused."""
    clean: dict[str, Decimal] = {}
    for raw_code, rate in rates.items():
        code = raw_code.strip().upper()
        if code not in KNOWN_CURRENCIES:
            raise ValidationFailed(
                f"Unknown currency '{quote(raw_code, 10)}'. Use ISO codes such as USD, EUR or GBP.",
                code="unknown_currency",
            )
        if not rate.is_finite() or rate <= 0:
            raise ValidationFailed(
                f"The rate for {code} must be more than zero.", code="invalid_rate"
            )
        if rate > MAX_RATE:
            raise ValidationFailed(f"The rate for {code} is too large.", code="invalid_rate")
        if code == pricing.BASE_CURRENCY:
            if rate != 1:
                raise ValidationFailed(
                    "AED is the base currency; its rate is always 1.", code="invalid_rate"
                )
            continue
        clean[code] = rate
    if not clean:
        raise ValidationFailed("Give at least one currency rate besides AED.", code="no_rates")
    stored = await app_settings.set_currency_rates(session, clean)
    audit.record(
        session,
        "settings.currency_rates",
        actor_id=actor.user_id,
        actor_email=actor.email,
        target_type="settings",
        target_id=app_settings.CURRENCY_RATES_KEY,
        ip=ip,
        details={"rates": {code: str(rate) for code, rate in clean.items()}},
    )
    await session.commit()
    return _rates_out(stored)
