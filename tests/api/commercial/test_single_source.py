"""The web UI reads VAT, stage labels, fees and limits from /api/meta; scripts never copy them."""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import httpx
import pytest

import salesbot.web
from salesbot.assistant.schemas import MAX_FILES, MAX_MESSAGE
from salesbot.booking_orders.calculations import calculate
from salesbot.booking_orders.workflow import STAGES
from salesbot.proposals.pricing import LocationFacts, PricingSettings
from salesbot.settings import Settings
from salesbot.users.credentials import MIN_PASSWORD_LENGTH

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


def _number(value: object) -> str:
    """A regex for the number as scripts write it: 3000, 3,000 or 3_000, not part of another."""
    n = int(str(value))
    forms = {str(n), f"{n:,}", f"{n:_}"}
    return r"(?<![\d.,_])(?:" + "|".join(map(re.escape, forms)) + r")(?![\d_]|[.,]\d)"


def _default(name: str) -> object:
    return Settings.model_fields[name].default


def _copy_patterns() -> dict[str, list[re.Pattern[str]]]:
    """Each served rule, with the ways a script would copy it (a constant, an attribute, a text)."""
    chars, files = _number(MAX_MESSAGE), _number(MAX_FILES)
    password, upload_mb = _number(MIN_PASSWORD_LENGTH), _number(_default("max_upload_mb"))
    in_text = r"[\"'`][^\"'`\n]*?{}"
    return {
        name: [re.compile(p, re.IGNORECASE) for p in patterns]
        for name, patterns in {
            "max_message_chars": [chars],
            "max_message_files": [
                rf"max_?files\w*\s*[:=]\s*{files}",
                rf"\b{files}\s+files\b",
            ],
            "min_password_length": [
                rf"minlength\s*:\s*[\"']?{password}",
                rf"min_?password\w*\s*[:=]\s*{password}",
                rf"\b{password}\s+characters\b",
            ],
            "max_upload_bytes": [
                rf"{upload_mb}\s*(?:MB|\*\s*1024)",
                _number(int(str(_default("max_upload_mb"))) * 1024 * 1024),
            ],
            "default_upload_fee": [in_text.format(_number(_default("default_upload_fee")))],
            "dm_fee": [in_text.format(_number(_default("dm_fee")))],
            "proposal_validity_days": [
                rf"valid\w*(?:\s+for)?\s+{_number(_default('proposal_validity_days'))}\b",
            ],
        }.items()
    }


def _code_lines(text: str) -> list[str]:
    """The script without its comments (examples in comments are no copies)."""
    lines = []
    for line in text.splitlines():
        if line.lstrip().startswith(("//", "/*", "*")):
            continue
        lines.append(re.sub(r"\s//\s.*$", "", line))
    return lines


def _copies(text: str) -> list[str]:
    return [
        f"{name}: {line.strip()[:120]}"
        for line in _code_lines(text)
        for name, patterns in _copy_patterns().items()
        if any(p.search(line) for p in patterns)
    ]


def test_no_script_copies_a_limit_or_a_fee() -> None:
    """Chat limits, the password minimum, fees and validity come from /api/meta (or the shell)."""
    for script in SCRIPTS.rglob("*.js"):
        found = _copies(script.read_text(encoding="utf-8"))
        assert not found, f"{script.relative_to(SCRIPTS)} copies {found}; read js/meta.js"


@pytest.mark.parametrize(
    "copy",
    [
        "export const MAX_CHARS = 10_000;",
        "export const MAX_FILES = 10;",
        "toast(`You can attach up to 10 files to one message.`);",
        "const MIN_PASSWORD = 10;",
        'hint: "At least 10 characters. You will be asked to sign in again.",',
        'attrs: { autocomplete: "new-password", minlength: "10" },',
        'const fee = input("upload_fee", { placeholder: "3000", class: "money-input" });',
        'hint: "Municipality fee: AED 520 per image",',
        'hint: "Proposals are valid for 30 days",',
        'hint: "Files up to 200 MB",',
    ],
)
def test_the_check_catches_the_copies_it_replaced(copy: str) -> None:
    assert _copies(copy), copy


def test_the_check_lets_unrelated_numbers_be() -> None:
    fine = [
        "const PAGE = 30;",
        "const step = event.shiftKey ? 10 : 1;",
        'hint: "Between 1 and 30 days.", attrs: { min: 1, max: 30 }',
        "setTimeout(retry, 3000);",
        "// e.g. 17 / 10,000 under the composer",
    ]
    assert [line for line in fine if _copies(line)] == []


async def test_the_page_shell_carries_the_password_minimum(client: httpx.AsyncClient) -> None:
    """The invitation page has no session for /api/meta; the shell serves the same constant."""
    page = await client.get("/invite")
    assert page.status_code == 200
    tag = f'<meta name="min-password-length" content="{MIN_PASSWORD_LENGTH}">'
    assert tag in page.text
