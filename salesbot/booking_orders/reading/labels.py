"""The labels booking orders use for their fields and location columns, and reading a cell's
value (amounts, dates, currencies) the way they are written."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from salesbot.booking_orders.calculations import BookingOrderError, parse_date, parse_money
from salesbot.kit.money import cents

# Enough for any booking order; stops a hostile sheet from making us read millions of cells.
MAX_ROWS = 400
MAX_COLUMNS = 40
MAX_SHEETS = 5
MAX_CSV_BYTES = 2_000_000
CURRENCIES = ("AED", "USD", "EUR", "GBP", "SAR", "QAR", "KWD", "OMR", "BHD", "INR", "EGP")


# ---------------------------------------------------------------- labels

_FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "client": ("client", "client name", "advertiser", "customer", "buyer"),
    "bo_number": (
        "bo number",
        "bo ref",
        "bo reference",
        "booking order number",
        "booking order ref",
        "po number",
        "order number",
        "client bo number",
    ),
    "bo_date": ("bo date", "booking order date", "order date", "date"),
    "agency": ("agency", "media agency", "agency name"),
    "brand_campaign": (
        "brand/campaign",
        "brand / campaign",
        "brand campaign",
        "brand and campaign",
        "brand",
        "campaign",
        "campaign name",
    ),
    "category": ("category", "industry", "sector"),
    "asset": ("asset", "assets"),
    "currency": ("currency",),
    "payment_terms": ("payment terms", "terms of payment", "payment"),
    "sales_person": (
        "sales person",
        "salesperson",
        "sales executive",
        "account manager",
        "sales rep",
    ),
    "commission_pct": ("commission", "agency commission", "commission rate"),
    "sla_pct": ("sla", "sla rate", "sla percentage"),
    "municipality_fee": (
        "municipality fee",
        "municipality fees",
        "municipality",
        "dm fee",
        "dm fees",
        "dm",
    ),
    "production_upload_fee": (
        "production/upload fee",
        "production / upload fee",
        "production upload fee",
        "production fee",
        "upload fee",
        "production cost",
        "production",
        "production/upload",
    ),
    "net_pre_vat": (
        "net amount",
        "net",
        "net total",
        "total net",
        "net pre vat",
        "net before vat",
        "net amount pre vat",
        "net amount excl vat",
        "total excl vat",
        "subtotal",
        "sub total",
    ),
    "vat": ("vat", "vat amount", "tax"),
    "gross": (
        "gross",
        "gross amount",
        "gross total",
        "total incl vat",
        "grand total",
        "total amount",
        "total",
    ),
    "notes": ("notes", "remarks", "comments"),
    # Labels that are not BO fields but end in a word that is ("Start Date" ends in "Date").
    "_ignored": (
        "start date",
        "end date",
        "campaign start",
        "campaign end",
        "due date",
        "invoice date",
        "sla deduction",
        "net excl sla",
        "campaign duration",
        "head of sales signature",
        "signature",
        "location splits excl sla",
    ),
}
_COLUMN_LABELS: dict[str, tuple[str, ...]] = {
    "name": (
        "location",
        "location name",
        "locations",
        "site",
        "site name",
        "name",
        "screen",
        "billboard",
        "board",
    ),
    "asset": ("asset", "asset code", "asset id", "asset ref"),
    "start_date": ("start", "start date", "from", "campaign start", "start of campaign"),
    "end_date": ("end", "end date", "to", "campaign end", "end of campaign"),
    "net_amount": (
        "net",
        "net amount",
        "amount",
        "net rental",
        "rental",
        "net rate",
        "rate",
        "price",
        "net cost",
        "cost",
        "net value",
        "value",
    ),
    "campaign_duration": ("duration", "campaign duration", "period"),
}
TOTAL_ROWS = frozenset({"total", "totals", "grand total", "subtotal", "sub total", "net total"})


def normalise_label(text: str) -> str:
    """'Net Amount (AED):' → 'net amount', 'BO No.' → 'bo number', 'VAT 5%' → 'vat'."""
    text = text.lower().strip()
    text = re.sub(r"\([^)]*\)", " ", text)
    text = re.sub(r"\d+(?:\.\d+)?\s*%", " ", text)
    text = text.replace("#", " number ").replace("&", " and ").replace("%", " ")
    text = re.sub(r"\bno\b\.?", "number", text)
    text = text.replace("-", " ").replace(".", " ").replace(":", " ").replace("_", " ")
    return " ".join(text.split())


def _index(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_label(label): key for key, labels in table.items() for label in labels}


LABEL_INDEX = _index(_FIELD_LABELS)
COLUMN_INDEX = _index(_COLUMN_LABELS)


# ---------------------------------------------------------------- value readers


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


def parse_amount(value: object) -> Decimal | None:
    """'AED 160,000.00', 160000, 160000.0 → Decimal; None when there is no number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        # Spreadsheet numbers arrive as binary floats; their shortest repr is what was typed.
        return cents(Decimal(repr(value)))
    if isinstance(value, Decimal | int):
        return Decimal(value)
    text = str(value)
    if not re.search(r"\d", text):
        return None
    try:
        return parse_money(text)
    except BookingOrderError:
        return None


def parse_any_date(value: object) -> date | None:
    """A date cell or text in the usual formats (day first, as in the UAE); None otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text or not re.search(r"\d", text):
        return None
    try:
        return parse_date(text)
    except BookingOrderError:
        return None


def currency_in(text: str) -> str | None:
    match = re.search(r"\b(" + "|".join(CURRENCIES) + r")\b", text.upper())
    return match.group(1) if match else None
