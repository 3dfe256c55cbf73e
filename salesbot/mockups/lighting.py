"""Colour and light: sRGB ⇄ linear, the colour-settings matrix, and the slowly varying
brightness effects (night depth, vignette, shadow) sampled on a coarse grid (pure)."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.frames import DEPTH_OFF, FrameSettings
from salesbot.mockups.raster import LUMA_BGR, FloatImage, TimeOfDay

NIGHT_DEPTH_MAX_DARKENING = 0.35
_MID_GREY = 127.5
GAIN_STEP = 8


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


def _affine(matrix: NDArray[np.float64], offset: NDArray[np.float64]) -> NDArray[np.float64]:
    out = np.eye(4)
    out[:3, :3] = matrix
    out[:3, 3] = offset
    return out


def _saturation(factor: float) -> NDArray[np.float64]:
    # Luma-preserving: every channel moves towards (or away from) the pixel's luma.
    return _affine(
        factor * np.eye(3) + (1.0 - factor) * np.outer(np.ones(3), LUMA_BGR), np.zeros(3)
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


def gain_grid(
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


def sample_gain(
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
