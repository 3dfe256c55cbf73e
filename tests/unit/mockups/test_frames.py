import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesbot.mockups.frames import (
    RANGES,
    Frame,
    FrameSettings,
    InvalidFrameError,
    InvalidSettingError,
    UnknownSettingError,
    clamp_setting,
    order_corners,
    parse_frame,
    parse_settings,
    validate_points,
)

SPEC_TABLE = {
    "brightness": (50, 200, 100),
    "contrast": (50, 200, 100),
    "saturation": (0, 200, 100),
    "image_blur": (0, 20, 0),
    "edge_blur": (1, 21, 1),
    "overlay": (0, 50, 0),
    "depth": (5, 30, 15),
    "shadow": (0, 100, 0),
    "vignette": (0, 100, 0),
    "sharpening": (0, 100, 0),
    "lighting": (-50, 50, 0),
    "temperature": (-50, 50, 0),
    "edge_smoother": (1, 20, 3),
}


def test_ranges_and_defaults_match_the_spec_table():
    assert {k: (r.minimum, r.maximum, r.default) for k, r in RANGES.items()} == SPEC_TABLE
    defaults = FrameSettings().to_dict()
    assert defaults == {k: v[2] for k, v in SPEC_TABLE.items()}
    assert parse_settings({}) == FrameSettings()
    assert parse_settings(None) == FrameSettings()


@pytest.mark.parametrize("name", sorted(SPEC_TABLE))
def test_out_of_range_values_are_clamped(name):
    low, high, _ = SPEC_TABLE[name]
    assert getattr(parse_settings({name: low - 1000}), name) == low
    assert getattr(parse_settings({name: high + 1000}), name) == high
    assert getattr(parse_settings({name: high}), name) == high


@pytest.mark.parametrize(("raw", "expected"), [(4, 5), (20, 21), (0, 1), (2, 3), (7, 7), (99, 21)])
def test_edge_blur_is_forced_odd(raw, expected):
    assert parse_settings({"edge_blur": raw}).edge_blur == expected


def test_fractions_round_half_up_and_numeric_strings_are_accepted():
    assert clamp_setting("lighting", 2.5) == 3
    assert clamp_setting("lighting", -2.5) == -3
    assert clamp_setting("brightness", "120") == 120
    assert clamp_setting("brightness", "1e999999") == 200


def test_unknown_keys_are_rejected_by_name():
    with pytest.raises(UnknownSettingError, match='"glow"'):
        parse_settings({"brightness": 100, "glow": 5})
    assert issubclass(UnknownSettingError, ValueError)


def test_long_unknown_keys_are_not_echoed_whole():
    with pytest.raises(UnknownSettingError) as info:
        parse_settings({"x" * 5000: 1})
    assert len(str(info.value)) < 400


@pytest.mark.parametrize("bad", ["bright", None, True, float("nan"), float("inf"), [1], "nan"])
def test_non_numbers_are_rejected(bad):
    with pytest.raises(InvalidSettingError, match="brightness"):
        parse_settings({"brightness": bad})


def test_settings_built_directly_must_be_in_range():
    with pytest.raises(InvalidSettingError, match="between 50 and 200"):
        FrameSettings(brightness=10)
    with pytest.raises(InvalidSettingError, match="odd"):
        FrameSettings(edge_blur=4)


@given(st.dictionaries(st.sampled_from(sorted(SPEC_TABLE)), st.integers(-(10**9), 10**9)))
def test_any_numbers_parse_into_valid_settings(data):
    settings = parse_settings(data)
    for name, (low, high, _) in SPEC_TABLE.items():
        assert low <= getattr(settings, name) <= high
    assert settings.edge_blur % 2 == 1


def test_corners_are_ordered_by_the_spec_rule():
    quad = order_corners([(90, 95), (10, 12), (8, 88), (95, 5)])
    assert quad == ((10.0, 12.0), (95.0, 5.0), (90.0, 95.0), (8.0, 88.0))


@given(st.permutations([(50.0, 0.0), (100.0, 50.0), (50.0, 100.0), (0.0, 50.0)]))
def test_corner_order_does_not_depend_on_input_order_even_with_ties(points):
    # A diamond ties on x+y and on y−x; the result must still be one clockwise quad.
    assert order_corners(points) == ((50.0, 0.0), (100.0, 50.0), (50.0, 100.0), (0.0, 50.0))


def test_valid_points_come_back_ordered():
    quad = validate_points([[400, 300], [10, 20], [390, 10], [20, 290]], 400, 300)
    assert quad == ((10.0, 20.0), (390.0, 10.0), (400.0, 300.0), (20.0, 290.0))
    assert validate_points(
        [{"x": 1, "y": 1}, {"x": 50, "y": 1}, {"x": 50, "y": 40}, {"x": 1, "y": 40}], 60, 60
    )


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([[0, 0], [10, 0], [10, 10]], "exactly 4"),
        ([[0, 0], [10, 0], [10, 10], [0, math.nan]], "finite"),
        ([[0, 0], [10, 0], [10, 10], [0, math.inf]], "finite"),
        ([[0, 0], [500, 0], [500, 10], [0, 10]], "outside the photo"),
        ([[-1, 0], [50, 0], [50, 50], [0, 50]], "outside the photo"),
        ([[0, 0], [10, 10], [20, 20], [30, 30]], "do not outline"),
        ([[0, 0], [4, 0], [4, 4], [0, 4]], "do not outline"),
        ([[0, 0], ["a", 0], [4, 4], [0, 4]], "numeric"),
        ("0,0,1,1", "list of 4"),
        ([[0, 0, 0], [4, 0], [4, 4], [0, 4]], "pair"),
    ],
)
def test_bad_points_are_rejected_with_clear_messages(points, message):
    with pytest.raises(InvalidFrameError, match=message):
        validate_points(points, 100, 100)


def test_parse_frame_combines_points_and_settings():
    frame = parse_frame(
        {"points": [[10, 10], [90, 12], [88, 70], [12, 72]], "settings": {"overlay": 80}}, 100, 100
    )
    assert isinstance(frame, Frame)
    assert frame.settings.overlay == 50
    assert frame.points[0] == (10.0, 10.0)
    with pytest.raises(InvalidFrameError, match="Unknown frame field"):
        parse_frame({"points": [[0, 0], [9, 0], [9, 9], [0, 9]], "colour": 1}, 100, 100)
    with pytest.raises(UnknownSettingError):
        parse_frame({"points": [[0, 0], [9, 0], [9, 9], [0, 9]], "settings": {"hue": 1}}, 100, 100)
