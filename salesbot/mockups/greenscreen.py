"""Green-screen frame detection on billboard photos (pure: numpy, OpenCV, standard library).

Finds areas of one colour (within a tolerance) and returns each as four ordered corners, so a
coordinator can photograph a billboard with a green panel and get its frame marked for free.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.frames import DEFAULT_TOLERANCE, MAX_TOLERANCE, Quad, order_corners

DEFAULT_COLOUR = (0, 255, 0)
# Blobs smaller than this share of the photo are noise (leaves, reflections), not a screen.
MIN_AREA_FRACTION = 0.002
_ROWS_PER_BAND = 512
_HEX = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


class GreenScreenError(ValueError):
    """Detection inputs that make no sense (bad colour, tolerance or image)."""


def parse_colour(colour: Sequence[int] | str) -> tuple[int, int, int]:
    """An (r, g, b) triple from a tuple or a hex string such as "#00ff00" or "0f0"."""
    if isinstance(colour, str):
        match = _HEX.match(colour.strip())
        if not match:
            raise GreenScreenError('The screen colour must look like "#00ff00".')
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))
    values = list(colour)
    if len(values) != 3 or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) and 0 <= v <= 255
        for v in values
    ):
        raise GreenScreenError("The screen colour must be three values from 0 to 255 (R, G, B).")
    return (int(values[0]), int(values[1]), int(values[2]))


def colour_mask(
    photo: NDArray[np.uint8], rgb: tuple[int, int, int], tolerance: float
) -> NDArray[np.uint8]:
    """255 where a pixel is within `tolerance` (RGB distance) of the colour, else 0.

    Computed in bands of rows so an 8K photo never needs a full-size wide-integer copy.
    """
    height = photo.shape[0]
    mask = np.zeros(photo.shape[:2], dtype=np.uint8)
    target = np.array([rgb[2], rgb[1], rgb[0]], dtype=np.int32)  # the photo is BGR
    limit = int(tolerance * tolerance)
    for top in range(0, height, _ROWS_PER_BAND):
        band = photo[top : top + _ROWS_PER_BAND].astype(np.int32) - target
        distance = np.einsum("ijk,ijk->ij", band, band)
        mask[top : top + _ROWS_PER_BAND][distance <= limit] = 255
    return mask


def _clean(mask: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Remove specks, then fill small holes (text, bolts, reflections) inside screens."""
    size = max(3, (min(mask.shape[:2]) // 400) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return np.asarray(cv2.morphologyEx(opened, cv2.MORPH_CLOSE, kernel, iterations=2), np.uint8)


def _four_corners(contour: NDArray[Any]) -> NDArray[np.float64]:
    """Four corners approximating a blob: polygon approximation, else its minimum-area box."""
    hull = cv2.convexHull(contour)
    perimeter = cv2.arcLength(hull, True)
    for fraction in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, fraction * perimeter, True)
        if len(approx) == 4:
            return np.asarray(approx.reshape(4, 2), dtype=np.float64)
    return np.asarray(cv2.boxPoints(cv2.minAreaRect(contour)), dtype=np.float64)


def _refine(corners: Quad, contour: NDArray[np.float64]) -> Quad:
    """Sharpen corners by fitting a line to each side and intersecting neighbouring lines.

    Blob corners are often rounded by blur or morphology; the sides are straight, so their
    intersections are where the real corners are. Falls back to a rough corner whenever a fit
    is unreliable.
    """
    points = np.asarray(corners, dtype=np.float64)
    lines: list[tuple[NDArray[np.float64], NDArray[np.float64]] | None] = []
    for i in range(4):
        a, b = points[i], points[(i + 1) % 4]
        side = b - a
        length = float(np.hypot(*side))
        if length < 4.0:
            lines.append(None)
            continue
        rel = contour - a
        t = rel @ side / (length * length)
        offset = np.abs(rel[:, 0] * side[1] - rel[:, 1] * side[0]) / length
        near = (t > 0.15) & (t < 0.85) & (offset < max(2.0, 0.03 * length))
        if int(near.sum()) < 5:
            lines.append(None)
            continue
        vx, vy, x0, y0 = cv2.fitLine(
            contour[near].astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01
        )
        lines.append(
            (np.array([float(x0[0]), float(y0[0])]), np.array([float(vx[0]), float(vy[0])]))
        )
    refined = []
    for i in range(4):
        before, after = lines[(i - 1) % 4], lines[i]
        corner = points[i]
        if before is not None and after is not None:
            (p, d), (q, e) = before, after
            det = d[0] * -e[1] - d[1] * -e[0]
            if abs(det) > 1e-6:
                s = ((q - p)[0] * -e[1] - (q - p)[1] * -e[0]) / det
                candidate = p + s * d
                if np.hypot(*(candidate - corner)) <= 0.05 * _size(points) + 2.0:
                    corner = candidate
        refined.append((float(corner[0]), float(corner[1])))
    return order_corners(refined)


def _size(points: NDArray[np.float64]) -> float:
    return float(np.hypot(np.ptp(points[:, 0]), np.ptp(points[:, 1])))


def _to_area_coordinates(quad: Quad, width: int, height: int) -> Quad:
    """Pixel-centre corners → frame corners, where pixel (i, j) covers [i, i+1) × [j, j+1).

    A boundary pixel of the blob is inside it, so each corner moves half a pixel outwards.
    """
    cx = sum(x for x, _ in quad) / 4.0
    cy = sum(y for _, y in quad) / 4.0
    moved = []
    for x, y in quad:
        nx = x + 0.5 + math.copysign(0.5, x - cx)
        ny = y + 0.5 + math.copysign(0.5, y - cy)
        moved.append((min(max(nx, 0.0), float(width)), min(max(ny, 0.0), float(height))))
    return order_corners(moved)


def detect_green(
    photo: NDArray[np.uint8],
    colour: Sequence[int] | str = DEFAULT_COLOUR,
    tolerance: float = DEFAULT_TOLERANCE,
    *,
    min_area_fraction: float = MIN_AREA_FRACTION,
) -> list[Quad]:
    """Frames (ordered corners) of every screen-coloured area, largest first.

    `colour` is RGB (tuple or hex); `tolerance` is the largest RGB distance (0–442) still
    counted as the screen. Areas smaller than `min_area_fraction` of the photo are ignored.
    """
    if not isinstance(photo, np.ndarray) or photo.dtype != np.uint8 or photo.ndim != 3:
        raise GreenScreenError("Green-screen detection needs an 8-bit colour photo.")
    if photo.shape[2] not in (3, 4) or photo.shape[0] == 0 or photo.shape[1] == 0:
        raise GreenScreenError("Green-screen detection needs an 8-bit colour photo.")
    if isinstance(tolerance, bool) or not 0 <= tolerance <= MAX_TOLERANCE:
        raise GreenScreenError(f"The tolerance must be between 0 and {MAX_TOLERANCE}.")
    rgb = parse_colour(colour)
    bgr = photo[:, :, :3]
    height, width = bgr.shape[:2]
    mask = _clean(colour_mask(bgr, rgb, tolerance))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    del mask
    min_area = max(16.0, min_area_fraction * width * height)
    found: list[tuple[float, Quad]] = []
    for contour in contours:
        area = float(cv2.contourArea(contour))
        if area < min_area:
            continue
        rough = order_corners([(float(x), float(y)) for x, y in _four_corners(contour)])
        refined = _refine(rough, contour.reshape(-1, 2).astype(np.float64))
        found.append((area, _to_area_coordinates(refined, width, height)))
    found.sort(key=lambda item: -item[0])
    return [quad for _, quad in found]
