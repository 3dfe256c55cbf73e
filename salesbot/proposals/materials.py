"""What a proposal's files are drawn from: the locations' template decks, the photo each
location's slide shows, and the client's name as it was first written.

Photos: an image an admin uploaded for the location wins; otherwise the location's best mockup
photo. Slides use a small copy made once and stored with the location, so producing a proposal
never decodes a large photo again (only the first proposal after the best photo changed does).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from anyio import to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.kit.errors import AppError
from salesbot.kit.logging import get_logger
from salesbot.kit.pictures import PictureError, reduced_jpeg
from salesbot.kit.storage import Storage
from salesbot.locations import photos as location_photos
from salesbot.locations import service as locations
from salesbot.locations.service import LocationInfo
from salesbot.mockups import photos as mockup_photos
from salesbot.proposals import repository
from salesbot.proposals.naming import client_case

log = get_logger(__name__)


async def client_name(session: AsyncSession, typed: str) -> str:
    """The client as first written in a proposal ("adidas" after "Adidas" → "Adidas")."""
    known = await repository.first_client_spelling(session, typed)
    return client_case(typed, known)


async def gather(
    session: AsyncSession, storage: Storage, chosen: Sequence[LocationInfo], owner: uuid.UUID
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The chosen locations' template decks and slide photos, by key."""
    decks = await templates(session, storage, chosen)
    return decks, await slide_photos(session, storage, chosen, owner)


async def templates(
    session: AsyncSession, storage: Storage, chosen: Sequence[LocationInfo]
) -> dict[str, bytes]:
    """The uploaded decks of the chosen locations, by key (locations without one are absent)."""
    found: dict[str, bytes] = {}
    for loc in chosen:
        if loc.key not in found:
            deck = await locations.template_of(session, storage, loc)
            if deck is not None:
                found[loc.key] = deck
    return found


async def slide_photos(
    session: AsyncSession,
    storage: Storage,
    chosen: Sequence[LocationInfo],
    owner: uuid.UUID,
) -> dict[str, bytes]:
    """The photo (a small JPEG) each chosen location's slide shows, by key; locations without
    a photo are absent. The caller commits (a newly made copy is stored with the location)."""
    found: dict[str, bytes] = {}
    for loc in chosen:
        if loc.key in found or loc.template_file_id is not None:
            continue  # a template deck presents the site itself
        photo = await _site_photo(session, storage, loc, owner)
        if photo is not None:
            found[loc.key] = photo
    return found


async def _site_photo(
    session: AsyncSession, storage: Storage, loc: LocationInfo, owner: uuid.UUID
) -> bytes | None:
    if loc.photo_file_id is not None:
        return await location_photos.slide_photo(session, storage, loc)
    best = await mockup_photos.best_photo(session, loc.id)
    if best is None:
        return None
    if loc.slide_photo_source == best.sha256:
        kept = await location_photos.slide_photo(session, storage, loc)
        if kept is not None:
            return kept
    try:
        source = await mockup_photos.photo_bytes(session, storage, best)
        picture = await to_thread.run_sync(reduced_jpeg, source)
    except (AppError, PictureError):
        log.warning("proposal_photo_unusable", location=loc.key, photo=best.name)
        return None
    await location_photos.keep_slide_photo(
        session, storage, loc.id, picture.data, best.sha256, owner
    )
    return picture.data
