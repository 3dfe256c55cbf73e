"""Demo data: synthetic billboard photos with frames for the demo locations (`salesbot demo`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Literal

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.files import service as files
from salesbot.kit.errors import NotFound
from salesbot.kit.storage import Storage
from salesbot.mockups import images, places, repository
from salesbot.mockups.frames import Quad
from salesbot.mockups.models import MockupPhoto
from salesbot.mockups.photos import parse_frames
from salesbot.mockups.presenters import frame_json


@dataclass(frozen=True)
class DemoPhoto:
    location_key: str
    time_of_day: Literal["day", "night"]
    finish: str
    screens: tuple[Quad, ...]
    settings: Mapping[str, int]


_LANDMARK: Quad = ((520.0, 180.0), (1180.0, 220.0), (1170.0, 560.0), (530.0, 590.0))
_JAWHARA: tuple[Quad, ...] = (
    ((300.0, 150.0), (620.0, 170.0), (610.0, 760.0), (310.0, 770.0)),
    ((900.0, 170.0), (1220.0, 150.0), (1210.0, 770.0), (910.0, 760.0)),
)
DEMO_SIZE = (1600, 1000)
DEMO_PHOTOS = (
    DemoPhoto("the_landmark", "day", "gold", (_LANDMARK,), {"edge_blur": 3, "depth": 18}),
    DemoPhoto("the_landmark", "night", "gold", (_LANDMARK,), {"edge_blur": 3, "depth": 22}),
    DemoPhoto("jawhara", "day", "silver", _JAWHARA, {"edge_blur": 3, "vignette": 15}),
    DemoPhoto("jawhara", "night", "silver", _JAWHARA[:1], {"edge_blur": 3, "depth": 20}),
)


async def _add_demo_photo(
    session: AsyncSession, storage: Storage, demo: DemoPhoto, owner_id: uuid.UUID
) -> bool:
    """Add one demo photo unless its location is missing or it is there already."""
    try:
        place = await places.by_key(session, demo.location_key)
    except NotFound:
        return False
    night = demo.time_of_day == "night"
    data = await to_thread.run_sync(
        partial(images.render_demo_photo, *DEMO_SIZE, list(demo.screens), night=night)
    )
    if await repository.find_by_sha(session, place.id, hashlib.sha256(data).hexdigest()):
        return False
    record = await files.store_generated(
        session,
        storage,
        owner_id=owner_id,
        name=f"{place.key}_{demo.time_of_day}.jpg",
        data=data,
        content_type="image/jpeg",
        company_id=place.company_id,
    )
    width, height = DEMO_SIZE
    frames = parse_frames(
        [{"points": quad, "settings": dict(demo.settings)} for quad in demo.screens],
        width,
        height,
    )
    number = await repository.next_number(session, place.id)
    session.add(
        MockupPhoto(
            location_id=place.id,
            file_id=record.id,
            number=number,
            name=f"{place.key}_{number}.jpg",
            sha256=record.sha256,
            time_of_day=demo.time_of_day,
            finish=demo.finish,
            width=width,
            height=height,
            frames=[frame_json(f) for f in frames],
            created_by=owner_id,
        )
    )
    await session.commit()
    return True


async def ensure_demo_photos(
    session: AsyncSession, storage: Storage, *, owner_id: uuid.UUID
) -> int:
    """Synthetic billboard photos with frames for the demo locations; idempotent.

    The images are drawn (a street with green-screen billboards), so nothing is downloaded;
    the same drawing gives the same bytes, which is how a second run knows it is done.
    """
    added = 0
    for demo in DEMO_PHOTOS:
        if await _add_demo_photo(session, storage, demo, owner_id):
            added += 1
    return added
