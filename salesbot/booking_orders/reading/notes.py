"""Values the user states in their message ('upload fee is 2000'), which win over the document."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import Decimal

from salesbot.booking_orders.calculations import (
    AMOUNT_SCALES,
    BookingOrder,
    BookingOrderError,
    parse_money,
    parse_percent,
)
from salesbot.booking_orders.edits import TypedAmounts, apply_edit
from salesbot.booking_orders.reading.labels import CURRENCIES
from salesbot.kit.currencies import marked_currency
from salesbot.kit.parse import SCALES_OF
from salesbot.kit.parse.words import CURRENCY_WORDS

# The scale words parse_money applies, longest first.
_SCALE_WORDS = "|".join(
    sorted((w for w, (s, _) in SCALES_OF.items() if s in AMOUNT_SCALES), key=len, reverse=True)
)
# A currency may be written before ("$2,000", "USD 2000") or after ("2000 dollars") the number.
_CURRENCY_WORDS = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
_AMOUNT = (
    r"(?P<amount>(?:[A-Za-z]{3}\s*|[$€£]\s*)?\d[\d,]*(?:\.\d+)?"
    rf"(?:\s*(?:{_SCALE_WORDS})\b)?(?:\s*(?:{_CURRENCY_WORDS})\b)?)"
)
_AMOUNT_END = r"(?![\d%])(?![.,]\d)(?!\s*%)"
_LINK = r"\s*(?:is|are|=|:|of|to|at|should\s+be|will\s+be)?\s*"
_TEXT = r"(?P<text>[^,;\n]+?)(?=\s*(?:[,;\n]|\.(?:\s|$)|\band\b|$))"
_NOTE_AMOUNTS: tuple[tuple[str, str], ...] = (
    ("production_upload_fee", r"(?:production\s*/\s*upload|upload|production)\s+(?:fees?|costs?)"),
    ("municipality_fee", r"(?:municipality|dm)(?:\s+fees?)?"),
    ("net_pre_vat", r"net\s+(?:amount|total)(?:\s+(?:pre|before|excl\.?)\s*-?\s*vat)?"),
    ("vat", r"vat(?:\s+amount)?"),
)
_NOTE_PERCENTS: tuple[tuple[str, str], ...] = (
    ("sla_pct", r"sla"),
    ("commission_pct", r"(?:agency\s+)?commission"),
)
_NOTE_TEXTS: tuple[tuple[str, str], ...] = (
    ("client", r"(?:client(?:\s+name)?|advertiser)\s*(?:is|=|:)\s*"),
    ("client", r"client\s+(?=(?-i:[A-Z]))"),
    ("agency", r"agency\s*(?:is|=|:)\s*"),
    ("brand_campaign", r"(?:brand|campaign)\s*(?:is|=|:)\s*"),
    ("category", r"category\s*(?:is|=|:)\s*"),
    ("payment_terms", r"payment\s+terms\s*(?:are|is|=|:)?\s*"),
    ("sales_person", r"sales\s*person\s*(?:is|=|:)\s*"),
)


def parse_notes(notes: str, companies: Iterable[str] = ()) -> dict[str, Decimal | str]:
    """Values the user states in the message ('upload fee is 2000', 'client is Nike')."""
    text = notes[:4000]
    overrides: dict[str, Decimal | str] = {}
    for key, pattern in _NOTE_AMOUNTS:
        match = re.search(r"(?i)\b" + pattern + _LINK + _AMOUNT + _AMOUNT_END, text)
        # "UAE21 net amount 150000" is one location's amount, not the booking order's net.
        preceding = text[: match.start()] if match else ""
        if key == "net_pre_vat" and re.search(r"\w*\d\w*\s+$", preceding):
            continue
        if match:
            written = match.group("amount").strip()
            try:
                amount = parse_money(written)
            except BookingOrderError:
                continue
            # An amount with its currency stays as written: the edit converts it (and says so).
            overrides[key] = written if marked_currency(written) else amount
    for key, pattern in _NOTE_PERCENTS:
        match = re.search(r"(?i)\b" + pattern + _LINK + r"(?P<pct>\d+(?:\.\d+)?)\s*%?", text)
        if match:
            overrides[key] = parse_percent(match.group("pct") + "%")
    for key, pattern in _NOTE_TEXTS:
        if key in overrides:
            continue
        match = re.search(r"(?i)\b" + pattern + _TEXT, text)
        if match and match.group("text").strip():
            overrides[key] = match.group("text").strip()[:200]
    number = re.search(
        r"(?i)\b(?:bo|booking\s+order|po)\s*(?:number|no\.?|#)\s*(?:is|=|:)?\s*"
        r"(?P<ref>[A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9])",
        text,
    )
    if number:
        overrides["bo_number"] = number.group("ref")
    currency = re.search(
        r"(?i)\b(?:currency\s*(?:is|=|:)?\s*|in\s+)(?P<code>" + "|".join(CURRENCIES) + r")\b",
        text,
    )
    if currency:
        overrides["currency"] = currency.group("code").upper()
    mentioned = [
        name
        for name in companies
        if name.strip() and re.search(r"(?i)(?<!\w)" + re.escape(name.strip()) + r"(?!\w)", text)
    ]
    if len(mentioned) == 1:
        overrides["company"] = mentioned[0].strip()
    return overrides


def apply_overrides(
    bo: BookingOrder, overrides: dict[str, Decimal | str], typed: TypedAmounts | None = None
) -> BookingOrder:
    """The user's stated values win over the document's (company first: it guards the client;
    then the currency, which unmarked amounts are in). `typed` reads the amounts."""
    first = {"company": 0, "currency": 1}
    ordered = sorted(overrides.items(), key=lambda item: first.get(item[0], 2))
    for key, value in ordered:
        if key == "currency":
            # A stated currency says what the document's figures are in; it is not a conversion.
            bo = replace(bo, currency=str(value))
        else:
            bo = apply_edit(bo, key, value, typed=typed)
    return bo
