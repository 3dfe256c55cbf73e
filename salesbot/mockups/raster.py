"""Image types, input checks, corner order and blurs shared by the compositor modules.

Pure: numpy, OpenCV and the standard library only. Coordinates: frame corners are continuous
photo coordinates where pixel (i, j) covers [i, i+1) × [j, j+1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.frames import FrameSettings, order_corners

Image = NDArray[np.uint8]
FloatImage = NDArray[np.float32]
TimeOfDay = Literal["day", "night"]
PointsLike = Sequence[Sequence[float]] | NDArray[np.floating]
FrameJob = tuple[PointsLike, FrameSettings, Image]

LUMA_BGR = np.array([0.114, 0.587, 0.299], dtype=np.float64)
SNAP = 1e-4


class CompositeError(ValueError):
    """Inputs the compositor cannot turn into a mockup."""


def check_image(image: NDArray[Any], what: str) -> None:
    """Raise unless `image` is an 8-bit grey, BGR or BGRA image with pixels."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise CompositeError(f"The {what} must be an 8-bit image.")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[2] not in (3, 4)):
        raise CompositeError(f"The {what} must be a colour image.")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise CompositeError(f"The {what} is empty.")


def as_bgr(image: NDArray[Any], what: str, *, flatten_alpha: bool = True) -> Image:
    """A 3-channel BGR uint8 view or copy; alpha is flattened onto white or dropped."""
    check_image(image, what)
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


def point_list(points: PointsLike) -> object:
    return points.tolist() if isinstance(points, np.ndarray) else points


def order_points(points: PointsLike) -> NDArray[np.float32]:
    """Corners as (4, 2): top-left (min x+y), top-right, bottom-right (max x+y), bottom-left.

    The two remaining corners are told apart by y−x (top-right has the smaller value).
    """
    raw = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    quad = order_corners([(float(x), float(y)) for x, y in raw])
    return np.array(quad, dtype=np.float32)


# --- blurs ----------------------------------------------------------------------------------------


def blur_radius(sigma: float) -> int:
    return math.ceil(3.0 * sigma) if sigma > 0 else 0


def _smooth_factor(sigma: float) -> int:
    return max(1, int(sigma // 3))


def smooth_radius(sigma: float) -> int:
    """How far `smooth` reaches: the blur itself plus the resampling around it."""
    factor = _smooth_factor(sigma)
    return blur_radius(sigma) + (2 * factor if factor > 1 else 0)


def smooth(image: FloatImage, sigma: float) -> FloatImage:
    """A wide Gaussian blur, computed at reduced resolution when sigma is large.

    Only used for fills that are smooth by nature, where the saving is free.
    """
    factor = _smooth_factor(sigma)
    if factor < 2:
        return gaussian(image, sigma)
    height, width = image.shape[:2]
    small_size = (max(1, -(-width // factor)), max(1, -(-height // factor)))
    small = np.asarray(cv2.resize(image, small_size, interpolation=cv2.INTER_AREA), np.float32)
    blurred = gaussian(small, sigma / factor)
    return np.asarray(
        cv2.resize(blurred, (width, height), interpolation=cv2.INTER_LINEAR), np.float32
    )


def gaussian(image: FloatImage, sigma: float) -> FloatImage:
    """Gaussian blur with a 3σ kernel, so the halo each blur needs is known exactly."""
    radius = blur_radius(sigma)
    if radius == 0:
        return image
    size = 2 * radius + 1
    return np.asarray(cv2.GaussianBlur(image, (size, size), sigma), dtype=np.float32)
