"""The photo a location's proposal slides show: an image an admin uploaded for it, kept with a
small copy made once, so a proposal never decodes a large photo again.

Which mockup photo is best is the proposals' question (they read both catalogues); this module
only keeps the small copy and says what it was made from.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.files import service as files
from salesbot.kit.errors import NotFound
from salesbot.kit.logging import get_logger
from salesbot.kit.pictures import PictureError, reduced_jpeg
from salesbot.kit.storage import Storage
from salesbot.locations import repository
from salesbot.locations.models import Location
from salesbot.locations.schemas import LocationOut
from salesbot.locations.service import (
    CATALOGUE_READER,
    LocationInfo,
    UploadRule,
    commit_file_choice,
    out,
    read_upload,
)

log = get_logger(__name__)

PHOTO_KINDS = frozenset({"jpeg", "png", "webp"})
PHOTO_MAX_BYTES = 120 * 1024 * 1024
SLIDE_PHOTO_MAX_BYTES = 8 * 1024 * 1024
_PHOTO_UPLOAD = UploadRule(
    kinds=PHOTO_KINDS,
    wrong_kind="The location photo must be a JPEG, PNG or WebP image.",
    wrong_kind_code="photo_not_image",
    max_bytes=PHOTO_MAX_BYTES,
    decode=reduced_jpeg,
    invalid=PictureError,
    code="photo",
)


async def set_photo(
    session: AsyncSession,
    storage: Storage,
    location: Location,
    file_id: uuid.UUID | None,
    *,
    actor: Principal,
) -> LocationOut:
    """Show an uploaded image (checked like every upload, then decoded once here to make the
    slides' small copy) on the location's slides; None goes back to the mockup photos."""
    slide_id: uuid.UUID | None = None
    source: str | None = None
    if file_id is not None:
        record, picture = await read_upload(session, storage, actor, file_id, _PHOTO_UPLOAD)
        # The upload now belongs to the catalogue: the company's people may read it too.
        await files.share_with_company(session, record.id, location.company_id)
        slide = await _store_copy(session, storage, location, picture.data, actor.user_id)
        slide_id, source = slide.id, record.sha256
    location.photo_file_id = file_id
    location.slide_photo_file_id = slide_id
    location.slide_photo_source = source
    await commit_file_choice(session, actor, location, "location.photo", file_id)
    log.info("location_photo_set", location=location.key, uploaded=file_id is not None)
    return await out(session, location)


async def _store_copy(
    session: AsyncSession, storage: Storage, location: Location, data: bytes, owner: uuid.UUID
) -> files.StoredFile:
    return await files.store_generated(
        session,
        storage,
        owner_id=owner,
        name=f"{location.key}_slide.jpg",
        data=data,
        content_type="image/jpeg",
        company_id=location.company_id,
    )


async def slide_photo(
    session: AsyncSession, storage: Storage, location: LocationInfo
) -> bytes | None:
    """The small copy the location's slides show, or None (none made yet, or its file is gone)."""
    if location.slide_photo_file_id is None:
        return None
    try:
        record = await files.get_for(session, CATALOGUE_READER, location.slide_photo_file_id)
        return await files.read_bytes(storage, record, max_bytes=SLIDE_PHOTO_MAX_BYTES)
    except (NotFound, files.FileTooLargeToProcess):
        log.warning("location_slide_photo_unavailable", location=location.key)
        return None


async def keep_slide_photo(
    session: AsyncSession,
    storage: Storage,
    location_id: uuid.UUID,
    data: bytes,
    source: str,
    owner: uuid.UUID,
) -> None:
    """Store `data` (a small JPEG made from the image whose sha256 is `source`) as the copy
    the location's slides show; the caller commits. The previous copy becomes an orphan that
    retention removes."""
    location = (await repository.get_many(session, [location_id])).get(location_id)
    if location is None or location.photo_file_id is not None:
        return  # deleted meanwhile, or an admin chose an image: that one stays
    slide = await _store_copy(session, storage, location, data, owner)
    location.slide_photo_file_id = slide.id
    location.slide_photo_source = source
    await session.flush()
