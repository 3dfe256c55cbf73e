"""Per-frame plans: everything the compositor's tiles share about one frame, worked out once
(warp, prepared creative, region, edge and colour settings, brightness grid). Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from salesbot.mockups.edges import SPILL_RANGE, EdgeParams, edge_params
from salesbot.mockups.frames import DEPTH_OFF, FrameSettings, validate_points
from salesbot.mockups.lighting import GAIN_STEP, colour_matrix, gain_grid
from salesbot.mockups.raster import (
    LUMA_BGR,
    FloatImage,
    FrameJob,
    Image,
    TimeOfDay,
    as_bgr,
    blur_radius,
    point_list,
    smooth_radius,
)

# The prepared (2× upscaled) creative is capped: beyond the frame's own resolution extra pixels
# buy no sharpness, only memory.
PREPARED_MAX_PIXELS = 16_000_000
# A frame area whose colour varies less than this (mean channel std) is a uniform screen.
UNIFORM_SCREEN_STD = 30.0
SHARPEN_SIGMA = 1.0


@dataclass(frozen=True, slots=True)
class Plan:
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
        creative_chain = blur_radius(self.image_sigma)
        if not edge_tile:
            return creative_chain + self.sharpen_radius
        e = self.edge
        chain = max(
            creative_chain + (e.ksize // 2 if e.active else 0),
            abs(self.choke) + e.ksize // 2 + 1,
            blur_radius(e.contact_sigma) if e.active else 0,
            smooth_radius(e.bleed_sigma),
        )
        return chain + self.sharpen_radius + 1


def frame_margin(settings: FrameSettings) -> int:
    """Pixels around a frame's bounding box that compositing may change (nothing beyond)."""
    edge = edge_params(settings.edge_blur)
    return edge.reach + edge.choke + 2


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
    return float(np.dot(np.asarray(total) / count, LUMA_BGR))


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


def _frame_size(quad: NDArray[np.float64]) -> tuple[float, float]:
    tl, tr, br, bl = quad
    frame_width = float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    frame_height = float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    return frame_width, frame_height


def _transforms(
    quad: NDArray[np.float64], prepared: Image
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(creative → photo warp, photo → unit square) for the frame."""
    ph, pw = prepared.shape[:2]
    # Both sides in OpenCV's pixel-centre convention: a pixel's area starts half a pixel earlier.
    src = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32) - 0.5
    warp = cv2.getPerspectiveTransform(src, (quad - 0.5).astype(np.float32)).astype(np.float64)
    unit = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=np.float32)
    to_unit = cv2.getPerspectiveTransform(quad.astype(np.float32), unit).astype(np.float64)
    return warp, to_unit


def _roi(
    quad: NDArray[np.float64], margin: int, width: int, height: int
) -> tuple[int, int, int, int]:
    """The frame's bounding box plus `margin`, inside the photo: all compositing may change."""
    return (
        max(0, math.floor(quad[:, 0].min()) - margin),
        max(0, math.floor(quad[:, 1].min()) - margin),
        min(width, math.ceil(quad[:, 0].max()) + margin),
        min(height, math.ceil(quad[:, 1].max()) + margin),
    )


def _gain(
    to_unit: NDArray[np.float64],
    settings: FrameSettings,
    night: bool,
    frame_size: tuple[float, float],
    roi: tuple[int, int, int, int],
) -> FloatImage | None:
    """The brightness grid over the region, None when depth, vignette and shadow are all off."""
    if settings.vignette > 0 or settings.shadow > 0 or (night and settings.depth != DEPTH_OFF):
        # Depth, vignette and shadow vary slowly: a coarse grid, interpolated per tile, is
        # indistinguishable from per-pixel evaluation and far cheaper.
        xs = roi[0] + GAIN_STEP * np.arange((roi[2] - roi[0]) // GAIN_STEP + 2, dtype=np.float64)
        ys = roi[1] + GAIN_STEP * np.arange((roi[3] - roi[1]) // GAIN_STEP + 2, dtype=np.float64)
        return gain_grid(to_unit, settings, night, frame_size, xs, ys)
    return None


Surroundings = tuple[tuple[float, float, float], tuple[float, float, float] | None]


def surroundings(photo: Image, job: FrameJob) -> Surroundings:
    """(ambient colour around the frame, the screen's colour if uniform) read off the photo.

    Read before any frame is painted, so a photo composited in place plans every frame from
    the untouched photo.
    """
    height, width = photo.shape[:2]
    quad = np.array(validate_points(point_list(job[0]), width, height), dtype=np.float64)
    ambient = _ambient(photo, quad)
    screen = _screen_colour(photo, quad)
    if screen is not None and math.dist(screen, ambient) < SPILL_RANGE / 2:
        # The surroundings share the screen's colour: there is no rim to clean.
        screen = None
    return ambient, screen


def plan_frame(
    photo: Image,
    job: FrameJob,
    time_of_day: TimeOfDay,
    index: int,
    around: Surroundings | None = None,
) -> Plan:
    """What every tile of frame `index` needs, worked out once."""
    points, settings, creative_raw = job
    height, width = photo.shape[:2]
    quad = np.array(validate_points(point_list(points), width, height), dtype=np.float64)
    creative = as_bgr(creative_raw, f"creative for frame {index + 1}")
    frame_width, frame_height = _frame_size(quad)
    prepared = _prepare_creative(creative, frame_width, frame_height)
    warp, to_unit = _transforms(quad, prepared)
    edge = edge_params(settings.edge_blur)
    roi = _roi(quad, frame_margin(settings), width, height)
    ambient, screen = around if around is not None else surroundings(photo, job)
    night = time_of_day == "night"
    # Bright creative edges bloom outwards on a darker surround, so they are choked; darker edges
    # are spread a little to cover the screen's rim.
    brighter = _edge_luma(prepared) >= float(np.dot(np.asarray(ambient), LUMA_BGR))
    return Plan(
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
        sharpen_radius=blur_radius(SHARPEN_SIGMA) if settings.sharpening > 0 else 0,
        roi=roi,
        screen=screen,
        gain=_gain(to_unit, settings, night, (frame_width, frame_height), roi),
        gain_origin=(float(roi[0]), float(roi[1])),
    )
