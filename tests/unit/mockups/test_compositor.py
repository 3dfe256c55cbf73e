import itertools
import tracemalloc
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from salesbot.mockups.compositor import composite, encode
from salesbot.mockups.edges import (
    bleed_free_background,
    choke_spread,
    contact_gain,
    coverage_mask,
    edge_params,
    feather,
)
from salesbot.mockups.frames import (
    FrameSettings,
    InvalidFrameError,
    is_convex,
    parse_settings,
)
from salesbot.mockups.lighting import linear_to_srgb, srgb_to_linear
from salesbot.mockups.planning import frame_margin
from salesbot.mockups.raster import CompositeError, TimeOfDay, order_points

GREEN = (0, 255, 0)
RED = (0, 0, 255)
H, W = 240, 320
QUAD = [(60.0, 40.0), (260.0, 55.0), (250.0, 200.0), (70.0, 190.0)]


def solid(height: int, width: int, bgr: tuple[int, int, int]) -> NDArray[np.uint8]:
    image = np.zeros((height, width, 3), np.uint8)
    image[:] = bgr
    return image


def upscale(image: NDArray[np.uint8], width: int, height: int) -> NDArray[np.uint8]:
    return np.asarray(cv2.resize(image, (width, height)), dtype=np.uint8)


def signed_distance(
    quad: list[tuple[float, float]], height: int = H, width: int = W
) -> NDArray[np.float64]:
    """Per-pixel distance to the quad's outline: positive inside, negative outside."""
    contour = np.array(quad, np.float32).reshape(-1, 1, 2)
    ys, xs = np.mgrid[0:height, 0:width]
    out = np.empty((height, width), np.float64)
    for y, x in zip(ys.ravel(), xs.ravel(), strict=True):
        out[y, x] = cv2.pointPolygonTest(contour, (x + 0.5, y + 0.5), True)
    return out


DIST = signed_distance(QUAD)


def run(
    photo: NDArray[np.uint8],
    creative: NDArray[np.uint8],
    time_of_day: TimeOfDay = "day",
    quad: Sequence[Sequence[float]] = QUAD,
    **settings: int,
) -> NDArray[np.uint8]:
    return composite(photo, [(quad, parse_settings(settings), creative)], time_of_day)


def test_red_creative_lands_inside_and_nothing_changes_outside_bbox_plus_margin():
    photo = solid(H, W, GREEN)
    before = photo.copy()
    out = run(photo, solid(90, 160, RED))
    assert np.array_equal(photo, before)  # the input is never modified
    inside = DIST > 1.0
    assert (out[inside] == RED).all()
    margin = frame_margin(FrameSettings())
    xs, ys = [p[0] for p in QUAD], [p[1] for p in QUAD]
    keep = np.ones((H, W), bool)
    keep[
        int(min(ys)) - margin : int(max(ys)) + margin + 1,
        int(min(xs)) - margin : int(max(xs)) + margin + 1,
    ] = False
    assert np.array_equal(out[keep], before[keep])
    # Inside the box but away from the outline the photo is untouched too.
    assert (out[DIST < -2.0] == GREEN).all()
    # Anti-aliased outline: some pixels are a mix of both colours.
    edge = out[np.abs(DIST) < 0.5]
    mixed = (edge[:, 1] > 0) & (edge[:, 2] > 0)
    assert mixed.any()


def test_overlay_50_blends_with_alpha_three_quarters():
    out = run(solid(H, W, GREEN), solid(50, 50, (200, 200, 200)), overlay=50)
    # photo·(1 − 0.75) + 200·0.75 per channel: B 150, G 63.75 + 150 = 213.75 → 214, R 150.
    assert (out[DIST > 2.0] == (150, 214, 150)).all()


def test_default_settings_keep_the_creatives_colours():
    colours = [(10, 20, 30), (200, 40, 90), (30, 220, 140), (250, 250, 250)]
    creative = np.zeros((100, 100, 3), np.uint8)
    for i, colour in enumerate(colours):
        y, x = divmod(i, 2)
        creative[y * 50 : (y + 1) * 50, x * 50 : (x + 1) * 50] = colour
    out = run(solid(H, W, (90, 90, 90)), creative)
    src = np.array([[0, 0], [100, 0], [100, 100], [0, 100]], np.float32)
    homography = cv2.getPerspectiveTransform(src, np.array(QUAD, np.float32))
    for i, colour in enumerate(colours):
        y, x = divmod(i, 2)
        for dy, dx in itertools.product((15, 25, 35), repeat=2):
            point = np.array([[[x * 50 + dx, y * 50 + dy]]], np.float32)
            px, py = cv2.perspectiveTransform(point, homography)[0, 0]
            assert tuple(out[int(py), int(px)]) == colour


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_corner_order_does_not_matter(order):
    creative = np.random.default_rng(3).integers(0, 255, (40, 60, 3), dtype=np.uint8)
    photo = solid(H, W, GREEN)
    reference = run(photo, creative, edge_blur=5)
    shuffled = [QUAD[i] for i in order]
    assert np.array_equal(run(photo, creative, quad=shuffled, edge_blur=5), reference)


def test_order_points_follows_the_rule():
    ordered = order_points(np.array([[250, 200], [60, 40], [70, 190], [260, 55]]))
    assert ordered.dtype == np.float32
    assert ordered.tolist() == [[60, 40], [260, 55], [250, 200], [70, 190]]


def test_night_depth_darkens_the_bottom_more_than_the_top():
    photo = solid(H, W, (40, 40, 40))
    creative = solid(60, 60, (200, 200, 200))
    night = run(photo, creative, "night", depth=30)
    top = night[50:56, 120:200].mean()
    bottom = night[180:186, 120:200].mean()
    assert bottom < top - 30
    assert bottom >= 200 * (1 - 0.35) - 2  # never more than 35 % darker
    # Below 15 the light comes from below instead.
    low = run(photo, creative, "night", depth=5)
    assert low[50:56, 120:200].mean() < low[180:186, 120:200].mean()
    # Depth 15 is off, and a day photo is not darkened.
    plain = run(photo, creative, "night")
    assert np.array_equal(plain, run(photo, creative, "night", depth=15))
    day = run(photo, creative, "day", depth=30)
    assert abs(day[50:56, 120:200].mean() - day[180:186, 120:200].mean()) < 1


def test_day_depth_hazes_saturation_and_contrast():
    creative = np.zeros((60, 60, 3), np.uint8)
    creative[:, :30] = (0, 0, 220)
    creative[:, 30:] = (30, 30, 30)
    photo = solid(H, W, (180, 180, 180))
    plain = run(photo, creative).astype(int)
    hazy = run(photo, creative, depth=30).astype(int)
    red_plain, red_hazy = plain[120, 100], hazy[120, 100]
    assert red_hazy[2] - red_hazy[0] < red_plain[2] - red_plain[0]  # less saturated
    dark_plain, dark_hazy = plain[120, 220], hazy[120, 220]
    assert dark_hazy.mean() > dark_plain.mean()  # blacks lifted towards the surroundings


def test_colour_settings():
    photo = solid(H, W, GREEN)
    grey = solid(40, 40, (100, 100, 100))
    assert (run(photo, grey, brightness=150)[DIST > 2] == 150).all()
    contrast = run(photo, solid(40, 40, (200, 200, 200)), contrast=200)
    assert (contrast[DIST > 2] == 255).all()  # (200 − 127.5)·2 + 127.5, clipped
    colourful = solid(40, 40, (30, 60, 200))
    flat = run(photo, colourful, saturation=0)[DIST > 2].astype(int)
    assert (np.ptp(flat, axis=1) <= 1).all()
    warm = run(photo, grey, temperature=50)[120, 160].astype(int)
    cool = run(photo, grey, temperature=-50)[120, 160].astype(int)
    assert warm[2] > warm[0] and cool[0] > cool[2]
    bright = run(photo, grey, lighting=50)[120, 160].astype(int)
    dark = run(photo, grey, lighting=-50)[120, 160].astype(int)
    assert bright[0] > 100 > dark[0]


def test_vignette_and_shadow_darken_where_they_should():
    photo = solid(H, W, (40, 40, 40))
    creative = solid(60, 60, (220, 220, 220))
    vignette = run(photo, creative, vignette=100).astype(int)
    assert vignette[120, 160].mean() > vignette[48, 72].mean() + 40
    shadow = run(photo, creative, shadow=100).astype(int)
    assert shadow[50, 160].mean() < shadow[120, 160].mean() - 40  # under the top rim
    assert shadow[120, 160].mean() >= 215


def test_image_blur_softens_the_creative():
    creative = np.zeros((60, 60, 3), np.uint8)
    creative[:, ::2] = 255
    sharp = run(solid(H, W, GREEN), creative).astype(int)
    blurred = run(solid(H, W, GREEN), creative, image_blur=10).astype(int)
    assert blurred[80:160, 100:220].std() < sharp[80:160, 100:220].std() / 4


def test_sharpening_changes_the_creative_and_not_the_photo():
    rng = np.random.default_rng(5)
    creative = upscale(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8), 160, 120)
    photo = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    plain = run(photo, creative)
    sharp = run(photo, creative, sharpening=100)
    assert not np.array_equal(plain[DIST > 3], sharp[DIST > 3])
    assert np.array_equal(plain[DIST < -2], sharp[DIST < -2])


@pytest.mark.parametrize("edge_blur", [3, 9, 21])
def test_edge_effects_change_only_pixels_near_the_outline(edge_blur):
    rng = np.random.default_rng(7)
    photo = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    creative = upscale(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8), 80, 60)
    hard = run(photo, creative).astype(int)
    soft = run(photo, creative, edge_blur=edge_blur).astype(int)
    # Tiles are laid out differently for different settings, so the warp may round a far
    # pixel the other way (1 level); anything more is a real change.
    difference = np.abs(hard - soft).max(axis=2)
    assert difference.max() > 1
    changed = difference > 1
    reach = edge_params(edge_blur).reach + edge_params(edge_blur).choke
    assert np.abs(DIST[changed]).max() <= reach + 1
    # Bigger edge blur, wider band of changed pixels.
    if edge_blur > 3:
        assert np.abs(DIST[changed]).max() > 3


def test_choke_and_spread_move_the_edge():
    mask = np.zeros((40, 40), np.float32)
    mask[10:30, 10:30] = 1.0
    choked = choke_spread(mask, 2)
    spread = choke_spread(mask, -2)
    assert choked[20, 20] == 1.0 and choked[11, 20] == 0.0 and choked[12, 20] == 1.0
    assert spread[8, 20] == 1.0 and spread[7, 20] == 0.0
    assert np.array_equal(choke_spread(mask, 0), mask)
    # Far from the edge nothing changes.
    assert np.array_equal(choked[16:24, 16:24], mask[16:24, 16:24])
    assert np.array_equal(spread[:5], mask[:5])


def test_feather_softens_only_the_edge():
    mask = np.zeros((40, 40), np.float32)
    mask[10:30, 10:30] = 1.0
    soft = feather(mask, 5)
    assert 0.0 < soft[10, 20] < 1.0 and 0.0 < soft[9, 20] < 1.0
    assert soft[20, 20] == pytest.approx(1.0, abs=1e-6)
    assert soft[2, 2] == 0.0
    assert np.array_equal(feather(mask, 1), mask)


def test_contact_shadow_darkens_just_inside_the_outline():
    coverage = np.zeros((40, 40), np.float32)
    coverage[10:30, 10:30] = 1.0
    gain = contact_gain(coverage, 0.2, 1.5)
    assert gain[10, 20] < 0.9  # on the inner edge
    assert gain[20, 20] == 1.0  # deep inside
    assert (gain[:9] == 1.0).all()  # outside
    assert (contact_gain(coverage, 0.0, 1.5) == 1.0).all()


def test_bleed_prevention_replaces_the_screen_under_a_soft_edge():
    background = np.zeros((40, 40, 3), np.float32)
    background[:] = (90, 90, 90)
    background[10:30, 10:30] = GREEN
    coverage = np.zeros((40, 40), np.float32)
    coverage[10:30, 10:30] = 1.0
    mask = feather(choke_spread(coverage, 1), 5)
    fixed = bleed_free_background(background, coverage, mask, 3.0, None)
    assert abs(fixed[10, 20] - 90).max() < 1  # edge of the frame: surroundings, not green
    assert np.array_equal(fixed[20, 20], background[20, 20])  # fully covered: untouched
    assert np.array_equal(fixed[:8], background[:8])  # outside: untouched
    # With the screen colour known, a green rim just outside the outline is removed too.
    rim = background.copy()
    rim[9, 10:30] = GREEN
    cleaned = bleed_free_background(rim, coverage, mask, 3.0, (0.0, 255.0, 0.0))
    assert abs(cleaned[9, 20] - 90).max() < 1
    assert np.array_equal(cleaned[:4], rim[:4])


def test_green_rim_around_the_frame_is_suppressed_in_a_composite():
    photo = solid(H, W, (90, 90, 90))
    bigger = np.array([(59, 39), (261, 54), (251, 201), (69, 191)], np.int32)
    cv2.fillConvexPoly(photo, bigger, GREEN)
    out = run(photo, solid(60, 60, (200, 200, 200)), edge_blur=5).astype(int)
    greenness = out[:, :, 1] - np.maximum(out[:, :, 0], out[:, :, 2])
    assert greenness.max() < 40


def test_gamma_correct_conversions():
    values = np.arange(256, dtype=np.float32).reshape(16, 16)
    assert np.allclose(linear_to_srgb(srgb_to_linear(values)), values, atol=0.01)
    # Half the light of white is sRGB ≈ 188, not 128.
    half = linear_to_srgb(np.full((1, 1), 0.5, np.float32))
    assert half[0, 0] == pytest.approx(187.5, abs=0.5)


def test_soft_edge_of_a_white_creative_on_black_is_not_darkened():
    photo = solid(H, W, (0, 0, 0))
    out = run(photo, solid(40, 40, (255, 255, 255)), edge_blur=9)
    band = out[(np.abs(DIST) < 4)][:, 0].astype(int)
    # Blending in linear light keeps the transition bright: its midpoint sits well above 128.
    assert np.median(band[(band > 5) & (band < 250)]) > 140


def test_coverage_mask_of_an_axis_aligned_rectangle_is_exact():
    quad = np.array([[3.0, 2.0], [9.0, 2.0], [9.0, 7.0], [3.0, 7.0]])
    for factor in (1, 3, 20):
        mask = coverage_mask(quad, 0, 0, 12, 10, factor)
        expected = np.zeros((10, 12), np.float32)
        expected[2:7, 3:9] = 1.0
        assert np.array_equal(mask, expected)
    half = coverage_mask(quad + np.array([0.5, 0.0]), 0, 0, 12, 10, 4)
    assert half[4, 3] == pytest.approx(0.5) and half[4, 9] == pytest.approx(0.5)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 30), min_size=8, max_size=8),
    st.integers(1, 20),
    st.integers(0, 20),
    st.integers(0, 20),
)
def test_coverage_mask_sums_to_the_quad_area(jitter, factor, x0, y0):
    quad = np.array(
        [
            [10 + jitter[0], 10 + jitter[1]],
            [90 - jitter[2], 10 + jitter[3]],
            [90 - jitter[4], 70 - jitter[5]],
            [10 + jitter[6], 70 - jitter[7]],
        ]
    )
    # Frames are validated convex before they reach the compositor.
    assume(is_convex([(float(x), float(y)) for x, y in quad]))
    mask = coverage_mask(quad, 0, 0, 100, 80, factor)
    assert mask.min() >= 0.0 and mask.max() <= 1.0
    x, y = quad[:, 0], quad[:, 1]
    area = 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))
    perimeter = np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1).sum()
    assert abs(mask.sum() - area) <= perimeter / factor + 1.0
    # A sub-region of the mask is the same sub-region computed on its own.
    part = coverage_mask(quad, x0, y0, 40, 30, factor)
    assert np.allclose(part, mask[y0 : y0 + 30, x0 : x0 + 40])


def test_several_frames_take_their_creatives_in_order_and_overlaps_stack():
    photo = solid(H, W, GREEN)
    left = [(10, 10), (100, 10), (100, 100), (10, 100)]
    right = [(200, 10), (300, 10), (300, 100), (200, 100)]
    over = [(80, 50), (220, 50), (220, 150), (80, 150)]
    jobs = [
        (left, FrameSettings(), solid(10, 10, RED)),
        (right, FrameSettings(), solid(10, 10, (255, 0, 0))),
        (over, FrameSettings(), solid(10, 10, (0, 255, 255))),
    ]
    out = composite(photo, jobs, "day")
    assert tuple(out[20, 20]) == RED
    assert tuple(out[20, 250]) == (255, 0, 0)
    assert tuple(out[90, 90]) == (0, 255, 255)  # the later frame is on top
    assert tuple(out[200, 20]) == GREEN


def test_transparent_creatives_print_white_and_grey_ones_are_accepted():
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[:, :10] = (0, 0, 255, 255)
    out = run(solid(H, W, GREEN), rgba)
    assert tuple(out[120, 100]) == RED
    assert tuple(out[120, 220]) == (255, 255, 255)
    grey = np.full((20, 20), 77, np.uint8)
    assert tuple(run(solid(H, W, GREEN), grey)[120, 160]) == (77, 77, 77)


def test_bad_inputs_raise_clear_errors():
    photo = solid(H, W, GREEN)
    creative = solid(10, 10, RED)
    dusk: Any = "dusk"
    with pytest.raises(CompositeError, match="day"):
        run(photo, creative, dusk)
    with pytest.raises(CompositeError, match="no frames"):
        composite(photo, [], "day")
    with pytest.raises(CompositeError, match="8-bit"):
        run(photo.astype(np.float32), creative)
    with pytest.raises(CompositeError, match="creative for frame 1"):
        run(photo, creative.astype(np.uint16))
    with pytest.raises(InvalidFrameError, match="outside the photo"):
        run(photo, creative, quad=[(0, 0), (400, 0), (400, 100), (0, 100)])
    bad: Any = {"brightness": 100}
    with pytest.raises(CompositeError, match="settings"):
        composite(photo, [(QUAD, bad, creative)], "day")


def test_no_full_size_float_or_super_sampled_arrays_are_allocated():
    height, width = 2400, 3600
    photo = solid(height, width, GREEN)
    quad = [(100, 80), (3500, 120), (3400, 2300), (150, 2350)]
    creative = solid(300, 400, RED)
    heavy = parse_settings({"edge_blur": 9, "edge_smoother": 20, "vignette": 50, "image_blur": 4})
    tracemalloc.start()
    try:
        out = composite(photo, [(quad, heavy, creative)], "night")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert tuple(out[1200, 1800]) != GREEN
    # The output copy is photo.nbytes; a full-size float32 copy alone would be 4× that and a
    # 20× super-sampled mask 400×: only tile-sized work arrays may come on top.
    assert peak < photo.nbytes + 48_000_000


def test_encode_jpeg_and_png():
    image = np.random.default_rng(1).integers(0, 255, (32, 48, 3), dtype=np.uint8)
    jpeg = encode(image)
    assert jpeg[:2] == b"\xff\xd8"
    png = encode(image, "png")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    decoded = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert decoded is not None
    assert np.array_equal(np.asarray(decoded), image)
    with pytest.raises(CompositeError):
        encode(image, "gif")  # type: ignore[arg-type]


def test_a_frame_covering_the_whole_photo_fills_it():
    full = [(0.0, 0.0), (float(W), 0.0), (float(W), float(H)), (0.0, float(H))]
    out = run(solid(H, W, GREEN), solid(30, 40, RED), quad=full, edge_blur=7)
    assert (out[10:-10, 10:-10] == RED).all()


def test_worker_count_does_not_change_the_result():
    rng = np.random.default_rng(11)
    photo = rng.integers(0, 255, (H, W, 3), dtype=np.uint8)
    creative = rng.integers(0, 255, (50, 70, 3), dtype=np.uint8)
    jobs = [(QUAD, parse_settings({"edge_blur": 7, "vignette": 40, "sharpening": 30}), creative)]
    single = composite(photo, jobs, "night", workers=1)
    assert np.array_equal(single, composite(photo, jobs, "night", workers=4))


def _textured(height: int, width: int, seed: int) -> NDArray[np.uint8]:
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 255, (height // 8, width // 8, 3), dtype=np.uint8)
    return upscale(small, width, height)


def test_painting_in_place_matches_the_copying_reference():
    photo = _textured(H, W, 3)
    apart = [
        ([(10, 10), (100, 14), (98, 100), (12, 96)], {"edge_blur": 7, "sharpening": 30}),
        ([(200, 12), (300, 10), (302, 110), (204, 104)], {"vignette": 40, "shadow": 30}),
    ]
    jobs = [
        (quad, parse_settings(look), _textured(40, 60, index))
        for index, (quad, look) in enumerate(apart)
    ]
    reference = composite(photo, jobs, "night")
    painted = photo.copy()
    result = composite(painted, jobs, "night", in_place=True)
    assert result is painted  # no second full-size image
    assert not np.array_equal(photo, reference)
    assert np.array_equal(result, reference)


def test_painting_in_place_stays_within_a_level_of_the_reference_when_frames_touch():
    photo = _textured(H, W, 4)
    touching = [
        [(10, 20), (150, 20), (150, 200), (10, 200)],
        [(150, 20), (300, 30), (300, 190), (150, 200)],  # shares the first frame's edge
        [(120, 60), (200, 60), (200, 150), (120, 150)],  # overlaps both
    ]
    look = parse_settings({"edge_blur": 9, "depth": 25, "vignette": 30, "sharpening": 40})
    jobs = [(quad, look, _textured(50, 70, 10 + i)) for i, quad in enumerate(touching)]
    reference = composite(photo, jobs, "night")
    result = composite(photo.copy(), jobs, "night", in_place=True)
    difference = np.abs(result.astype(np.int16) - reference.astype(np.int16))
    # Only the soft seam where a later frame's halo reads the earlier frame's paint may differ.
    assert float(difference.mean()) < 0.5
    assert np.count_nonzero(difference > 2) < 0.01 * difference.size


def _traced_peak(photo: NDArray[np.uint8], jobs: Any, in_place: bool) -> int:
    tracemalloc.start()
    try:
        # One worker: with two, how many tiles are in flight at the peak varies from run to run.
        composite(photo, jobs, "night", in_place=in_place, workers=1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return int(peak)


def test_painting_in_place_holds_no_second_full_size_image():
    height, width = 2400, 3600
    photo = solid(height, width, GREEN)
    quad = [(1800, 1200), (3400, 1250), (3350, 2300), (1850, 2250)]
    jobs = [(quad, parse_settings({"edge_blur": 9, "vignette": 50}), solid(300, 400, RED))]
    copying = _traced_peak(photo, jobs, in_place=False)
    assert tuple(photo[1700, 2600]) == GREEN  # the reference leaves its input alone
    in_place = _traced_peak(photo, jobs, in_place=True)
    assert tuple(photo[1700, 2600]) == RED
    # Only the frame's region (about a fifth of the photo) is copied, never the whole photo.
    assert in_place <= copying - 0.6 * photo.nbytes
