"""The frame's edge: anti-aliased coverage, choke/spread, feather, contact shadow and a
background free of the screen's colour (pure: numpy, OpenCV and the standard library only)."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.raster import SNAP, FloatImage, blur_radius, gaussian, smooth, smooth_radius

# Colour distance (0..255 BGR) within which a pixel counts as carrying the screen's colour.
SPILL_RANGE = 150.0
# A screen whose strongest channel beats the others by this much is a chroma key (green, blue).
KEY_DOMINANCE = 60.0


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
        spill = smooth_radius(self.bleed_sigma) + 2
        if not self.active:
            return spill
        return max(
            self.choke + self.ksize // 2 + 2,
            blur_radius(self.contact_sigma) + 2,
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
    occlusion = np.clip(1.0 - gaussian(coverage, sigma), 0.0, 1.0) * coverage
    gain = ones - np.float32(2.0 * strength) * occlusion
    gain[occlusion < SNAP] = 1.0
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
        near = np.clip(16.0 * smooth(coverage, sigma), 0.0, 1.0) * np.clip(
            (1.0 - mask) * 4.0, 0.0, 1.0
        )
        offset = background - np.asarray(screen_bgr, np.float32)
        distance = np.sqrt(np.einsum("ijk,ijk->ij", offset, offset))
        spill = np.clip(1.5 * (1.0 - distance / np.float32(SPILL_RANGE)), 0.0, 1.0)
        key = _key_channel(screen_bgr)
        if key is not None and float(near.max()) > SNAP:
            others = [c for c in range(3) if c != key]
            limit = np.maximum(background[..., others[0]], background[..., others[1]])
            excess = np.maximum(background[..., key] - limit, 0.0)
            background = background.copy()
            background[..., key] -= excess * near
        spill_replace = np.asarray(spill * near, dtype=np.float32)
        source_weight = outside * (1.0 - spill)
        # The pixel's inside and outside parts are replaced for different reasons; they add up.
        replace = np.minimum(replace + spill_replace, 1.0)
    if float(replace.max()) <= SNAP:
        return background
    source_weight = np.asarray(source_weight, dtype=np.float32)
    weight = smooth(source_weight, sigma)
    usable = (weight > 1e-3) & (replace > SNAP)
    if not np.any(usable):
        return background
    filled = (
        smooth(background * source_weight[..., None], sigma) / np.maximum(weight, 1e-3)[..., None]
    )
    factor = np.where(usable, replace, 0.0).astype(np.float32)[..., None]
    return np.asarray(background + (filled - background) * factor, dtype=np.float32)
