"""Location look-ups and administration: list, find, add, update, delete with confirmation."""

from __future__ import annotations

import pytest

from tests.unit.assistant.helpers import answer, ask


@pytest.mark.parametrize(
    ("message", "args"),
    [
        ("list locations", {}),
        ("what locations do we have?", {}),
        ("show digital screens", {"display_type": "digital"}),
        ("what static locations do we have", {"display_type": "static"}),
        ("list all LED billboards", {"display_type": "digital"}),
        ("list locations for Viola", {"company": "Viola"}),
        ("show Backlite's static sites", {"display_type": "static", "company": "Backlite"}),
    ],
)
def test_listing_locations(message: str, args: dict[str, object]) -> None:
    intent = ask(message)
    assert intent.tool == "list_locations"
    assert intent.args == args


@pytest.mark.parametrize(
    "message",
    ["tell me about the gateway", "find location gateway", "gateway", "details for DPD gateway"],
)
def test_finding_one_location(message: str) -> None:
    intent = ask(message)
    assert intent.tool == "find_location"
    assert intent.args == {"query": "dubai_gateway"}


def test_an_unknown_name_is_searched_as_typed() -> None:
    intent = ask("find location burj view")
    assert intent.args == {"query": "burj view"}


def test_an_ambiguous_name_asks_which() -> None:
    intent = ask("tell me about the marina")
    assert intent.missing == ("location",)
    assert (
        intent.reply == "Which location did you mean: Marina Screen North or Marina Screen South?"
    )
    done = answer(intent, "south")
    assert done.missing == ("location",)  # "south" alone names neither
    done = answer(intent, "marina south")
    assert done.args == {"query": "marina_south"}


def test_adding_a_location_with_its_facts() -> None:
    intent = ask(
        "add a new digital location called Dubai Mall Screen, company Viola, size 10m x 5m, "
        "2 faces, spot duration 12 seconds, loop 96 seconds, upload fee 2500, sov 12.5%"
    )
    assert intent.tool == "add_location"
    assert intent.missing == ()
    assert intent.args == {
        "display_name": "Dubai Mall Screen",
        "display_type": "digital",
        "company": "Viola",
        "width_m": "10",
        "height_m": "5",
        "number_of_faces": 2,
        "spot_duration_s": 12,
        "loop_duration_s": 96,
        "upload_fee": "2500",
        "sov_pct": "12.5",
    }


def test_adding_asks_for_the_display_type() -> None:
    intent = ask("add location Marina Tower")
    assert intent.missing == ("display_type",)
    assert intent.reply == "Is it a digital or a static location?"
    done = answer(intent, "static")
    assert done.args == {"display_name": "Marina Tower", "display_type": "static"}
    assert done.missing == ()


def test_adding_asks_for_the_name() -> None:
    intent = ask("add a new static location")
    assert intent.missing == ("display_name",)
    assert answer(intent, "Sheikh Zayed Unipole").args["display_name"] == "Sheikh Zayed Unipole"


@pytest.mark.parametrize(
    ("message", "location", "fields"),
    [
        (
            "update location gateway: upload fee 2500, loop 96 seconds",
            "dubai_gateway",
            {"upload_fee": "2500", "loop_duration_s": 96},
        ),
        ("change the gateway upload fee to 2500", "dubai_gateway", {"upload_fee": "2500"}),
        ("set landmark spot duration to 12s", "landmark", {"spot_duration_s": 12}),
        (
            "rename gateway to The Dubai Gateway Arch",
            "dubai_gateway",
            {"display_name": "The Dubai Gateway Arch"},
        ),
        ("deactivate jawhara", "jawhara", {"is_active": False}),
        ("enable jawhara again", "jawhara", {"is_active": True}),
        ("make uae21 digital", "uae21", {"display_type": "digital"}),
        ("change jawhara size to 7m x 14m", "jawhara", {"width_m": "7", "height_m": "14"}),
        (
            "set the landmark series to The Landmark Series",
            "landmark",
            {"series": "The Landmark Series"},
        ),
        (
            "update landmark: company Digital Media Co, 4 faces, sov 12.5",
            "landmark",
            {"company": "Digital Media Co", "number_of_faces": 4, "sov_pct": "12.5"},
        ),
    ],
)
def test_updating_a_location(message: str, location: str, fields: dict[str, object]) -> None:
    intent = ask(message)
    assert intent.tool == "update_location"
    assert intent.args == {"location": location, "fields": fields}
    assert intent.missing == ()


def test_updating_without_changes_asks_what_to_change() -> None:
    intent = ask("update location gateway")
    assert intent.missing == ("fields",)
    done = answer(intent, "upload fee 3000")
    assert done.args == {"location": "dubai_gateway", "fields": {"upload_fee": "3000"}}


def test_delete_needs_a_confirmation() -> None:
    intent = ask("delete location jawhara")
    assert intent.tool == "delete_location"
    assert intent.args == {"location": "jawhara", "confirm": False}
    assert intent.missing == ("confirm",)
    assert intent.reply == "Deleting Jawhara can't be undone. Reply 'yes' to confirm."
    confirmed = answer(intent, "yes")
    assert confirmed.tool == "delete_location"
    assert confirmed.args == {"location": "jawhara", "confirm": True}
    assert confirmed.missing == ()


@pytest.mark.parametrize("reply", ["confirm", "yes please", "ok, go ahead"])
def test_confirmation_phrasings(reply: str) -> None:
    intent = ask("remove the gateway")
    assert answer(intent, reply).args == {"location": "dubai_gateway", "confirm": True}


@pytest.mark.parametrize("reply", ["no", "cancel", "never mind"])
def test_a_refusal_drops_the_deletion(reply: str) -> None:
    intent = ask("delete location jawhara")
    dropped = answer(intent, reply)
    assert dropped.tool is None
    assert dropped.reply is not None and "dropped" in dropped.reply


def test_something_else_after_a_delete_question_is_not_a_confirmation() -> None:
    intent = ask("delete location jawhara")
    other = answer(intent, "list locations")
    assert other.tool == "list_locations"
