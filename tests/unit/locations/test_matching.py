import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesbot.locations.matching import (
    AmbiguousLocation,
    LocationRef,
    UnknownLocation,
    match_location,
    normalise,
    require_location,
)

GATEWAY = LocationRef("dubai_gateway", "The Dubai Gateway", ("gateway", "dpd gateway"))
UAE21 = LocationRef("uae21", "UAE 21")
UAE02 = LocationRef("uae02", "UAE 02")
JAWHARA = LocationRef("jawhara", "Al Jawhara Tower", ("jawhara",))
MALL = LocationRef("dubai_mall", "Dubai Mall Screen")
LANDMARK = LocationRef("landmark", "The Landmark", ("gateway",))
REFS = [GATEWAY, UAE21, UAE02, JAWHARA, MALL]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  The Dubai  Gateway ", "dubai gateway"),
        ("THE   landmark", "landmark"),
        ("the", ""),
        ("Theatre Screen", "theatre screen"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    "query", ["dubai_gateway", "DUBAI_GATEWAY", "dubai gateway", "The Dubai Gateway", "gateway"]
)
def test_exact_matches_by_key_name_or_alias(query):
    result = match_location(query, REFS)
    assert result.outcome == "exact"
    assert result.winner == GATEWAY


def test_key_beats_display_name_of_another_location():
    other = LocationRef("x1", "uae21")  # display name equal to another location's key
    result = match_location("uae21", [other, UAE21])
    assert result.winner == UAE21


def test_display_name_beats_alias():
    named = LocationRef("pearl", "Pearl")
    aliased = LocationRef("pearl_tower", "Pearl Tower", ("pearl",))
    assert match_location("the pearl", [aliased, named]).winner == named


def test_same_alias_on_two_locations_is_ambiguous():
    result = match_location("gateway", [GATEWAY, LANDMARK])
    assert result.outcome == "ambiguous"
    assert set(result.candidates) == {GATEWAY, LANDMARK}


@pytest.mark.parametrize(
    ("query", "winner"),
    [("dubai gatway", GATEWAY), ("gatewy", GATEWAY), ("uae-21", UAE21), ("jawhara towr", JAWHARA)],
)
def test_fuzzy_single_winner(query, winner):
    result = match_location(query, REFS)
    assert result.outcome == "fuzzy"
    assert result.winner == winner


def test_close_candidates_are_ambiguous():
    result = match_location("uae2", REFS)
    assert result.outcome == "ambiguous"
    assert set(result.candidates) == {UAE21, UAE02}
    with pytest.raises(AmbiguousLocation) as error:
        require_location("uae2", REFS)
    assert "UAE 21" in str(error.value)
    assert "UAE 02" in str(error.value)


def test_unknown_without_anything_close():
    result = match_location("nike", REFS)
    assert result.outcome == "none"
    assert result.candidates == ()
    with pytest.raises(UnknownLocation) as error:
        require_location("nike", REFS)
    assert str(error.value) == "Unknown location 'nike'."


def test_unknown_lists_suggestions():
    with pytest.raises(UnknownLocation) as error:
        require_location("dubai towers", REFS)
    message = str(error.value)
    assert message.startswith("Unknown location 'dubai towers'. Did you mean: ")
    assert message.endswith("?")
    assert "The Dubai Gateway" in message


def test_unknown_location_message_format():
    error = UnknownLocation("gatewai", ["The Dubai Gateway", "The Landmark"])
    assert (
        str(error) == "Unknown location 'gatewai'. Did you mean: The Dubai Gateway, The Landmark?"
    )


def test_unknown_location_truncates_very_long_names():
    error = UnknownLocation("x" * 5000)
    assert len(str(error)) < 100
    assert "…" in str(error)


@pytest.mark.parametrize("query", ["", "   ", "the", "The  "])
def test_empty_name_never_matches(query):
    assert match_location(query, REFS).outcome == "none"


def test_short_queries_only_match_exactly():
    short = LocationRef("ab", "AB Screen")
    assert match_location("ab", [short]).winner == short
    assert match_location("a", [short]).outcome == "none"


def test_no_refs_means_no_match():
    assert match_location("gateway", []).outcome == "none"


@given(st.text(max_size=80))
def test_matching_never_crashes_and_is_consistent(query):
    result = match_location(query, REFS)
    if result.outcome in ("exact", "fuzzy"):
        assert result.winner in REFS
    else:
        assert result.winner is None
    if not normalise(query):
        assert result.outcome == "none"
