"""The commercial terms of a fresh install, read from `commercial.service` (never copied here).

Pure rules (booking-order calculations, proposal pricing) take these values as arguments; the
unit tests hand them the product's defaults through this one module.
"""

from __future__ import annotations

from salesbot.commercial import service as commercial
from salesbot.settings import Settings

_SETTINGS = Settings(_env_file=None)

DEFAULT_TERMS = commercial.Terms(
    vat_pct=commercial.vat_pct(_SETTINGS),
    dm_fee=commercial.dm_fee(_SETTINGS),
    default_upload_fee=commercial.default_upload_fee(_SETTINGS),
    proposal_validity_days=commercial.proposal_validity_days(_SETTINGS),
    rates=dict(commercial.DEFAULT_CURRENCY_RATES),
)
VAT_PCT = DEFAULT_TERMS.vat_pct
