"""Frame geometry and per-frame look settings for mockups (pure: standard library only).

Settings follow the spec's table: out-of-range values are clamped (edge blur is forced odd),
unknown keys are rejected. Points are validated (finite, inside the photo, a real quadrilateral)
and ordered top-left, top-right, bottom-right, bottom-left.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]

# Smallest frame we accept, in square pixels: smaller is almost certainly a mis-click.
MIN_FRAME_AREA = 64.0
# Green-screen detection's colour tolerance (here, free of numpy, for the API schema).
DEFAULT_TOLERANCE = 100
# Largest colour distance there is (black to white), the top of the tolerance scale.
MAX_TOLERANCE = 442


class InvalidSettingError(ValueError):
    """A setting value that is not a number."""


class UnknownSettingError(InvalidSettingError):
    """A setting key the compositor does not know."""


class InvalidFrameError(ValueError):
    """Frame corner points that cannot describe a billboard."""


@dataclass(frozen=True, slots=True)
class SettingRange:
    minimum: int
    maximum: int
    default: int


RANGES: Mapping[str, SettingRange] = {
    "brightness": SettingRange(50, 200, 100),
    "contrast": SettingRange(50, 200, 100),
    "saturation": SettingRange(0, 200, 100),
    "image_blur": SettingRange(0, 20, 0),
    "edge_blur": SettingRange(1, 21, 1),
    "overlay": SettingRange(0, 50, 0),
    "depth": SettingRange(5, 30, 15),
    "shadow": SettingRange(0, 100, 0),
    "vignette": SettingRange(0, 100, 0),
    "sharpening": SettingRange(0, 100, 0),
    "lighting": SettingRange(-50, 50, 0),
    "temperature": SettingRange(-50, 50, 0),
    "edge_smoother": SettingRange(1, 20, 3),
}

DEPTH_OFF = 15


@dataclass(frozen=True, slots=True)
class FrameSettings:
    """Look settings of one frame; every field is an integer inside its spec range.

    brightness/contrast/saturation are percentages; image_blur softens the creative; edge_blur
    (odd) drives the edge effects; overlay lets the photo's texture show through; depth above 15
    pushes the billboard away (night: lit from above, darker towards the bottom; day: haze) and
    below 15 does the opposite (night: lit from below; day: crisper); shadow, vignette and
    sharpening are strengths; lighting is exposure and temperature white balance (warm > 0);
    edge_smoother is the mask's super-sampling factor.
    """

    brightness: int = 100
    contrast: int = 100
    saturation: int = 100
    image_blur: int = 0
    edge_blur: int = 1
    overlay: int = 0
    depth: int = 15
    shadow: int = 0
    vignette: int = 0
    sharpening: int = 0
    lighting: int = 0
    temperature: int = 0
    edge_smoother: int = 3

    def __post_init__(self) -> None:
        for name, bounds in RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidSettingError(f"Mockup setting {name} must be a whole number.")
            if not bounds.minimum <= value <= bounds.maximum:
                raise InvalidSettingError(
                    f"Mockup setting {name} must be between {bounds.minimum} and {bounds.maximum}."
                )
        if self.edge_blur % 2 == 0:
            raise InvalidSettingError("Mockup setting edge_blur must be an odd number.")

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(name: str, raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        raise InvalidSettingError(f"Mockup setting {name} must be a number.")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise InvalidSettingError(f"Mockup setting {name} must be a number.") from exc
    if not value.is_finite():
        raise InvalidSettingError(f"Mockup setting {name} must be a finite number.")
    return value


def clamp_setting(name: str, raw: object) -> int:
    """One setting value rounded half-up to a whole number and clamped into its range."""
    bounds = RANGES.get(name)
    if bounds is None:
        raise UnknownSettingError(_unknown_message([name]))
    number = _number(name, raw)
    # Clamp before rounding so absurd magnitudes never reach quantize().
    if number <= bounds.minimum:
        value = bounds.minimum
    elif number >= bounds.maximum:
        value = bounds.maximum
    else:
        value = int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if name == "edge_blur" and value % 2 == 0:
        # The maximum (21) is odd, so rounding an even value up always stays in range.
        value += 1
    return value


def _unknown_message(keys: Sequence[str]) -> str:
    names = ", ".join(f'"{_short(key)}"' for key in keys[:3])
    more = f" (and {len(keys) - 3} more)" if len(keys) > 3 else ""
    noun = "setting" if len(keys) == 1 else "settings"
    return f"Unknown mockup {noun} {names}{more}. Known settings: {', '.join(RANGES)}."


def parse_settings(data: Mapping[str, object] | None) -> FrameSettings:
    """Settings from a dict: missing keys take defaults, values are clamped, unknown keys fail."""
    if data is None:
        return FrameSettings()
    if not isinstance(data, Mapping):
        raise InvalidSettingError("Mockup settings must be a set of named values.")
    unknown = sorted(str(key) for key in data if key not in RANGES)
    if unknown:
        raise UnknownSettingError(_unknown_message(unknown))
    values = {str(name): clamp_setting(str(name), raw) for name, raw in data.items()}
    return FrameSettings(**values)


def _coordinate(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise InvalidFrameError("Each frame corner needs numeric x and y coordinates.")
    value = float(raw)
    if not math.isfinite(value):
        raise InvalidFrameError("Frame corner coordinates must be finite numbers.")
    return value


def _point(raw: object) -> Point:
    if isinstance(raw, Mapping):
        if "x" not in raw or "y" not in raw:
            raise InvalidFrameError("Each frame corner needs an x and a y coordinate.")
        return (_coordinate(raw["x"]), _coordinate(raw["y"]))
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or len(raw) != 2:
        raise InvalidFrameError("Each frame corner must be an (x, y) pair.")
    return (_coordinate(raw[0]), _coordinate(raw[1]))


def order_corners(points: Sequence[Point]) -> Quad:
    """Top-left = min x+y, bottom-right = max x+y, the other two by y−x (top-right smaller).

    Ties are broken by the coordinates themselves (never by input order), so any permutation
    of the same four points gives the same result.
    """
    if len(points) != 4:
        raise InvalidFrameError(f"A frame needs exactly 4 corners, not {len(points)}.")
    pts = [(float(x), float(y)) for x, y in points]
    top_left = min(pts, key=lambda p: (p[0] + p[1], p[1], p[0]))
    rest = list(pts)
    rest.remove(top_left)
    bottom_right = max(rest, key=lambda p: (p[0] + p[1], p[1], p[0]))
    rest.remove(bottom_right)
    top_right, bottom_left = sorted(rest, key=lambda p: (p[1] - p[0], p[1], p[0]))
    return (top_left, top_right, bottom_right, bottom_left)


def quad_area(quad: Sequence[Point]) -> float:
    """Shoelace area of a polygon given in order (absolute value)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(quad, [*quad[1:], quad[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2.0


def is_convex(quad: Sequence[Point]) -> bool:
    """True when every turn of the ordered corners goes the same way (clockwise on screen)."""
    n = len(quad)
    for i in range(n):
        ax, ay = quad[i]
        bx, by = quad[(i + 1) % n]
        cx, cy = quad[(i + 2) % n]
        cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx)
        if cross <= 0.0:
            return False
    return True


def validate_points(raw_points: object, width: int, height: int) -> Quad:
    """Validated, ordered corners of a frame on a photo of `width`×`height` pixels."""
    if isinstance(raw_points, str | bytes) or not isinstance(raw_points, Sequence):
        raise InvalidFrameError("A frame needs a list of 4 corner points.")
    if len(raw_points) != 4:
        raise InvalidFrameError(f"A frame needs exactly 4 corners, not {len(raw_points)}.")
    points = [_point(raw) for raw in raw_points]
    for x, y in points:
        if not (0.0 <= x <= width and 0.0 <= y <= height):
            raise InvalidFrameError(
                f"A frame corner ({x:.0f}, {y:.0f}) lies outside the photo "
                f"({width}×{height}); keep all corners on the photo."
            )
    quad = order_corners(points)
    if quad_area(quad) < MIN_FRAME_AREA or not is_convex(quad):
        raise InvalidFrameError(
            "The frame's corners do not outline an area (too small, in a line or crossing); "
            "mark the four corners of the billboard."
        )
    return quad


@dataclass(frozen=True, slots=True)
class Frame:
    """One billboard face on a photo: ordered corners and look settings."""

    points: Quad
    settings: FrameSettings


def parse_frame(data: Mapping[str, object], width: int, height: int) -> Frame:
    """A frame from `{"points": [[x, y] × 4], "settings": {...}}` on a `width`×`height` photo."""
    if not isinstance(data, Mapping):
        raise InvalidFrameError("A frame must have points and settings.")
    unknown = sorted(str(key) for key in data if key not in ("points", "settings"))
    if unknown:
        raise InvalidFrameError(f'Unknown frame field "{_short(unknown[0])}".')
    settings_raw = data.get("settings")
    if settings_raw is not None and not isinstance(settings_raw, Mapping):
        raise InvalidSettingError("Mockup settings must be a set of named values.")
    return Frame(
        points=validate_points(data.get("points"), width, height),
        settings=parse_settings(settings_raw),
    )
