"""The pure part of a follow-up edit: only the named fields change, each change is said, and what
cannot be guessed is asked (`NeedsMore`) or refused with a reason."""

from __future__ import annotations

from typing import Any

import pytest

from salesbot.proposals.inputs import ProposalError
from salesbot.proposals.revising import Changes, NeedsMore, Place, money_text, revise

PLACES = {
    "the_landmark": Place("The Landmark"),
    "jawhara": Place("The Jawhara"),
    "uae21": Place("UAE21", static=True),
}


def separate(*items: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"kind": "separate", "client_name": "Nike", **top, "proposals": list(items)}


def item(location: str, durations: list[str], rates: list[str], **more: Any) -> dict[str, Any]:
    start = "2027-01-01"
    return {"location": location, "start_date": start, "durations": durations, "net_rates": rates}


LANDMARK = item("landmark", ["2 weeks", "4 weeks"], ["1.5M", "2.8M"])
JAWHARA = item("jawhara", ["2 weeks"], ["900k"])


def test_money_as_typed_is_said_with_its_currency() -> None:
    assert money_text("1.5M") == "AED 1,500,000"
    assert money_text("$400k") == "USD 400,000"
    assert money_text("EUR 1234.5") == "EUR 1,234.50"


def test_rates_follow_the_durations_or_are_asked() -> None:
    raw = separate(LANDMARK)
    with pytest.raises(NeedsMore) as asked:
        revise(raw, ["the_landmark"], PLACES, Changes(durations=["8 weeks"]))
    assert asked.value.need == "net_rates"
    assert str(asked.value) == "What net rate should The Landmark have for 8 weeks, one each?"
    done = revise(raw, ["the_landmark"], PLACES, Changes(durations=["8 weeks"], net_rates=["4M"]))
    assert done.input["proposals"][0]["durations"] == ["8 weeks"]
    assert done.input["proposals"][0]["net_rates"] == ["4M"]
    assert done.changed == [
        "Duration 2 weeks and 4 weeks → 8 weeks at AED 4,000,000 (The Landmark)"
    ]
    assert raw["proposals"][0]["durations"] == ["2 weeks", "4 weeks"]  # the previous is untouched


def test_a_rate_for_two_locations_needs_to_say_which() -> None:
    raw = separate(item("landmark", ["2 weeks"], ["1.5M"]), JAWHARA)
    keys = ["the_landmark", "jawhara"]
    with pytest.raises(ProposalError, match="which one's rate"):
        revise(raw, keys, PLACES, Changes(net_rates=["2M"]))
    one = revise(raw, keys, PLACES, Changes(net_rates=["1M"], location="jawhara"))
    assert one.changed == ["Net rate AED 900,000 → AED 1,000,000 (The Jawhara)"]
    both = revise(raw, keys, PLACES, Changes(net_rates=["2M", "1M"]))
    assert [p["net_rates"] for p in both.input["proposals"]] == [["2M"], ["1M"]]


def test_a_static_place_added_needs_its_production_fee() -> None:
    raw = separate(JAWHARA)
    with pytest.raises(NeedsMore) as asked:
        revise(raw, ["jawhara"], PLACES, Changes(add=["uae21"], net_rates=["300k"]))
    assert asked.value.need == "production_fee"
    done = revise(
        raw, ["jawhara"], PLACES, Changes(add=["uae21"], net_rates=["300k"], production_fee="20k")
    )
    assert done.input["proposals"][1] == {
        "location": "uae21",
        "start_date": "2027-01-01",
        "durations": ["2 weeks"],
        "net_rates": ["300k"],
        "production_fee": "20k",
    }
    assert done.changed == ["Added UAE21 at AED 300,000"]


def test_the_last_location_is_never_removed_and_unknown_ones_are_named() -> None:
    raw = separate(JAWHARA)
    with pytest.raises(ProposalError, match="only location"):
        revise(raw, ["jawhara"], PLACES, Changes(remove=["jawhara"]))
    with pytest.raises(ProposalError, match="UAE21 is not in this proposal"):
        revise(raw, ["jawhara"], PLACES, Changes(remove=["uae21"]))


def test_a_package_and_back() -> None:
    raw = separate(item("landmark", ["2 weeks"], ["1.5M"]), JAWHARA, currency="USD")
    keys = ["the_landmark", "jawhara"]
    with pytest.raises(NeedsMore) as asked:
        revise(raw, keys, PLACES, Changes(kind="combined"))
    assert asked.value.need == "combined_net_rate"
    package = revise(raw, keys, PLACES, Changes(kind="combined", combined_net_rate="2M")).input
    assert package == {
        "kind": "combined",
        "client_name": "Nike",
        "currency": "USD",
        "combined_net_rate": "2M",
        "locations": [
            {"location": "landmark", "start_date": "2027-01-01", "duration": "2 weeks"},
            {"location": "jawhara", "start_date": "2027-01-01", "duration": "2 weeks"},
        ],
    }
    rate = revise(package, keys, PLACES, Changes(net_rates=["2.2M"]))
    assert rate.changed == ["Package rate AED 2,000,000 → AED 2,200,000"]
    back = revise(package, keys, PLACES, Changes(kind="separate", net_rates=["1.5M", "900k"]))
    assert back.input["proposals"][1]["net_rates"] == ["900k"]
    with pytest.raises(ProposalError, match="at least two locations"):
        revise(package, keys, PLACES, Changes(remove=["jawhara"]))


def test_nothing_said_changes_nothing() -> None:
    raw = separate(JAWHARA)
    same = revise(raw, ["jawhara"], PLACES, Changes(client_name="Nike", net_rates=["900,000"]))
    assert same.changed == [] and same.input == raw


def test_a_new_start_drops_the_end_the_duration_sets_again() -> None:
    raw = separate({**JAWHARA, "end_date": "2027-01-14"})
    moved = revise(raw, ["jawhara"], PLACES, Changes(start_date="2027-02-01"))
    assert moved.input["proposals"][0] == {**JAWHARA, "start_date": "2027-02-01"}
    assert moved.changed == ["Start 1 Jan 2027 → 1 Feb 2027 (The Jawhara)"]
