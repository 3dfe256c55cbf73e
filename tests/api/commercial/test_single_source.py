"""The web UI reads VAT and stage labels from /api/meta; the scripts never copy them."""

from __future__ import annotations

from pathlib import Path

import salesbot.web
from salesbot.booking_orders.workflow import STAGES

SCRIPTS = Path(salesbot.web.__file__).parent / "static" / "js"


def test_no_script_hard_codes_vat_or_stage_labels() -> None:
    copied = ["VAT 5%", *(f'"{stage.label}"' for stage in STAGES if " " in stage.label)]
    for script in SCRIPTS.rglob("*.js"):
        text = script.read_text(encoding="utf-8")
        found = [needle for needle in copied if needle in text]
        assert not found, f"{script.relative_to(SCRIPTS)} copies {found}; read /api/meta"
