from collections.abc import Sequence

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from salesbot.mockups.greenscreen import GreenScreenError, detect_green, parse_colour

TRUE_QUAD = [(120.0, 100.0), (610.0, 140.0), (590.0, 470.0), (150.0, 430.0)]


def street_photo(seed: int = 0) -> NDArray[np.uint8]:
    """A smooth, colourful background with no green-screen colours in it."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 160, (30, 40, 3), dtype=np.uint8)
    small[:, :, 1] //= 2  # keep the background well away from pure green
    return np.asarray(cv2.resize(small, (800, 600), interpolation=cv2.INTER_CUBIC), np.uint8)


def draw_quad(
    photo: NDArray[np.uint8],
    quad: Sequence[tuple[float, float]],
    bgr: tuple[int, int, int] = (0, 255, 0),
) -> None:
    # Anti-aliased with sub-pixel corners, like a real screen's soft edge.
    points = np.round(np.array(quad) * 16).astype(np.int32)
    cv2.fillConvexPoly(photo, points, bgr, cv2.LINE_AA, 4)


def close_to(
    found: Sequence[tuple[float, float]],
    expected: Sequence[tuple[float, float]],
    tolerance: float,
) -> bool:
    return all(
        abs(fx - ex) <= tolerance and abs(fy - ey) <= tolerance
        for (fx, fy), (ex, ey) in zip(found, expected, strict=True)
    )


def test_a_skewed_green_quad_is_found_with_accurate_ordered_corners():
    photo = street_photo()
    draw_quad(photo, TRUE_QUAD)
    frames = detect_green(photo)
    assert len(frames) == 1
    assert close_to(frames[0], TRUE_QUAD, 1.5)


def test_text_and_bolts_on_the_screen_do_not_split_it():
    photo = street_photo(1)
    draw_quad(photo, TRUE_QUAD)
    cv2.putText(photo, "SALE", (250, 320), cv2.FONT_HERSHEY_SIMPLEX, 3, (255, 255, 255), 12)
    cv2.circle(photo, (200, 200), 6, (30, 30, 30), -1)
    frames = detect_green(photo, "#00ff00", 100)
    assert len(frames) == 1
    assert close_to(frames[0], TRUE_QUAD, 2.0)


def test_several_screens_come_largest_first_and_small_blobs_are_ignored():
    photo = street_photo(2)
    small = [(650.0, 20.0), (760.0, 30.0), (750.0, 120.0), (660.0, 110.0)]
    draw_quad(photo, small)
    draw_quad(photo, TRUE_QUAD)
    cv2.circle(photo, (40, 560), 5, (0, 255, 0), -1)  # a speck of green, not a screen
    frames = detect_green(photo)
    assert len(frames) == 2
    assert close_to(frames[0], TRUE_QUAD, 2.0)
    assert close_to(frames[1], small, 2.0)


def test_colour_and_tolerance_decide_what_counts_as_screen():
    photo = street_photo(3)
    draw_quad(photo, TRUE_QUAD, (40, 200, 60))  # an off-green screen (BGR)
    assert detect_green(photo, (0, 255, 0), 30) == []
    assert len(detect_green(photo, (0, 255, 0), 100)) == 1
    assert len(detect_green(photo, (60, 200, 40), 10)) == 1  # exact colour, given as RGB


def test_blue_screens_work_too():
    photo = street_photo(4)
    draw_quad(photo, TRUE_QUAD, (255, 0, 0))
    assert detect_green(photo) == []
    frames = detect_green(photo, "#0000ff", 60)
    assert len(frames) == 1 and close_to(frames[0], TRUE_QUAD, 1.5)


def test_a_frame_touching_the_photo_edge_stays_inside_it():
    photo = street_photo(5)
    draw_quad(photo, [(0.0, 0.0), (300.0, 0.0), (300.0, 200.0), (0.0, 200.0)])
    (frame,) = detect_green(photo)
    assert all(0.0 <= x <= 800 and 0.0 <= y <= 600 for x, y in frame)
    assert close_to(frame, [(0, 0), (300, 0), (300, 200), (0, 200)], 1.5)


@pytest.mark.parametrize(
    ("colour", "expected"),
    [
        ("#00ff00", (0, 255, 0)),
        ("0F0", (0, 255, 0)),
        ("#12ab9c", (18, 171, 156)),
        ((1, 2, 3), (1, 2, 3)),
    ],
)
def test_colours_parse_from_hex_or_rgb(colour, expected):
    assert parse_colour(colour) == expected


@pytest.mark.parametrize("bad", ["green", "#12345", (0, 256, 0), (0, 255), (True, 0, 0)])
def test_bad_colours_are_rejected(bad):
    with pytest.raises(GreenScreenError):
        parse_colour(bad)


def test_bad_inputs_are_rejected():
    photo = street_photo()
    with pytest.raises(GreenScreenError, match="tolerance"):
        detect_green(photo, tolerance=-1)
    with pytest.raises(GreenScreenError, match="tolerance"):
        detect_green(photo, tolerance=1000)
    with pytest.raises(GreenScreenError, match="colour photo"):
        detect_green(photo[:, :, 0])
