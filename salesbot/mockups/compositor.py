"""Billboard mockup compositor (pure: numpy, OpenCV and the standard library only).

Places creatives onto the frames of a billboard photo the way a Photoshop smart-object mockup
does. Memory is the design constraint: an 8K photo must render in a few hundred megabytes, so
nothing is ever allocated at full-photo size except the output copy. Each frame is processed in
square tiles of its bounding box (plus a margin); every tile recomputes what it needs (warp,
mask, effects) over itself plus a small halo, so float32 work arrays stay tile-sized. Tiles far
inside the frame take a fast path with an exact, fully opaque mask; tiles far outside are skipped.

Coordinates: frame corners are continuous photo coordinates where pixel (i, j) covers
[i, i+1) × [j, j+1). OpenCV samples at integer pixel centres, so the warp shifts by half a pixel.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.frames import DEPTH_OFF, FrameSettings, order_corners, validate_points

Image = NDArray[np.uint8]
FloatImage = NDArray[np.float32]
TimeOfDay = Literal["day", "night"]
PointsLike = Sequence[Sequence[float]] | NDArray[np.floating]
FrameJob = tuple[PointsLike, FrameSettings, Image]

TILE = 256
# The prepared (2× upscaled) creative is capped: beyond the frame's own resolution extra pixels
# buy no sharpness, only memory.
PREPARED_MAX_PIXELS = 16_000_000
JPEG_QUALITY = 90
PNG_COMPRESSION = 3

NIGHT_DEPTH_MAX_DARKENING = 0.35
_LUMA_BGR = np.array([0.114, 0.587, 0.299], dtype=np.float64)
_MID_GREY = 127.5
_SNAP = 1e-4
_SHARPEN_SIGMA = 1.0
GAIN_STEP = 8
# Colour distance (0..255 BGR) within which a pixel counts as carrying the screen's colour.
SPILL_RANGE = 150.0
# A frame area whose colour varies less than this (mean channel std) is a uniform screen.
UNIFORM_SCREEN_STD = 30.0
# A screen whose strongest channel beats the others by this much is a chroma key (green, blue).
KEY_DOMINANCE = 60.0


class CompositeError(ValueError):
    """Inputs the compositor cannot turn into a mockup."""


@dataclass(frozen=True, slots=True)
class EdgeParams:
    """Edge effects derived from the edge blur setting.

    radius e = (edge_blur − 1) / 2 grows every effect: the mask is choked (or spread) by about
    e/3 px and feathered with an edge_blur-sized Gaussian; the creative's edge is blurred in
    linear light and blended there (gamma-correct); a contact shadow darkens the creative where
    it meets the frame; the photo under the soft edge is replaced by its surroundings so the
    screen's colour (e.g. green) cannot bleed into the feather. At edge blur 1 (e = 0) the edge
    is just the anti-aliased mask, plus cleaning of a screen-coloured rim when the frame covers
    a uniform screen.
    """

    radius: int
    ksize: int
    choke: int
    contact_strength: float
    contact_sigma: float
    bleed_sigma: float

    @property
    def active(self) -> bool:
        return self.radius > 0

    @property
    def reach(self) -> int:
        """Distance from the frame's outline beyond which the edge effects change nothing."""
        # Screen-colour spill suppression works within the bleed blur of the outline.
        spill = _smooth_radius(self.bleed_sigma) + 2
        if not self.active:
            return spill
        return max(
            self.choke + self.ksize // 2 + 2,
            _blur_radius(self.contact_sigma) + 2,
            spill,
        )


def edge_params(edge_blur: int) -> EdgeParams:
    radius = max(0, (edge_blur - 1) // 2)
    return EdgeParams(
        radius=radius,
        ksize=2 * radius + 1,
        choke=(radius + 1) // 3,
        contact_strength=0.025 * radius,
        contact_sigma=0.5 + 0.5 * radius,
        bleed_sigma=1.0 + radius,
    )


def _blur_radius(sigma: float) -> int:
    return math.ceil(3.0 * sigma) if sigma > 0 else 0


def _smooth_factor(sigma: float) -> int:
    return max(1, int(sigma // 3))


def _smooth_radius(sigma: float) -> int:
    """How far `_smooth` reaches: the blur itself plus the resampling around it."""
    factor = _smooth_factor(sigma)
    return _blur_radius(sigma) + (2 * factor if factor > 1 else 0)


def _smooth(image: FloatImage, sigma: float) -> FloatImage:
    """A wide Gaussian blur, computed at reduced resolution when sigma is large.

    Only used for fills that are smooth by nature, where the saving is free.
    """
    factor = _smooth_factor(sigma)
    if factor < 2:
        return _gaussian(image, sigma)
    height, width = image.shape[:2]
    small_size = (max(1, -(-width // factor)), max(1, -(-height // factor)))
    small = np.asarray(cv2.resize(image, small_size, interpolation=cv2.INTER_AREA), np.float32)
    blurred = _gaussian(small, sigma / factor)
    return np.asarray(
        cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR), np.float32
    )


def _gaussian(image: FloatImage, sigma: float) -> FloatImage:
    """Gaussian blur with a 3σ kernel, so the halo each blur needs is known exactly."""
    radius = _blur_radius(sigma)
    if radius == 0:
        return image
    size = 2 * radius + 1
    return np.asarray(cv2.GaussianBlur(image, (size, size), sigma), dtype=np.float32)


# --- geometry ---------------------------------------------------------------------------------


def order_points(points: PointsLike) -> NDArray[np.float32]:
    """Corners as (4, 2): top-left (min x+y), top-right, bottom-right (max x+y), bottom-left.

    The two remaining corners are told apart by y−x (top-right has the smaller value).
    """
    raw = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    quad = order_corners([(float(x), float(y)) for x, y in raw])
    return np.array(quad, dtype=np.float32)


def coverage_mask(
    quad: NDArray[np.float64], x0: int, y0: int, width: int, height: int, factor: int
) -> FloatImage:
    """Anti-aliased coverage of a convex quad over a pixel region, super-sampled factor×factor.

    Each pixel holds the fraction of its factor² sub-pixel centres inside the quad — exactly what
    rasterising at factor× and box-averaging gives — but computed per sub-row from the interval
    the quad covers, so no super-sampled buffer is ever allocated (cost grows with `factor`,
    not `factor²`).
    """
    f = max(1, int(factor))
    sub_rows = height * f
    ys = y0 + (np.arange(sub_rows, dtype=np.float64) + 0.5) / f
    left = np.full(sub_rows, -np.inf)
    right = np.full(sub_rows, np.inf)
    valid = np.ones(sub_rows, dtype=bool)
    for i in range(4):
        px, py = quad[i]
        dx, dy = quad[(i + 1) % 4] - quad[i]
        # Clockwise on screen, the inside lies where cross(edge, point − start) >= 0.
        if dy == 0.0:
            valid &= dx * (ys - py) >= 0.0
            continue
        bound = px + dx * (ys - py) / dy
        if dy > 0.0:
            right = np.minimum(right, bound)
        else:
            left = np.maximum(left, bound)
    left = np.clip(left, x0 - 1.0, x0 + width + 1.0)
    right = np.clip(right, x0 - 1.0, x0 + width + 1.0)
    first = np.maximum(np.ceil((left - x0) * f - 0.5), 0).astype(np.int64)
    last = np.minimum(np.floor((right - x0) * f - 0.5), width * f - 1).astype(np.int64)
    valid &= last >= first
    rows = (np.arange(sub_rows) // f)[valid]
    first, last = first[valid], last[valid]
    p_first, p_last = first // f, last // f
    n_first = (p_first + 1) * f - first
    n_last = last - p_last * f + 1
    n_total = last - first + 1

    # Runs of fully covered sub-samples as a difference array, exact counts at the two ends.
    stride = width + 1
    run = np.bincount(rows * stride + p_first, minlength=height * stride).astype(np.int64) * f
    run -= np.bincount(rows * stride + p_last + 1, minlength=height * stride) * f
    counts = np.cumsum(run.reshape(height, stride), axis=1)[:, :width]
    same = p_first == p_last
    size = height * width
    ends = np.zeros(size, dtype=np.float64)
    for where, pixel, count in (
        (same, p_first, n_total),
        (~same, p_first, n_first),
        (~same, p_last, n_last),
    ):
        ends += np.bincount(
            rows[where] * width + pixel[where],
            weights=(count - f)[where].astype(np.float64),
            minlength=size,
        )
    covered = counts + ends.reshape(height, width)
    return (covered / float(f * f)).astype(np.float32)


# --- edge effects -----------------------------------------------------------------------------


def choke_spread(mask: FloatImage, pixels: int) -> FloatImage:
    """Pull the mask's edge inwards (pixels > 0, choke) or push it outwards (pixels < 0, spread)."""
    if pixels == 0:
        return mask
    size = 2 * abs(pixels) + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    op = cv2.erode if pixels > 0 else cv2.dilate
    return np.asarray(op(mask, kernel, borderType=cv2.BORDER_REPLICATE), dtype=np.float32)


def feather(mask: FloatImage, ksize: int) -> FloatImage:
    """Soften the mask's edge with a ksize×ksize Gaussian (ksize odd; 1 leaves it untouched)."""
    if ksize <= 1:
        return mask
    return np.asarray(cv2.GaussianBlur(mask, (ksize, ksize), 0), dtype=np.float32)


def contact_gain(coverage: FloatImage, strength: float, sigma: float) -> FloatImage:
    """Multiplier darkening the creative just inside the frame's outline (1 elsewhere)."""
    ones = np.ones_like(coverage)
    if strength <= 0.0:
        return ones
    occlusion = np.clip(1.0 - _gaussian(coverage, sigma), 0.0, 1.0) * coverage
    gain = ones - np.float32(2.0 * strength) * occlusion
    gain[occlusion < _SNAP] = 1.0
    return np.asarray(gain, dtype=np.float32)


def _key_channel(screen_bgr: tuple[float, float, float]) -> int | None:
    """The channel a chroma-key screen is made of (green, blue, red), if it is one."""
    values = list(screen_bgr)
    key = int(np.argmax(values))
    others = [v for i, v in enumerate(values) if i != key]
    return key if values[key] - max(others) >= KEY_DOMINANCE else None


def bleed_free_background(
    background: FloatImage,
    coverage: FloatImage,
    mask: FloatImage,
    sigma: float,
    screen_bgr: tuple[float, float, float] | None,
) -> FloatImage:
    """The photo as seen through a soft edge, with no screen colour bleeding into it.

    Under the frame (coverage > 0) wherever the softened `mask` lets the photo through, the photo
    is replaced by its surroundings (a normalised blur of the pixels outside the frame). When the
    frame covers a uniform screen (`screen_bgr`), photo pixels just outside the outline are
    cleaned too: a chroma-key colour (e.g. green) is despilled (its channel limited to the
    others), and pixels that still look like the screen are replaced by the surroundings.
    Pixels far from the outline are returned unchanged.
    """
    outside = 1.0 - coverage
    replace = coverage * np.clip((1.0 - mask) * 4.0, 0.0, 1.0)
    source_weight = outside
    spill_replace: FloatImage | None = None
    if screen_bgr is not None:
        # Edge pixels are part screen, part surroundings: clean them whole, not just outside.
        near = np.clip(16.0 * _smooth(coverage, sigma), 0.0, 1.0) * np.clip(
            (1.0 - mask) * 4.0, 0.0, 1.0
        )
        offset = background - np.asarray(screen_bgr, np.float32)
        distance = np.sqrt(np.einsum("ijk,ijk->ij", offset, offset))
        spill = np.clip(1.5 * (1.0 - distance / np.float32(SPILL_RANGE)), 0.0, 1.0)
        key = _key_channel(screen_bgr)
        if key is not None and float(near.max()) > _SNAP:
            others = [c for c in range(3) if c != key]
            limit = np.maximum(background[..., others[0]], background[..., others[1]])
            excess = np.maximum(background[..., key] - limit, 0.0)
            background = background.copy()
            background[..., key] -= excess * near
        spill_replace = np.asarray(spill * near, dtype=np.float32)
        source_weight = outside * (1.0 - spill)
        # The pixel's inside and outside parts are replaced for different reasons; they add up.
        replace = np.minimum(replace + spill_replace, 1.0)
    if float(replace.max()) <= _SNAP:
        return background
    source_weight = np.asarray(source_weight, dtype=np.float32)
    weight = _smooth(source_weight, sigma)
    usable = (weight > 1e-3) & (replace > _SNAP)
    if not np.any(usable):
        return background
    filled = (
        _smooth(background * source_weight[..., None], sigma) / np.maximum(weight, 1e-3)[..., None]
    )
    factor = np.where(usable, replace, 0.0).astype(np.float32)[..., None]
    return np.asarray(background + (filled - background) * factor, dtype=np.float32)


def srgb_to_linear(values: FloatImage) -> FloatImage:
    """0..255 sRGB to 0..1 linear light."""
    c = np.clip(values, 0.0, 255.0) / np.float32(255.0)
    low = c / np.float32(12.92)
    high = cv2.pow((c + np.float32(0.055)) / np.float32(1.055), 2.4)
    return np.asarray(np.where(c <= 0.04045, low, high), dtype=np.float32)


def linear_to_srgb(values: FloatImage) -> FloatImage:
    """0..1 linear light to 0..255 sRGB."""
    c = np.clip(values, 0.0, 1.0)
    low = c * np.float32(12.92)
    high = np.float32(1.055) * cv2.pow(c, 1.0 / 2.4) - np.float32(0.055)
    return np.asarray(np.where(c <= 0.0031308, low, high) * np.float32(255.0), dtype=np.float32)


# --- colour -----------------------------------------------------------------------------------


def _affine(matrix: NDArray[np.float64], offset: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.eye(4)
    out[:3, :3] = matrix
    out[:3, 3] = offset
    return out


def _saturation(factor: float) -> NDArray[np.float64]:
    # Luma-preserving: every channel moves towards (or away from) the pixel's luma.
    return _affine(
        factor * np.eye(3) + (1.0 - factor) * np.outer(np.ones(3), _LUMA_BGR), np.zeros(3)
    )


def _contrast(factor: float, pivot: NDArray[np.float64]) -> NDArray[np.float64]:
    return _affine(factor * np.eye(3), (1.0 - factor) * pivot)


def colour_matrix(
    settings: FrameSettings, time_of_day: TimeOfDay, ambient_bgr: Sequence[float]
) -> NDArray[np.float32] | None:
    """The 3×4 affine BGR transform for the colour settings (and daytime depth), None if neutral.

    Order: brightness, contrast, saturation, lighting, temperature, then day depth (haze pulls
    contrast and saturation down towards the surroundings' colour; below 15 it crisps instead).
    """
    mid = np.full(3, _MID_GREY)
    steps = [
        _affine(settings.brightness / 100.0 * np.eye(3), np.zeros(3)),
        _contrast(settings.contrast / 100.0, mid),
        _saturation(settings.saturation / 100.0),
        # Lighting is ±1 stop of exposure in linear light, i.e. a 2^(±1/2.2) gain on sRGB values.
        _affine(2.0 ** (settings.lighting / 50.0 / 2.2) * np.eye(3), np.zeros(3)),
    ]
    warmth = settings.temperature / 50.0
    steps.append(_affine(np.diag([1.0 - 0.12 * warmth, 1.0, 1.0 + 0.12 * warmth]), np.zeros(3)))
    if time_of_day == "day" and settings.depth != DEPTH_OFF:
        amount = (settings.depth - DEPTH_OFF) / 15.0
        if amount > 0:
            steps.append(_contrast(1.0 - 0.25 * amount, np.asarray(ambient_bgr, dtype=np.float64)))
            steps.append(_saturation(1.0 - 0.35 * amount))
        else:
            steps.append(_contrast(1.0 + 0.15 * -amount, mid))
            steps.append(_saturation(1.0 + 0.2 * -amount))
    total = np.eye(4)
    for step in steps:
        total = step @ total
    if np.allclose(total, np.eye(4), atol=1e-9):
        return None
    return total[:3, :].astype(np.float32)


# --- per-frame plan ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    quad: NDArray[np.float64]
    contour: NDArray[np.float32]
    warp: NDArray[np.float64]
    to_unit: NDArray[np.float64]
    creative: Image
    settings: FrameSettings
    night: bool
    edge: EdgeParams
    choke: int
    colour: NDArray[np.float32] | None
    alpha: float
    frame_width: float
    frame_height: float
    image_sigma: float
    sharpen_radius: int
    roi: tuple[int, int, int, int]
    screen: tuple[float, float, float] | None
    # Smooth brightness effects sampled every GAIN_STEP px over the ROI (None when all off).
    gain: FloatImage | None
    gain_origin: tuple[float, float]

    def halo(self, edge_tile: bool) -> int:
        creative_chain = _blur_radius(self.image_sigma)
        if not edge_tile:
            return creative_chain + self.sharpen_radius
        e = self.edge
        chain = max(
            creative_chain + (e.ksize // 2 if e.active else 0),
            abs(self.choke) + e.ksize // 2 + 1,
            _blur_radius(e.contact_sigma) if e.active else 0,
            _smooth_radius(e.bleed_sigma),
        )
        return chain + self.sharpen_radius + 1


def frame_margin(settings: FrameSettings) -> int:
    """Pixels around a frame's bounding box that compositing may change (nothing beyond)."""
    edge = edge_params(settings.edge_blur)
    return edge.reach + edge.choke + 2


def _check_image(image: NDArray[Any], what: str) -> None:
    """Raise unless `image` is an 8-bit grey, BGR or BGRA image with pixels."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise CompositeError(f"The {what} must be an 8-bit image.")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise CompositeError(f"The {what} must be a colour image.")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise CompositeError(f"The {what} is empty.")


def _as_bgr(image: NDArray[Any], what: str, *, flatten_alpha: bool = True) -> Image:
    """A 3-channel BGR uint8 view or copy; alpha is flattened onto white or dropped."""
    _check_image(image, what)
    if image.ndim == 2:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if image.shape[2] == 4 and not flatten_alpha:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    if image.shape[2] == 4:
        # Transparent parts of a print creative come out as the white of the vinyl. Done in
        # bands of rows so a huge creative never needs a full-size float copy.
        flat = np.empty((*image.shape[:2], 3), dtype=np.uint8)
        for top in range(0, image.shape[0], 256):
            rows = image[top : top + 256]
            alpha = rows[:, :, 3:].astype(np.float32) / np.float32(255.0)
            mixed = rows[:, :, :3] * alpha + np.float32(255.0) * (1.0 - alpha)
            flat[top : top + 256] = np.rint(mixed).astype(np.uint8)
        return flat
    return image


def _prepare_creative(creative: Image, frame_width: float, frame_height: float) -> Image:
    """Upscale 2× with Lanczos, capped at twice the frame's size and PREPARED_MAX_PIXELS."""
    height, width = creative.shape[:2]
    target_w = min(2 * width, max(2, math.ceil(2 * frame_width)))
    target_h = min(2 * height, max(2, math.ceil(2 * frame_height)))
    pixels = target_w * target_h
    if pixels > PREPARED_MAX_PIXELS:
        scale = math.sqrt(PREPARED_MAX_PIXELS / pixels)
        target_w, target_h = max(1, int(target_w * scale)), max(1, int(target_h * scale))
    if (target_w, target_h) == (width, height):
        return creative
    shrinking = target_w < width or target_h < height
    method = cv2.INTER_AREA if shrinking else cv2.INTER_LANCZOS4
    return np.asarray(cv2.resize(creative, (target_w, target_h), interpolation=method), np.uint8)


def _edge_luma(image: Image) -> float:
    """Mean luma of an image's outer ring (about 2 % of each side)."""
    height, width = image.shape[:2]
    band_y, band_x = max(1, height // 50), max(1, width // 50)
    parts = [image[:band_y], image[-band_y:], image[:, :band_x], image[:, -band_x:]]
    total = sum(np.asarray(cv2.mean(p)[:3]) * p.shape[0] * p.shape[1] for p in parts)
    count = sum(p.shape[0] * p.shape[1] for p in parts)
    return float(np.dot(np.asarray(total) / count, _LUMA_BGR))


def _ambient(photo: Image, quad: NDArray[np.float64]) -> tuple[float, float, float]:
    """Mean BGR colour of a thin ring of photo just outside the frame's bounding box."""
    height, width = photo.shape[:2]
    bx0, by0 = max(0, math.floor(quad[:, 0].min())), max(0, math.floor(quad[:, 1].min()))
    bx1, by1 = min(width, math.ceil(quad[:, 0].max())), min(height, math.ceil(quad[:, 1].max()))
    ring = max(4, (bx1 - bx0 + by1 - by0) // 100)
    parts = [
        photo[max(0, by0 - ring) : by0, bx0:bx1],
        photo[by1 : by1 + ring, bx0:bx1],
        photo[by0:by1, max(0, bx0 - ring) : bx0],
        photo[by0:by1, bx1 : bx1 + ring],
    ]
    parts = [p for p in parts if p.size]
    if not parts:
        # The frame fills the whole photo: its own border is the best guess.
        parts = [photo[by0:by1, bx0:bx1]]
    count = sum(p.shape[0] * p.shape[1] for p in parts)
    total = sum(np.asarray(cv2.mean(p)[:3]) * (p.shape[0] * p.shape[1]) for p in parts)
    b, g, r = (np.asarray(total) / count).tolist()
    return (float(b), float(g), float(r))


def _screen_colour(photo: Image, quad: NDArray[np.float64]) -> tuple[float, float, float] | None:
    """The colour under the frame when it is uniform (a green screen, a blank panel), else None."""
    # A small rectified sample of the frame's inner 80 % is enough and costs nothing.
    size = 32
    dst = np.array([[-0.1, -0.1], [1.1, -0.1], [1.1, 1.1], [-0.1, 1.1]], np.float32) * size - 0.5
    rectify = cv2.getPerspectiveTransform((quad - 0.5).astype(np.float32), dst)
    sample = cv2.warpPerspective(photo, rectify, (size, size), flags=cv2.INTER_LINEAR)
    mean, std = cv2.meanStdDev(sample)
    if float(np.mean(std)) > UNIFORM_SCREEN_STD:
        return None
    b, g, r = (float(v) for v in mean.ravel()[:3])
    return (b, g, r)


def _point_list(points: PointsLike) -> object:
    return points.tolist() if isinstance(points, np.ndarray) else points


def _plan(photo: Image, job: FrameJob, time_of_day: TimeOfDay, index: int) -> _Plan:
    points, settings, creative_raw = job
    height, width = photo.shape[:2]
    quad = np.array(validate_points(_point_list(points), width, height), dtype=np.float64)
    creative = _as_bgr(creative_raw, f"creative for frame {index + 1}")

    tl, tr, br, bl = quad
    frame_width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    frame_height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    prepared = _prepare_creative(creative, frame_width, frame_height)
    ph, pw = prepared.shape[:2]
    # Both sides in OpenCV's pixel-centre convention: a pixel's area starts half a pixel earlier.
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32) - 0.5
    warp = cv2.getPerspectiveTransform(src, (quad - 0.5).astype(np.float32)).astype(np.float64)
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    to_unit = cv2.getPerspectiveTransform(quad.astype(np.float32), unit).astype(np.float64)

    edge = edge_params(settings.edge_blur)
    margin = frame_margin(settings)
    roi = (
        max(0, math.floor(quad[:, 0].min()) - margin),
        max(0, math.floor(quad[:, 1].min()) - margin),
        min(width, math.ceil(quad[:, 0].max()) + margin),
        min(height, math.ceil(quad[:, 1].max()) + margin),
    )
    ambient = _ambient(photo, quad)
    screen = _screen_colour(photo, quad)
    if screen is not None and math.dist(screen, ambient) < SPILL_RANGE / 2:
        # The surroundings share the screen's colour: there is no rim to clean.
        screen = None
    night = time_of_day == "night"
    gain: FloatImage | None = None
    gain_origin = (float(roi[0]), float(roi[1]))
    if settings.vignette > 0 or settings.shadow > 0 or (night and settings.depth != DEPTH_OFF):
        # Depth, vignette and shadow vary slowly: a coarse grid, interpolated per tile, is
        # indistinguishable from per-pixel evaluation and far cheaper.
        xs = roi[0] + GAIN_STEP * np.arange((roi[2] - roi[0]) // GAIN_STEP + 2, dtype=np.float64)
        ys = roi[1] + GAIN_STEP * np.arange((roi[3] - roi[1]) // GAIN_STEP + 2, dtype=np.float64)
        gain = _gain_grid(to_unit, settings, night, (frame_width, frame_height), xs, ys)
    # Bright creative edges bloom outwards on a darker surround, so they are choked; darker edges
    # are spread a little to cover the screen's rim.
    brighter = _edge_luma(prepared) >= float(np.dot(np.asarray(ambient), _LUMA_BGR))
    return _Plan(
        quad=quad,
        contour=quad.astype(np.float32).reshape(-1, 1, 2),
        warp=warp,
        to_unit=to_unit,
        creative=prepared,
        settings=settings,
        night=night,
        edge=edge,
        choke=edge.choke if brighter else -edge.choke,
        colour=colour_matrix(settings, time_of_day, ambient),
        alpha=1.0 - settings.overlay / 200.0,
        frame_width=frame_width,
        frame_height=frame_height,
        image_sigma=settings.image_blur * 0.5,
        sharpen_radius=_blur_radius(_SHARPEN_SIGMA) if settings.sharpening > 0 else 0,
        roi=roi,
        screen=screen,
        gain=gain,
        gain_origin=gain_origin,
    )


# --- tiles ------------------------------------------------------------------------------------


def _gain_grid(
    to_unit: NDArray[np.float64],
    settings: FrameSettings,
    night: bool,
    frame_size: tuple[float, float],
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
) -> FloatImage:
    """Night depth, vignette and shadow as one brightness multiplier at points xs × ys."""
    m = to_unit
    x, y = xs[None, :], ys[:, None]
    den = m[2, 0] * x + m[2, 1] * y + m[2, 2]
    # (u, v): each point's position on the creative, 0..1 across the frame.
    u = np.clip((m[0, 0] * x + m[0, 1] * y + m[0, 2]) / den, 0.0, 1.0)
    v = np.clip((m[1, 0] * x + m[1, 1] * y + m[1, 2]) / den, 0.0, 1.0)
    gain = np.ones(u.shape, dtype=np.float64)
    if night and settings.depth != DEPTH_OFF:
        amount = (settings.depth - DEPTH_OFF) / 15.0
        # Above 15 the lights are on top (bottom falls off); below 15 they are at the bottom.
        t = v if amount > 0 else 1.0 - v
        gain *= 1.0 - NIGHT_DEPTH_MAX_DARKENING * abs(amount) * t * t
    if settings.vignette > 0:
        r2 = np.minimum(((u - 0.5) ** 2 + (v - 0.5) ** 2) * 2.0, 1.0)
        gain *= 1.0 - 0.45 * settings.vignette / 100.0 * r2
    if settings.shadow > 0:
        # The frame's rim shades the print: heaviest under the top edge, lighter at the sides.
        frame_width, frame_height = frame_size
        width = max(1.0, 0.05 * min(frame_width, frame_height))
        top = np.exp(-v * frame_height / width)
        sides = 0.5 * np.exp(-np.minimum(u, 1.0 - u) * frame_width / width)
        bottom = 0.25 * np.exp(-(1.0 - v) * frame_height / width)
        occlusion = np.maximum(np.maximum(top, sides), bottom)
        gain *= 1.0 - 0.6 * settings.shadow / 100.0 * occlusion
    return gain.astype(np.float32)


def _sample_gain(
    grid: FloatImage, origin: tuple[float, float], x0: int, y0: int, w: int, h: int
) -> FloatImage:
    """A gain map over a region, bilinearly sampled from a coarse grid starting at `origin`."""
    step = GAIN_STEP
    gx0, gy0 = origin
    sample = np.array(
        [[1.0 / step, 0.0, (x0 + 0.5 - gx0) / step], [0.0, 1.0 / step, (y0 + 0.5 - gy0) / step]]
    )
    return np.asarray(
        cv2.warpAffine(
            grid,
            sample,
            (w, h),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        ),
        dtype=np.float32,
    )


def _creative_tile(plan: _Plan, x0: int, y0: int, w: int, h: int) -> FloatImage:
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
        tile = _gaussian(tile, plan.image_sigma)
    if plan.colour is not None:
        tile = np.asarray(cv2.transform(tile, plan.colour), dtype=np.float32)
    if plan.gain is not None:
        tile *= _sample_gain(plan.gain, plan.gain_origin, x0, y0, w, h)[..., None]
    if plan.colour is not None or plan.gain is not None:
        np.clip(tile, 0.0, 255.0, out=tile)
    return tile


def _snap(mask: FloatImage) -> FloatImage:
    np.clip(mask, 0.0, 1.0, out=mask)
    mask[mask < _SNAP] = 0.0
    mask[mask > 1.0 - _SNAP] = 1.0
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
    plan: _Plan, background: FloatImage, creative: FloatImage, x0: int, y0: int
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
    plan: _Plan,
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
        detail = result - _gaussian(result, _SHARPEN_SIGMA)
        weight = amount * (mask[..., None] if isinstance(mask, np.ndarray) else np.float32(mask))
        result = result + detail * weight
    crop = result[y0 - ey0 : y1 - ey0, x0 - ex0 : x1 - ex0]
    out[y0:y1, x0:x1] = np.rint(np.clip(crop, 0.0, 255.0)).astype(np.uint8)


def _tile_kind(plan: _Plan, tile: tuple[int, int, int, int]) -> str:
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


def composite(
    photo: Image, frames: Sequence[FrameJob], time_of_day: TimeOfDay, *, workers: int = 2
) -> Image:
    """The photo with every frame's creative placed on it (a new BGR uint8 image).

    `frames` holds (four corner points, FrameSettings, BGR creative) per frame; corners may come
    in any order. The input photo is left untouched. Tiles of a frame render on `workers` threads
    (OpenCV and numpy release the GIL while they work).
    """
    if time_of_day not in ("day", "night"):
        raise CompositeError('Time of day must be "day" or "night".')
    photo = _as_bgr(photo, "photo", flatten_alpha=False)
    if not frames:
        raise CompositeError("The photo has no frames to place a creative on.")
    height, width = photo.shape[:2]
    for index, (points, settings, creative) in enumerate(frames):
        # Fail on any bad frame before spending time on the others.
        if not isinstance(settings, FrameSettings):
            raise CompositeError(f"Frame {index + 1} has no valid settings.")
        validate_points(_point_list(points), width, height)
        _check_image(creative, f"creative for frame {index + 1}")
    out = photo.copy()
    painted: list[tuple[int, int, int, int]] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for index, job in enumerate(frames):
            # One plan at a time, so only one prepared creative is ever held.
            plan = _plan(photo, job, time_of_day, index)
            x0, y0, x1, y1 = plan.roi
            # Tiles read their halo from an unmodified source; only where an earlier frame
            # already painted this area is a snapshot of the output needed.
            origin = (0, 0)
            source = photo
            if any(_overlaps(plan.roi, roi) for roi in painted):
                halo = plan.halo(True)
                sx0, sy0 = max(0, x0 - halo), max(0, y0 - halo)
                sx1, sy1 = min(width, x1 + halo), min(height, y1 + halo)
                source, origin = out[sy0:sy1, sx0:sx1].copy(), (sx0, sy0)
            work = []
            for ty in range(y0, y1, TILE):
                for tx in range(x0, x1, TILE):
                    tile = (tx, ty, min(tx + TILE, x1), min(ty + TILE, y1))
                    kind = _tile_kind(plan, tile)
                    if kind != "outside":
                        work.append((tile, kind == "edge"))
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
