import io

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from salesbot.mockups.poster import (
    COLOURS,
    GRID,
    PosterError,
    choose_palette,
    creative_prompt,
    headline_and_subline,
    orientation,
    render_poster,
    render_poster_png,
)


def bgr(rgb: tuple[int, int, int]) -> NDArray[np.int_]:
    return np.array(rgb[::-1], dtype=int)


def test_poster_has_the_requested_size_and_is_bgr_uint8():
    image = render_poster("Grand opening this Friday", 600, 900)
    assert image.shape == (900, 600, 3) and image.dtype == np.uint8


def test_on_black_with_gold_accents_gives_a_black_poster_with_gold():
    description = "Luxury watch launch on black with gold accents"
    palette = choose_palette(description)
    assert palette.background == COLOURS["black"]
    assert palette.accent == COLOURS["gold"]
    image = render_poster(description, 800, 1200).astype(int)
    assert np.abs(image[2, 2] - bgr(COLOURS["black"])).max() <= 2
    gold = np.abs(image - bgr(COLOURS["gold"])).max(axis=2) <= 2
    assert gold.sum() > 500
    light = image.mean(axis=2) > 200
    assert light.sum() > 2000  # light text on the dark background


def test_on_white_gives_dark_text():
    image = render_poster("Fresh bakery on white", 800, 600).astype(int)
    assert image[3, 3].min() >= 230
    assert (image.mean(axis=2) < 60).sum() > 2000


def test_the_same_description_always_gives_the_same_poster():
    first = render_poster_png("Summer sale, up to 70% off", 400, 300)
    second = render_poster_png("Summer sale, up to 70% off", 400, 300)
    assert first == second
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(first)).size == (400, 300)
    assert render_poster_png("Winter sale, up to 50% off", 400, 300) != first


def test_margins_sit_on_the_8_px_grid_and_stay_clear_of_ink():
    image = render_poster("A very long headline that has to wrap over several lines", 640, 960)
    margin = int(min(640, 960) * 0.08) // GRID * GRID
    assert margin % GRID == 0
    # The background is a vertical gradient, so every row of every margin is one colour.
    for band in (
        image[:, : margin - 1],
        image[:, 640 - margin + 1 :],
        image[: margin - 1],
        image[960 - margin + 1 :],
    ):
        assert (np.ptp(band, axis=1) == 0).all()
    assert (np.ptp(image[margin + 8 : -margin - 8, margin : 640 - margin], axis=1) > 0).any()


def test_headline_fills_the_width_and_is_wrapped_for_portrait():
    portrait = render_poster("Big summer festival at the waterfront", 600, 1000)
    inked = np.ptp(portrait.astype(int), axis=0).max(axis=1) > 40
    columns = np.nonzero(inked)[0]
    assert columns.max() - columns.min() > 600 * 0.6


def test_headline_comes_from_quotes_or_a_cleaned_description():
    assert headline_and_subline("Poster on black, 'Time, Perfected' \"From AED 9,900\"") == (
        "Time, Perfected",
        "From AED 9,900",
    )
    assert headline_and_subline("a poster for nike running shoes on black with gold accents") == (
        "Nike running shoes",
        None,
    )
    long_headline, _ = headline_and_subline(" ".join(["word"] * 40))
    assert long_headline.endswith("…") and len(long_headline.split()) <= 15


def test_orientation_rule():
    assert orientation(100, 200) == "portrait"
    assert orientation(200, 100) == "landscape"
    assert orientation(100, 100) == "landscape"


def test_creative_prompt_asks_for_a_flat_edge_to_edge_print_of_the_right_shape():
    prompt = creative_prompt("  Coffee   brand,\nwarm tones ", "portrait")
    assert "flat, edge-to-edge print creative" in prompt
    assert "portrait" in prompt and "taller than wide" in prompt
    assert "Coffee brand, warm tones" in prompt
    assert "Do not show a mockup, billboard, frame" in prompt
    assert "landscape" in creative_prompt("Coffee", "landscape")
    assert len(creative_prompt("x" * 50_000, "landscape")) < 1500


@pytest.mark.parametrize(("width", "height"), [(10, 500), (500, 20_000), (9000, 9000), (True, 100)])
def test_impossible_sizes_are_rejected(width, height):
    with pytest.raises(PosterError, match="px"):
        render_poster("Sale", width, height)


def test_empty_descriptions_are_rejected():
    with pytest.raises(PosterError, match="Describe"):
        render_poster("   ", 400, 400)
    with pytest.raises(PosterError, match="Describe"):
        creative_prompt("", "portrait")
