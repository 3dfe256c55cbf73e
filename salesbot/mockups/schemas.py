"""Request and response models for mockup photos, frames, previews and generated mockups."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from salesbot.kit.tools import FileCard
from salesbot.mockups.frames import DEFAULT_TOLERANCE, MAX_TOLERANCE, RANGES

TimeOfDay = Literal["day", "night"]
Status = Literal["queued", "running", "done", "failed"]
OutputFormat = Literal["jpeg", "png"]
Finish = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40),
    Field(description="gold, silver or any other tag", examples=["gold"]),
]
LocationName = Annotated[
    str, Field(min_length=1, max_length=200, description="Key, name or alias; typos are matched")
]
Coordinate = Annotated[float, Field(ge=-1e9, le=1e9)]
CornerPoint = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
MAX_FRAMES = 12
MAX_CREATIVES = 10

_SETTINGS_HELP = "; ".join(
    f"{name} {r.minimum}–{r.maximum} (default {r.default})" for name, r in RANGES.items()
)


class _Forbid(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FrameIn(_Forbid):
    """One billboard face: four corners in photo pixels (any order) and its look settings."""

    points: list[CornerPoint] = Field(
        min_length=4,
        max_length=4,
        description="[[x, y] × 4]",
        examples=[[[10, 10], [90, 10], [90, 60], [10, 60]]],
    )
    settings: dict[str, float] | None = Field(
        default=None,
        description=f"Out-of-range values are clamped, unknown keys refused: {_SETTINGS_HELP}.",
    )


class FramesIn(_Forbid):
    frames: list[FrameIn] = Field(max_length=MAX_FRAMES)


class FrameSettingsOut(BaseModel):
    brightness: int
    contrast: int
    saturation: int
    image_blur: int
    edge_blur: int
    overlay: int
    depth: int
    shadow: int
    vignette: int
    sharpening: int
    lighting: int
    temperature: int
    edge_smoother: int


class FrameOut(BaseModel):
    points: list[list[float]] = Field(description="Top-left, top-right, bottom-right, bottom-left")
    settings: FrameSettingsOut


class PhotoFields(_Forbid):
    """What a billboard photo is of: the location, day or night, and the finish tag."""

    location: LocationName
    time_of_day: TimeOfDay
    finish: Finish = "other"


class PhotoFromFile(PhotoFields):
    """Make an already uploaded image (`POST /api/files`) a billboard photo of a location."""

    file_id: uuid.UUID


class PhotoOut(BaseModel):
    id: uuid.UUID
    location_key: str
    location_name: str
    name: str = Field(examples=["jawhara_2.jpg"])
    time_of_day: TimeOfDay
    finish: str
    width: int
    height: int
    frame_count: int
    frames: list[FrameOut]
    file_id: uuid.UUID
    image_url: str
    created_at: datetime


class DetectGreenIn(_Forbid):
    colour: Annotated[str, Field(max_length=7, examples=["#00ff00"])] = "#00ff00"
    tolerance: int = Field(
        default=DEFAULT_TOLERANCE,
        ge=0,
        le=MAX_TOLERANCE,
        description="Largest RGB distance still counted as the screen colour",
    )


class DetectGreenOut(BaseModel):
    frames: list[FrameOut] = Field(description="Candidates, largest first (not saved)")


class PreviewIn(_Forbid):
    photo_id: uuid.UUID
    frames: list[FrameIn] | None = Field(
        default=None, max_length=MAX_FRAMES, description="Unsaved frames; default the photo's own"
    )
    time_of_day: TimeOfDay | None = None
    creative_file_id: uuid.UUID | None = Field(
        default=None, description="An uploaded image; default a test poster"
    )
    text: str | None = Field(default=None, max_length=200, description="The test poster's text")
    max_side: int = Field(
        default=2048, ge=256, le=10_000, description="Longer side of the preview image in pixels"
    )


class MockupCreate(_Forbid):
    location: LocationName
    file_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=MAX_CREATIVES,
        description="Uploaded creatives: 1 fills every frame, N fill N frames in order",
    )
    prompt: str | None = Field(
        default=None, max_length=1000, description="Describe the artwork instead of uploading it"
    )
    reuse_previous: bool = Field(
        default=False, description="Use your last creatives (remembered for 30 minutes)"
    )
    time_of_day: TimeOfDay | None = None
    finish: Finish | None = None
    photo_id: uuid.UUID | None = None
    photo: str | None = Field(default=None, max_length=120, description="A photo's name")
    format: OutputFormat = "jpeg"


class MockupOut(BaseModel):
    id: uuid.UUID
    status: Status
    progress: int = Field(ge=0, le=100)
    message: str | None
    error: str | None
    location_key: str
    location_name: str
    photo_id: uuid.UUID | None
    photo_name: str
    time_of_day: TimeOfDay
    finish: str
    creative_source: Literal["upload", "ai", "poster"]
    creative_file_ids: list[uuid.UUID]
    prompt: str | None
    file: FileCard | None
    status_url: str
    created_at: datetime
    completed_at: datetime | None
