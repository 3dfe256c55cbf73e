"""Combined packages: several locations, one duration each, one package rate."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import answer, ask

REFERENCE = (
    "combined package for gateway and uae21, start 1 Feb 2026, 4 weeks each, "
    "package rate 2M, client Adidas"
)


def test_the_reference_package_asks_for_the_static_production_fee() -> None:
    intent = ask(REFERENCE)
    assert intent.tool == "create_combined_proposal"
    assert intent.missing == ("production_fee:uae21",)
    assert intent.reply == "What is the production fee for UAE21? It's a static location."
    done = answer(intent, "uae21 production fee 20000")
    assert done.missing == ()
    assert done.args == {
        "client_name": "Adidas",
        "locations": [
            {"location": "dubai_gateway", "start_date": "2026-02-01", "duration": "4 weeks"},
            {
                "location": "uae21",
                "start_date": "2026-02-01",
                "duration": "4 weeks",
                "production_fee": "20000",
            },
        ],
        "combined_net_rate": "2000000",
    }


@pytest.mark.parametrize(
    "message",
    [
        "package for landmark + jawhara starting March 1 2026, 2 weeks each, "
        "combined rate AED 3,500,000 for Pepsi",
        "bundle landmark & jawhara from 01/03/2026 for 2 weeks at 3.5M, client Pepsi",
        "combined proposal: landmark and jawhara, 2 weeks, start March 1st 2026, "
        "combined net rate 3,500,000, customer Pepsi",
    ],
)
def test_package_phrasings(message: str) -> None:
    intent = ask(message)
    assert intent.tool == "create_combined_proposal"
    assert intent.missing == ()
    assert intent.args["combined_net_rate"] == "3500000"
    assert intent.args["client_name"] == "Pepsi"
    locations = intent.args["locations"]
    assert isinstance(locations, list)
    assert [(x["location"], x["start_date"], x["duration"]) for x in locations] == [
        ("landmark", "2026-03-01", "2 weeks"),
        ("jawhara", "2026-03-01", "2 weeks"),
    ]


def test_a_production_fee_named_for_one_location_goes_to_it() -> None:
    intent = ask(
        "combined package for gateway, uae21 and uae22, start 1 Feb 2026, 4 weeks each, 2M, "
        "production fee for uae21 is 5000, client Adidas"
    )
    assert intent.missing == ("production_fee:uae22",)
    done = answer(intent, "uae22 7000")
    locations = done.args["locations"]
    assert isinstance(locations, list)
    assert [x.get("production_fee") for x in locations] == [None, "5000", "7000"]
    assert done.missing == ()


def test_a_package_needs_two_locations() -> None:
    intent = ask("combined package for gateway, start 1 Feb 2026, 4 weeks, 2M, client Adidas")
    assert intent.missing == ("location",)
    assert intent.reply == (
        "A combined package needs at least two locations. Which locations should it include?"
    )
    done = answer(intent, "and jawhara")
    assert done.missing == ()
    locations = done.args["locations"]
    assert isinstance(locations, list) and len(locations) == 2


def test_the_package_rate_is_asked_when_missing() -> None:
    intent = ask("combined package for gateway and jawhara, start 1 Feb 2026, 4 weeks, client Nike")
    assert intent.missing == ("combined_net_rate",)
    assert intent.reply == "What is the combined net rate for the whole package?"
    assert answer(intent, "2.5M").args["combined_net_rate"] == "2500000"


def test_two_durations_for_a_package_location_are_asked_about() -> None:
    intent = ask(
        "combined package for gateway and jawhara, start 1 Feb 2026, 2 weeks, 4 weeks, "
        "package rate 2M, client Nike"
    )
    assert set(intent.missing) == {"duration:dubai_gateway", "duration:jawhara"}
