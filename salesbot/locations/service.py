"""Location catalogue rules: admin changes, matching, templates, import and export."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from anyio import to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal, RoleGrant
from salesbot.files import service as files
from salesbot.kit.decks import TemplateError, open_deck
from salesbot.kit.errors import Conflict, NotFound, ValidationFailed
from salesbot.kit.logging import get_logger
from salesbot.kit.pagination import decode_cursor, encode_cursor
from salesbot.kit.storage import Storage
from salesbot.locations import repository
from salesbot.locations.matching import (
    AmbiguousLocation,
    LocationRef,
    MatchResult,
    UnknownLocation,
    match_location,
    quote_name,
)
from salesbot.locations.models import Location
from salesbot.locations.schemas import (
    LocationBrief,
    LocationCreate,
    LocationOut,
    LocationUpdate,
    MatchOut,
)
from salesbot.users import audit
from salesbot.users import service as users

log = get_logger(__name__)
T = TypeVar("T")

LOCATION_NOT_FOUND = "Location not found."
DEFAULT_SPOT_S = 16
DEFAULT_LOOP_S = 96
DEFAULT_SOV_PCT = Decimal("16.6")
DIGITAL_ONLY = ("spot_duration_s", "loop_duration_s", "sov_pct", "upload_fee")
TEMPLATE_MAX_BYTES = 50 * 1024 * 1024
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Templates are read on behalf of whoever makes a proposal, not only the admin who uploaded them.
_TEMPLATE_READER = Principal(
    user_id=uuid.UUID(int=0),
    email="system",
    name="Template reader",
    roles=(RoleGrant("admin"),),
    permissions=frozenset(),
    auth_method="system",
)
CATALOGUE_READER = _TEMPLATE_READER  # also reads the locations' slide photos


# --- reading -------------------------------------------------------------------------------


def _plain(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def to_out(location: Location, company: users.CompanyInfo | None) -> LocationOut:
    return LocationOut(
        id=location.id,
        key=location.key,
        display_name=location.display_name,
        aliases=list(location.aliases or []),
        company=company.code if company else "",
        company_name=company.name if company else "",
        display_type="static" if location.display_type == "static" else "digital",
        series=location.series or "",
        width_m=_plain(location.width_m),
        height_m=_plain(location.height_m),
        number_of_faces=location.number_of_faces,
        spot_duration_s=location.spot_duration_s,
        loop_duration_s=location.loop_duration_s,
        sov_pct=_plain(location.sov_pct),
        upload_fee=_plain(location.upload_fee),
        template_file_id=location.template_file_id,
        photo_file_id=location.photo_file_id,
        slide_photo_file_id=location.slide_photo_file_id,
        is_active=location.is_active,
        created_at=location.created_at,
        updated_at=location.updated_at,
    )


async def outs(session: AsyncSession, locations: Sequence[Location]) -> list[LocationOut]:
    companies = await users.companies_by_id(session, (loc.company_id for loc in locations))
    return [to_out(loc, companies.get(loc.company_id)) for loc in locations]


async def out(session: AsyncSession, location: Location) -> LocationOut:
    return (await outs(session, [location]))[0]


async def get_location(session: AsyncSession, key: str) -> Location:
    location = await repository.get_by_key(session, key.strip().lower())
    if location is None:
        raise NotFound(LOCATION_NOT_FOUND)
    return location


async def list_locations(
    session: AsyncSession,
    *,
    display_type: str | None = None,
    company: str | None = None,
    include_inactive: bool = False,
    cursor: str | None = None,
    limit: int = 100,
) -> tuple[list[LocationOut], str | None]:
    """One page ordered by key, and the next page's cursor (None at the end)."""
    after = decode_cursor(cursor)
    after_key = str(after.get("key", "")) if after else None
    company_id = None
    if company:
        found = await _company(session, company)
        company_id = found.id
    rows = await repository.list_locations(
        session,
        display_type=display_type,
        company_id=company_id,
        active_only=not include_inactive,
        after_key=after_key,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor({"key": rows[-1].key}) if more and rows else None
    return await outs(session, rows), next_cursor


async def active_locations(session: AsyncSession) -> list[Location]:
    return await repository.list_locations(session, active_only=True)


@dataclass(frozen=True)
class LocationInfo:
    """A location as plain values, for other capabilities (proposals price and record these)."""

    id: uuid.UUID
    key: str
    display_name: str
    aliases: tuple[str, ...]
    company_id: uuid.UUID
    display_type: str  # digital | static
    series: str
    width_m: Decimal | None
    height_m: Decimal | None
    number_of_faces: int
    spot_duration_s: int | None
    loop_duration_s: int | None
    sov_pct: Decimal | None
    upload_fee: Decimal | None
    template_file_id: uuid.UUID | None
    photo_file_id: uuid.UUID | None = None
    slide_photo_file_id: uuid.UUID | None = None
    slide_photo_source: str | None = None  # sha256 of the image the slide copy was made from


def info(location: Location) -> LocationInfo:
    return LocationInfo(
        id=location.id,
        key=location.key,
        display_name=location.display_name,
        aliases=tuple(location.aliases or []),
        company_id=location.company_id,
        display_type=location.display_type,
        series=location.series or "",
        width_m=location.width_m,
        height_m=location.height_m,
        number_of_faces=location.number_of_faces,
        spot_duration_s=location.spot_duration_s,
        loop_duration_s=location.loop_duration_s,
        sov_pct=location.sov_pct,
        upload_fee=location.upload_fee,
        template_file_id=location.template_file_id,
        photo_file_id=location.photo_file_id,
        slide_photo_file_id=location.slide_photo_file_id,
        slide_photo_source=location.slide_photo_source,
    )


async def active_infos(session: AsyncSession) -> list[LocationInfo]:
    """The locations a proposal may use, by key."""
    return [info(loc) for loc in await active_locations(session)]


@dataclass(frozen=True)
class NameMatch:
    """One name matched against the active locations: the winner, or why there is none."""

    location: LocationInfo | None
    outcome: str
    candidates: tuple[LocationRef, ...]  # the close alternatives, best first
    message: str = ""  # without a winner: "could be several ..." or "Unknown location ..."


async def match_active(session: AsyncSession, names: Sequence[str]) -> list[NameMatch]:
    """Each name matched against the active locations (loaded once)."""
    pool = await active_infos(session)
    by_key = {loc.key: loc for loc in pool}
    pool_refs = refs(pool)
    matches: list[NameMatch] = []
    for name in names:
        result = match_location(name, pool_refs)
        if result.winner is not None:
            winner = by_key[result.winner.key]
            matches.append(NameMatch(winner, result.outcome, result.candidates))
            continue
        shown = [r.display_name for r in result.candidates]
        error = (
            AmbiguousLocation(name, shown)
            if result.outcome == "ambiguous"
            else UnknownLocation(name, shown)
        )
        matches.append(NameMatch(None, result.outcome, result.candidates, str(error)))
    return matches


def refs(locations: Sequence[Location | LocationInfo]) -> list[LocationRef]:
    return [LocationRef(loc.key, loc.display_name, tuple(loc.aliases or [])) for loc in locations]


async def match(session: AsyncSession, query: str, *, include_inactive: bool = False) -> MatchOut:
    """Match a user's words to a location (inactive ones only when asked, e.g. for admins)."""
    pool = await repository.list_locations(session, active_only=not include_inactive)
    result = match_location(query, refs(pool))
    return await match_out(session, result, pool)


async def match_out(
    session: AsyncSession, result: MatchResult, pool: Sequence[Location]
) -> MatchOut:
    by_key = {loc.key: loc for loc in pool}
    briefs = [LocationBrief(key=r.key, display_name=r.display_name) for r in result.candidates]
    names = [r.display_name for r in result.candidates]
    query = quote_name(result.query, 200)
    if result.winner is not None:
        location = await out(session, by_key[result.winner.key])
        return MatchOut(query=query, outcome=result.outcome, location=location, candidates=briefs)
    error = (
        AmbiguousLocation(result.query, names)
        if result.outcome == "ambiguous"
        else UnknownLocation(result.query, names)
    )
    return MatchOut(query=query, outcome=result.outcome, candidates=briefs, message=str(error))


async def resolve(session: AsyncSession, query: str, *, include_inactive: bool = False) -> Location:
    """The one location `query` names; 404 with "Did you mean" / 422 asking which one."""
    pool = await repository.list_locations(session, active_only=not include_inactive)
    result = match_location(query, refs(pool))
    if result.winner is not None:
        return next(loc for loc in pool if loc.key == result.winner.key)
    names = [r.display_name for r in result.candidates]
    if result.outcome == "ambiguous":
        raise ValidationFailed(
            str(AmbiguousLocation(query, names)),
            code="ambiguous_location",
            details={"candidates": [r.key for r in result.candidates]},
        )
    raise NotFound(
        str(UnknownLocation(query, names)),
        code="unknown_location",
        details={"suggestions": [r.key for r in result.candidates]},
    )


async def companies_of(
    session: AsyncSession, locations: Sequence[Location | LocationInfo]
) -> dict[uuid.UUID, users.CompanyInfo]:
    return await users.companies_by_id(session, (loc.company_id for loc in locations))


async def template_of(
    session: AsyncSession, storage: Storage, location: Location | LocationInfo
) -> bytes | None:
    """The location's uploaded deck, or None (no template, or its file is gone)."""
    if location.template_file_id is None:
        return None
    try:
        record = await files.get_for(session, _TEMPLATE_READER, location.template_file_id)
        return await files.read_bytes(storage, record, max_bytes=TEMPLATE_MAX_BYTES)
    except (NotFound, files.FileTooLargeToProcess):
        log.warning("location_template_unavailable", location=location.key)
        return None


# --- changes (admins) ----------------------------------------------------------------------


async def _company(session: AsyncSession, ref: str | None) -> users.CompanyInfo:
    if ref is None:
        companies = await users.list_companies(session)
        if len(companies) == 1:
            return companies[0]
        names = ", ".join(c.name for c in companies) or "none yet"
        raise ValidationFailed(
            f"Which company sells this location? Companies: {names}.",
            code="company_required",
            details={"allowed": [c.code for c in companies]},
        )
    company = await users.company_by_ref(session, ref)
    if company is None:
        companies = await users.list_companies(session)
        names = ", ".join(c.name for c in companies) or "none yet"
        raise ValidationFailed(
            f"Unknown company '{quote_name(ref, 40)}'. Companies: {names}.",
            code="unknown_company",
            details={"allowed": [c.code for c in companies]},
        )
    return company


def slug(name: str) -> str:
    """ "The Dubai Gateway" → "dubai_gateway"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("_", folded.lower()).strip("_")
    if text.startswith("the_"):
        text = text[4:]
    return text[:80].strip("_")


def apply_values(location: Location, values: dict[str, Any], default_upload_fee: Decimal) -> None:
    """Set the given fields; a static location drops digital fields, a digital one gets defaults."""
    for name, value in values.items():
        if name != "company":
            setattr(location, name, value)
    if location.display_type == "static":
        for name in DIGITAL_ONLY:
            setattr(location, name, None)
        return
    if location.spot_duration_s is None:
        location.spot_duration_s = DEFAULT_SPOT_S
    if location.loop_duration_s is None:
        location.loop_duration_s = DEFAULT_LOOP_S
    if location.sov_pct is None:
        location.sov_pct = DEFAULT_SOV_PCT
    if location.upload_fee is None:
        location.upload_fee = default_upload_fee


def _key_taken(key: str) -> Conflict:
    return Conflict(f"A location with the key '{key}' already exists.", code="location_exists")


async def _commit(session: AsyncSession, key: str) -> None:
    try:
        await session.commit()
    except IntegrityError:
        await session.rollback()
        raise _key_taken(key) from None


async def create_location(
    session: AsyncSession,
    data: LocationCreate,
    *,
    actor: Principal,
    default_upload_fee: Decimal,
) -> LocationOut:
    key = data.key or slug(data.display_name)
    if not key:
        raise ValidationFailed("Please give the location a key (letters and digits).")
    if await repository.get_by_key(session, key) is not None:
        raise _key_taken(key)
    company = await _company(session, data.company)
    location = Location(key=key, company_id=company.id)
    apply_values(location, data.model_dump(exclude={"key"}), default_upload_fee)
    repository.add(session, location)
    audit.record(session, actor, "location.create", audit.Target("location", key))
    await _commit(session, key)
    log.info("location_created", location=key)
    return to_out(location, company)


async def update_location(
    session: AsyncSession,
    location: Location,
    changes: LocationUpdate,
    *,
    actor: Principal,
    default_upload_fee: Decimal,
) -> LocationOut:
    values = changes.changes()
    new_key = values.get("key")
    if (
        new_key is not None
        and new_key != location.key
        and await repository.get_by_key(session, new_key) is not None
    ):
        raise _key_taken(new_key)
    if "company" in values:
        location.company_id = (await _company(session, values["company"])).id
    apply_values(location, values, default_upload_fee)
    audit.record(
        session,
        actor,
        "location.update",
        audit.Target("location", location.key),
        {"fields": sorted(values)},
    )
    await _commit(session, location.key)
    log.info("location_updated", location=location.key, fields=sorted(values))
    return await out(session, location)


async def delete_location(session: AsyncSession, location: Location, *, actor: Principal) -> None:
    """Remove a location; proposals keep their own copy of its name and key."""
    key = location.key
    await repository.delete(session, location)
    audit.record(session, actor, "location.delete", audit.Target("location", key))
    await session.commit()
    log.info("location_deleted", location=key)


@dataclass(frozen=True)
class UploadRule(Generic[T]):
    """What an admin's upload for a location must be, and how it is decoded (in a thread).

    Refusals are ValidationFailed: `wrong_kind` (code `wrong_kind_code`) for another kind of
    file, `<code>_too_large` over `max_bytes`, `<code>_invalid` when `decode` raises `invalid`.
    """

    kinds: frozenset[str]
    wrong_kind: str
    wrong_kind_code: str
    max_bytes: int
    decode: Callable[[bytes], T]
    invalid: type[Exception]
    code: str


async def read_upload(
    session: AsyncSession,
    storage: Storage,
    actor: Principal,
    file_id: uuid.UUID,
    rule: UploadRule[T],
) -> tuple[files.StoredFile, T]:
    """The uploaded file `actor` may read, checked against `rule`, and what it decodes to."""
    record = await files.get_for(session, actor, file_id)
    if record.kind not in rule.kinds:
        raise ValidationFailed(rule.wrong_kind, code=rule.wrong_kind_code)
    try:
        data = await files.read_bytes(storage, record, max_bytes=rule.max_bytes)
    except files.FileTooLargeToProcess as exc:
        raise ValidationFailed(str(exc), code=f"{rule.code}_too_large") from None
    try:
        decoded = await to_thread.run_sync(rule.decode, data)
    except rule.invalid as exc:
        raise ValidationFailed(str(exc), code=f"{rule.code}_invalid") from None
    return record, decoded


async def commit_file_choice(
    session: AsyncSession,
    actor: Principal,
    location: Location,
    action: str,
    file_id: uuid.UUID | None,
) -> None:
    """Audit the location's new file (`file_id`, or None when cleared) as `action`; commit."""
    audit.record(
        session,
        actor,
        action,
        audit.Target("location", location.key),
        {"file_id": str(file_id) if file_id else None},
    )
    await session.commit()


_TEMPLATE_UPLOAD: UploadRule[Any] = UploadRule(
    kinds=frozenset({"pptx"}),
    wrong_kind="The template must be a PowerPoint (.pptx) file.",
    wrong_kind_code="template_not_pptx",
    max_bytes=TEMPLATE_MAX_BYTES,
    decode=open_deck,
    invalid=TemplateError,
    code="template",
)


async def set_template(
    session: AsyncSession,
    storage: Storage,
    location: Location,
    file_id: uuid.UUID | None,
    *,
    actor: Principal,
) -> LocationOut:
    """Use an uploaded PPTX as the location's deck (checked that it opens), or clear it."""
    if file_id is not None:
        _, deck = await read_upload(session, storage, actor, file_id, _TEMPLATE_UPLOAD)
        if len(deck.slides) < 1:
            raise ValidationFailed("The template deck has no slides.", code="template_invalid")
    location.template_file_id = file_id
    await commit_file_choice(session, actor, location, "location.template", file_id)
    return await out(session, location)


async def upsert_location(
    session: AsyncSession, *, company_id: uuid.UUID, **fields: Any
) -> Location:
    """Create or update a location by key (used by demo data); the caller commits."""
    key = str(fields["key"]).strip().lower()
    location = await repository.get_by_key(session, key)
    if location is None:
        location = Location(key=key, company_id=company_id, aliases=[])
        repository.add(session, location)
    location.company_id = company_id
    for name, value in fields.items():
        if name == "key":
            continue
        setattr(
            location,
            name,
            Decimal(value)
            if isinstance(value, str) and name.endswith(("_m", "_fee", "_pct"))
            else value,
        )
    await session.flush()
    return location


async def by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Location]:
    """Locations by id (unknown ids left out), for capabilities that keep location ids."""
    return await repository.get_many(session, ids)
