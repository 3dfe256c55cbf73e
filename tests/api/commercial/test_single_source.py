"""The web UI reads VAT and stage labels from /api/meta; the scripts never copy them."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path

import salesbot.web
from salesbot.booking_orders.calculations import calculate
from salesbot.booking_orders.workflow import STAGES
from salesbot.proposals.pricing import LocationFacts, PricingSettings

SCRIPTS = Path(salesbot.web.__file__).parent / "static" / "js"


def test_no_script_hard_codes_vat_or_stage_labels() -> None:
    copied = ["VAT 5%", *(f'"{stage.label}"' for stage in STAGES if " " in stage.label)]
    for script in SCRIPTS.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        found = [needle for needle in copied if needle in text]
        assert not found, f"{script.relative_to(SCRIPTS)} copies {found}; read /api/meta"


def test_pure_rules_hold_no_copy_of_the_commercial_terms() -> None:
    """Booking-order VAT and proposal pricing take the terms from commercial, never a default."""
    vat = inspect.signature(calculate).parameters["vat_pct"]
    assert vat.default is inspect.Parameter.empty
    pricing_defaults = {f.name for f in dataclasses.fields(PricingSettings) if _has_default(f)}
    assert pricing_defaults == {"symbols"}
    upload_fee = next(f for f in dataclasses.fields(LocationFacts) if f.name == "upload_fee")
    assert not _has_default(upload_fee)


def _has_default(item: dataclasses.Field[object]) -> bool:
    return not (item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING)
