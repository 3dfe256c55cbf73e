"""Mockup rows shaped as API responses (pure shaping: no database, no files)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from salesbot.kit.tools import FileCard
from salesbot.mockups.frames import Frame, parse_settings
from salesbot.mockups.models import Mockup, MockupPhoto
from salesbot.mockups.places import Place
from salesbot.mockups.schemas import FrameOut, FrameSettingsOut, MockupOut, PhotoOut


def frame_out(points: Sequence[Sequence[float]], settings: Mapping[str, int]) -> FrameOut:
    return FrameOut(
        points=[[float(x), float(y)] for x, y in points],
        settings=FrameSettingsOut(**parse_settings(settings).to_dict()),
    )


def frame_json(frame: Frame) -> dict[str, Any]:
    """A validated frame as it is stored in `MockupPhoto.frames`."""
    return {"points": [[x, y] for x, y in frame.points], "settings": frame.settings.to_dict()}


def image_url(photo: MockupPhoto) -> str:
    return f"/api/mockups/photos/{photo.id}/image"


def photo_out(photo: MockupPhoto, place: Place) -> PhotoOut:
    return PhotoOut(
        id=photo.id,
        location_key=place.key,
        location_name=place.display_name,
        name=photo.name,
        time_of_day=photo.time_of_day,
        finish=photo.finish,
        width=photo.width,
        height=photo.height,
        frame_count=photo.frame_count,
        frames=[frame_out(f["points"], f["settings"]) for f in photo.frames or []],
        file_id=photo.file_id,
        image_url=image_url(photo),
        created_at=photo.created_at,
    )


def mockup_out(mockup: Mockup, file: FileCard | None) -> MockupOut:
    return MockupOut(
        id=mockup.id,
        status=mockup.status,
        progress=mockup.progress,
        message=mockup.message,
        error=mockup.error,
        location_key=mockup.location_key,
        location_name=mockup.location_name,
        photo_id=mockup.photo_id,
        photo_name=mockup.photo_name,
        time_of_day=mockup.time_of_day,
        finish=mockup.finish,
        creative_source=mockup.creative_source,
        creative_file_ids=[uuid.UUID(f) for f in mockup.creative_file_ids or []],
        prompt=mockup.prompt,
        file=file,
        status_url=f"/api/mockups/{mockup.id}",
        created_at=mockup.created_at,
        completed_at=mockup.completed_at,
    )
