"""The client's side of a link: open it by token, the PIN, page images, the beacon.

Nothing here needs an account: the token (only its hash is stored) is the credential, plus the
PIN when the link has one. Every read checks the link's state first, so an expired, revoked,
locked or superseded link never yields the proposal's data.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.files import service as files
from salesbot.kit.errors import AppError, NotFound, ValidationFailed
from salesbot.kit.ids import new_id
from salesbot.kit.storage import Storage
from salesbot.proposals import records
from salesbot.proposals import service as proposals
from salesbot.proposals.schemas import ProposalOut
from salesbot.settings import Settings
from salesbot.sharing import pages, repository
from salesbot.sharing.models import ShareDecision, ShareLink, SharePageTime, ShareView
from salesbot.sharing.privacy import device_of, truncate_ip
from salesbot.sharing.schemas import BeaconIn, LinkState
from salesbot.sharing.service import state_of
from salesbot.users.credentials import hash_secret, verify_password

PIN_COOKIE = "salesbot_share_pin"
MAX_TOKEN = 100
# One beacon reports at most half an hour per page; a view at most this many beacons.
MAX_SECONDS_PER_PAGE = 1800.0
MAX_BEATS_PER_VIEW = 2000


class LinkGone(AppError):
    """The link exists but shows nothing: expired, revoked, locked or superseded."""

    status_code = 410
    code = "link_unavailable"


GONE_MESSAGES: dict[str, str] = {
    "expired": "This link has expired. Ask your contact for a new one.",
    "revoked": "This link has been withdrawn. Ask your contact for a new one.",
    "replaced": "A newer link was sent to you; please use that one.",
    "locked": "This link is locked after too many wrong PINs. Ask your contact for a new one.",
    "superseded": "This proposal has been replaced by a newer version. Ask your contact for it.",
}


@dataclass
class Opened:
    """A link opened by its token, the proposal as shown, and where the link stands."""

    link: ShareLink
    proposal: ProposalOut
    pdf_file_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    state: LinkState
    decision: ShareDecision | None


async def open_token(
    session: AsyncSession, token: str, *, settings: Settings, now: datetime
) -> Opened:
    """The link behind `token` (NotFound for an unknown one: no hint which part was wrong)."""
    if not token or len(token) > MAX_TOKEN:
        raise NotFound("Link not found.")
    link = await repository.by_token_hash(session, hash_secret(token))
    proposal = await records.find(session, link.proposal_id) if link is not None else None
    if link is None or proposal is None:
        raise NotFound("Link not found.")
    superseded = await records.is_superseded(session, proposal)
    return Opened(
        link=link,
        proposal=proposals.to_out(proposal),
        pdf_file_id=records.pdf_file_id(proposal),
        owner_id=proposal.owner_id,
        state=state_of(link, now, superseded=superseded, pin_attempts=settings.share_pin_attempts),
        decision=await repository.decision_of(session, link.id),
    )


def require_active(opened: Opened) -> None:
    if opened.state != "active":
        raise LinkGone(GONE_MESSAGES[opened.state], details={"state": opened.state})


# --- the PIN -------------------------------------------------------------------------------


def _sign(settings: Settings, purpose: str, *parts: object) -> str:
    key = settings.secret_key.get_secret_value().encode()
    message = ":".join([purpose, *(str(p) for p in parts)]).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def pin_proof(settings: Settings, link: ShareLink) -> str:
    """The cookie value proving this browser entered this link's PIN (bound to the PIN)."""
    return _sign(settings, "share-pin", link.id, link.pin_hash or "")


def pin_passed(settings: Settings, link: ShareLink, cookie: str | None) -> bool:
    if link.pin_hash is None:
        return True
    return bool(cookie) and hmac.compare_digest(pin_proof(settings, link), cookie or "")


async def check_pin(session: AsyncSession, opened: Opened, pin: str) -> bool:
    """True for the right PIN; a wrong one is counted (the link locks at the limit)."""
    if await verify_password(opened.link.pin_hash, pin[:20]):
        return True
    await repository.count_pin_failure(session, opened.link.id)
    await session.commit()
    return False


# --- views and the beacon ------------------------------------------------------------------


def new_view_token(settings: Settings, link: ShareLink) -> str:
    """A signed id for one opening of the page; the beacon presents it back."""
    view_id = new_id()
    return f"{view_id}.{_sign(settings, 'share-view', link.id, view_id)[:32]}"


def read_view_token(settings: Settings, link: ShareLink, token: str) -> uuid.UUID:
    raw_id, _, signature = token.partition(".")
    try:
        view_id = uuid.UUID(raw_id)
    except ValueError:
        raise ValidationFailed("This page view is not recognised.", code="bad_view") from None
    expected = _sign(settings, "share-view", link.id, view_id)[:32]
    if not hmac.compare_digest(expected, signature):
        raise ValidationFailed("This page view is not recognised.", code="bad_view")
    return view_id


def _checked_pages(beacon: BeaconIn, page_total: int) -> list[tuple[int, int]]:
    """(page, milliseconds) per reported page; the whole beacon is refused when one is off."""
    checked = []
    for page, seconds in sorted(beacon.pages.items()):
        if not 1 <= page <= page_total or not 0 <= seconds <= MAX_SECONDS_PER_PAGE:
            raise ValidationFailed(
                "The page times sent are not possible for this proposal.", code="bad_beacon"
            )
        if seconds > 0:
            checked.append((page, round(seconds * 1000)))
    return checked


async def record_beacon(
    session: AsyncSession,
    opened: Opened,
    beacon: BeaconIn,
    *,
    settings: Settings,
    page_total: int,
    now: datetime,
    ip: str | None,
    user_agent: str | None,
) -> bool:
    """Record an opening and/or time per page; True when this was the link's first opening."""
    view_id = read_view_token(settings, opened.link, beacon.view)
    times = _checked_pages(beacon, page_total)
    view = await repository.view(session, view_id)
    if view is not None and view.share_id != opened.link.id:
        raise ValidationFailed("This page view is not recognised.", code="bad_view")
    first = False
    if view is None:
        if not beacon.open and not times:
            return False
        session.add(
            ShareView(
                id=view_id,
                share_id=opened.link.id,
                opened_at=now,
                ip_prefix=truncate_ip(ip),
                device=device_of(user_agent),
            )
        )
        await session.flush()
        first = await repository.mark_first_open(session, opened.link.id, now)
    if times and await repository.beats_of_view(session, view_id) < MAX_BEATS_PER_VIEW:
        session.add_all(SharePageTime(view_id=view_id, page=p, milliseconds=ms) for p, ms in times)
    await session.commit()
    return first


# --- the document --------------------------------------------------------------------------


async def pdf_bytes(session: AsyncSession, storage: Storage, file_id: uuid.UUID | None) -> bytes:
    record = await files.find_live(session, file_id)
    if record is None:
        raise NotFound("This proposal's document is no longer available.")
    return await files.read_bytes(storage, record)


class _PageCache:
    """Recently drawn page images by (PDF hash, page): drawing a slide takes a while."""

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._counts: dict[str, int] = {}
        self._lock = Lock()

    async def count(self, pdf: bytes) -> int:
        digest = hashlib.sha256(pdf).hexdigest()
        if digest not in self._counts:
            count = await asyncio.to_thread(pages.page_count, pdf)
            with self._lock:
                if len(self._counts) >= self.size * 4:
                    self._counts.clear()  # a page count is cheap to take again
                self._counts[digest] = count
        return self._counts[digest]

    async def image(self, pdf: bytes, number: int) -> bytes:
        key = (hashlib.sha256(pdf).hexdigest(), number)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        data = await asyncio.to_thread(pages.page_jpeg, pdf, number)
        with self._lock:
            self._items[key] = data
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return data


PAGE_CACHE = _PageCache()
