"""Price and history questions get answers, not spec sheets (#15 item 6)."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import ask


@pytest.mark.parametrize(
    ("message", "location"),
    [
        ("what is the price of the landmark?", "landmark"),
        ("how much is jawhara", "jawhara"),
        ("price of uae21", "uae21"),
        ("what does the gateway cost?", "dubai_gateway"),
    ],
)
def test_a_price_question_asks_for_the_quoted_rates(message: str, location: str) -> None:
    intent = ask(message)
    assert (intent.tool, intent.args, intent.missing) == (
        "location_prices",
        {"location": location},
        (),
    )


def test_a_request_with_figures_is_still_a_proposal() -> None:
    intent = ask("landmark proposal 2 weeks price 1.5M start Jan 1 2026 client Nike")
    assert intent.tool == "create_separate_proposals"


def test_what_did_we_quote_a_client_last_month() -> None:
    # TODAY is 20 Nov 2025: last month is October.
    intent = ask("what did we quote Nike last month?")
    assert (intent.tool, intent.args) == (
        "proposal_history",
        {"client": "Nike", "date_from": "2025-10-01", "date_to": "2025-10-31"},
    )


def test_this_week_runs_from_monday_to_today() -> None:
    intent = ask("show proposals this week")
    assert intent.args == {"date_from": "2025-11-17", "date_to": "2025-11-20"}
