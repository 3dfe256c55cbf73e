"""Billboard mockup compositor (pure: numpy, OpenCV and the standard library only).

Places creatives onto the frames of a billboard photo the way a Photoshop smart-object mockup
does. Memory is the design constraint: an 8K photo must render in a few hundred megabytes, so
nothing is ever allocated at full-photo size except the output copy. Each frame is processed in
square tiles of its bounding box (plus a margin); every tile recomputes what it needs (warp,
mask, effects) over itself plus a small halo, so float32 work arrays stay tile-sized. Tiles far
inside the frame take a fast path with an exact, fully opaque mask; tiles far outside are skipped.

This module renders the tiles; `planning` works out each frame once, `edges` and `lighting`
hold the effects and `raster` the shared image types, checks and blurs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

import cv2
import numpy as np

from salesbot.mockups.edges import (
    bleed_free_background,
    choke_spread,
    contact_gain,
    coverage_mask,
    feather,
)
from salesbot.mockups.frames import FrameSettings, validate_points
from salesbot.mockups.lighting import linear_to_srgb, sample_gain, srgb_to_linear
from salesbot.mockups.planning import SHARPEN_SIGMA, Plan, plan_frame, surroundings
from salesbot.mockups.raster import (
    SNAP,
    CompositeError,
    FloatImage,
    FrameJob,
    Image,
    TimeOfDay,
    as_bgr,
    check_image,
    gaussian,
    point_list,
)

TILE = 256
JPEG_QUALITY = 90
PNG_COMPRESSION = 3


def _creative_tile(plan: Plan, x0: int, y0: int, w: int, h: int) -> FloatImage:
    """Warped, blurred, colour-graded creative over a region, float32 0..255."""
    shift = np.array([[1, 0, -x0], [0, 1, -y0], [0, 0, 1]], dtype=np.float64)
    warped = cv2.warpPerspective(
        plan.creative,
        shift @ plan.warp,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REFLECT,
    )
    tile = np.asarray(warped, dtype=np.float32)
    if plan.image_sigma > 0:
        tile = gaussian(tile, plan.image_sigma)
    if plan.colour is not None:
        tile = np.asarray(cv2.transform(tile, plan.colour), dtype=np.float32)
    if plan.gain is not None:
        tile *= sample_gain(plan.gain, plan.gain_origin, x0, y0, w, h)[..., None]
    if plan.colour is not None or plan.gain is not None:
        np.clip(tile, 0.0, 255.0, out=tile)
    return tile


def _snap(mask: FloatImage) -> FloatImage:
    np.clip(mask, 0.0, 1.0, out=mask)
    mask[mask < SNAP] = 0.0
    mask[mask > 1.0 - SNAP] = 1.0
    return mask


def _blend(background: FloatImage, creative: FloatImage, opacity: FloatImage | float) -> FloatImage:
    """photo·(1 − mask·α) + creative·mask·α, with `opacity` = mask·α."""
    if isinstance(opacity, float):
        if opacity >= 1.0:
            return creative
        mixed = background * np.float32(1.0 - opacity) + creative * np.float32(opacity)
        return np.asarray(mixed, dtype=np.float32)
    a = opacity[..., None]
    return np.asarray(background * (1.0 - a) + creative * a, dtype=np.float32)


def _edge_composite(
    plan: Plan, background: FloatImage, creative: FloatImage, x0: int, y0: int
) -> tuple[FloatImage, FloatImage]:
    """Composite of a region crossed by the frame's outline; returns (composite, mask)."""
    h, w = background.shape[:2]
    coverage = coverage_mask(plan.quad, x0, y0, w, h, plan.settings.edge_smoother)
    e = plan.edge
    if not e.active:
        mask = _snap(coverage)
        if plan.screen is not None:
            # Even a hard edge must not show a rim of the screen's colour.
            background = bleed_free_background(
                background, coverage, mask, e.bleed_sigma, plan.screen
            )
        return _blend(background, creative, mask * np.float32(plan.alpha)), mask

    mask = _snap(feather(choke_spread(coverage, plan.choke), e.ksize))
    creative = creative * contact_gain(coverage, e.contact_strength, e.contact_sigma)[..., None]
    background = bleed_free_background(background, coverage, mask, e.bleed_sigma, plan.screen)
    opacity = mask * np.float32(plan.alpha)
    result = _blend(background, creative, opacity)

    band = 4.0 * mask * (1.0 - mask)
    rows = np.flatnonzero(band.any(axis=1))
    cols = np.flatnonzero(band.any(axis=0))
    if rows.size:
        # Gamma-correct edge: blur the creative's edge and mix it with the photo in linear light,
        # only over the box around the soft band (plus the blur's reach).
        pad = e.ksize // 2
        box = (
            slice(max(0, int(rows[0]) - pad), min(h, int(rows[-1]) + 1 + pad)),
            slice(max(0, int(cols[0]) - pad), min(w, int(cols[-1]) + 1 + pad)),
        )
        weight = band[box][..., None]
        lin_creative = srgb_to_linear(creative[box])
        soft = np.asarray(cv2.GaussianBlur(lin_creative, (e.ksize, e.ksize), 0), np.float32)
        lin_creative += (soft - lin_creative) * weight
        linear = _blend(srgb_to_linear(background[box]), lin_creative, opacity[box])
        result = np.asarray(result, dtype=np.float32)
        result[box] += (linear_to_srgb(linear) - result[box]) * weight
    return np.asarray(result, dtype=np.float32), mask


def _render_tile(
    plan: Plan,
    source: Image,
    origin: tuple[int, int],
    out: Image,
    tile: tuple[int, int, int, int],
    edge_tile: bool,
) -> None:
    """Composite one tile into `out`, reading the photo from `source` (placed at `origin`)."""
    x0, y0, x1, y1 = tile
    height, width = out.shape[:2]
    halo = plan.halo(edge_tile)
    ex0, ey0 = max(0, x0 - halo), max(0, y0 - halo)
    ex1, ey1 = min(width, x1 + halo), min(height, y1 + halo)
    w, h = ex1 - ex0, ey1 - ey0
    creative = _creative_tile(plan, ex0, ey0, w, h)
    ox, oy = origin
    background = source[ey0 - oy : ey1 - oy, ex0 - ox : ex1 - ox].astype(np.float32)
    mask: FloatImage | float
    if edge_tile:
        result, mask = _edge_composite(plan, background, creative, ex0, ey0)
    else:
        mask = 1.0
        result = _blend(background, creative, plan.alpha)
    if plan.settings.sharpening > 0:
        # Unsharp mask on the placed creative only: the photo around it is not re-sharpened.
        amount = np.float32(plan.settings.sharpening / 100.0)
        detail = result - gaussian(result, SHARPEN_SIGMA)
        weight = amount * (mask[..., None] if isinstance(mask, np.ndarray) else np.float32(mask))
        result = result + detail * weight
    crop = result[y0 - ey0 : y1 - ey0, x0 - ex0 : x1 - ex0]
    out[y0:y1, x0:x1] = np.rint(np.clip(crop, 0.0, 255.0)).astype(np.uint8)


def _tile_kind(plan: Plan, tile: tuple[int, int, int, int]) -> str:
    """'inside' (mask exactly 1 in tile and halo), 'outside' (nothing changes) or 'edge'."""
    x0, y0, x1, y1 = tile
    centre = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)
    distance = cv2.pointPolygonTest(plan.contour, centre, True)
    half_diagonal = math.hypot(x1 - x0, y1 - y0) / 2.0
    reach = plan.edge.reach + abs(plan.choke)
    halo = plan.halo(False)
    if distance >= half_diagonal + math.sqrt(2.0) * halo + reach:
        return "inside"
    if -distance >= half_diagonal + reach:
        return "outside"
    return "edge"


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _source(
    plan: Plan, photo: Image, out: Image, painted: Sequence[tuple[int, int, int, int]]
) -> tuple[Image, tuple[int, int]]:
    """What the frame's tiles read (and where it sits): an unmodified source, i.e. the photo
    itself when no earlier frame painted this area, else a snapshot of the frame's region."""
    if out is not photo and not any(_overlaps(plan.roi, roi) for roi in painted):
        return photo, (0, 0)
    height, width = out.shape[:2]
    x0, y0, x1, y1 = plan.roi
    halo = plan.halo(True)
    sx0, sy0 = max(0, x0 - halo), max(0, y0 - halo)
    sx1, sy1 = min(width, x1 + halo), min(height, y1 + halo)
    return out[sy0:sy1, sx0:sx1].copy(), (sx0, sy0)


def _tiles(plan: Plan) -> list[tuple[tuple[int, int, int, int], bool]]:
    """The frame's tiles that change anything, each with whether it crosses the outline."""
    x0, y0, x1, y1 = plan.roi
    work = []
    for ty in range(y0, y1, TILE):
        for tx in range(x0, x1, TILE):
            tile = (tx, ty, min(tx + TILE, x1), min(ty + TILE, y1))
            kind = _tile_kind(plan, tile)
            if kind != "outside":
                work.append((tile, kind == "edge"))
    return work


def composite(
    photo: Image,
    frames: Sequence[FrameJob],
    time_of_day: TimeOfDay,
    *,
    workers: int = 2,
    in_place: bool = False,
) -> Image:
    """The photo with every frame's creative placed on it (a BGR uint8 image).

    `frames` holds (four corner points, FrameSettings, BGR creative) per frame; corners may come
    in any order. Tiles of a frame render on `workers` threads (OpenCV and numpy release the GIL
    while they work). By default the input photo is left untouched and a new image returned;
    with `in_place` the photo itself is painted and returned, so no second full-size image is
    ever held: each frame's tiles then read from a copy of just that frame's region.
    """
    if time_of_day not in ("day", "night"):
        raise CompositeError('Time of day must be "day" or "night".')
    photo = as_bgr(photo, "photo", flatten_alpha=False)
    if not frames:
        raise CompositeError("The photo has no frames to place a creative on.")
    height, width = photo.shape[:2]
    for index, (points, settings, creative) in enumerate(frames):
        # Fail on any bad frame before spending time on the others.
        if not isinstance(settings, FrameSettings):
            raise CompositeError(f"Frame {index + 1} has no valid settings.")
        validate_points(point_list(points), width, height)
        check_image(creative, f"creative for frame {index + 1}")
    writable = in_place and photo.flags.writeable and photo.flags.c_contiguous
    out = photo if writable else photo.copy()
    painted: list[tuple[int, int, int, int]] = []
    # Each frame's surroundings come from the unpainted photo, also when painting in place.
    around = [surroundings(photo, job) for job in frames]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for index, job in enumerate(frames):
            # One plan at a time, so only one prepared creative is ever held.
            plan = plan_frame(photo, job, time_of_day, index, around[index])
            source, origin = _source(plan, photo, out, painted)
            work = _tiles(plan)
            # Tiles write disjoint parts of `out`; list() re-raises any worker's exception.
            list(
                pool.map(
                    lambda item, plan=plan, source=source, origin=origin: _render_tile(
                        plan, source, origin, out, item[0], item[1]
                    ),
                    work,
                )
            )
            painted.append(plan.roi)
            del plan, source
    return out


def encode(image: Image, fmt: Literal["jpeg", "png"] = "jpeg") -> bytes:
    """JPEG (quality 90) or PNG bytes of a BGR image."""
    if fmt == "jpeg":
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    elif fmt == "png":
        ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, PNG_COMPRESSION])
    else:
        raise CompositeError('Mockups can be saved as "jpeg" or "png".')
    if not ok:
        raise CompositeError("The mockup image could not be encoded.")
    return bytes(data.tobytes())
