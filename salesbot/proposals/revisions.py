"""Follow-up edits in a chat: the latest proposal of *this* conversation, changed as the user
said, becomes the next version (the previous one is kept, linked by `previous_id`).

`plan` finds the proposal, resolves the named locations like a new proposal does (catalogue,
typos) and applies the changes (`revising`, pure); the tool then produces it with
`service.create_proposal(previous=...)`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.auth.service import Principal
from salesbot.kit.errors import NotFound
from salesbot.locations import service as locations
from salesbot.proposals import repository, revising, service
from salesbot.proposals.inputs import ProposalError
from salesbot.proposals.models import Proposal
from salesbot.proposals.revising import Changes, Place


class NoProposal(NotFound):
    """The conversation has no proposal (that the caller may see) to change."""

    code = "no_proposal"


Requested = Changes
"""The edit as asked: the fields of `Changes`, but its locations (`add`, `remove`,
`location`) by the user's words (key, name, alias or a typo); `plan` resolves them to keys."""


@dataclass
class Plan:
    previous: Proposal
    request: service.ProposalInput
    changed: list[str] = field(default_factory=list)


async def latest(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID
) -> Proposal | None:
    """The newest proposal made in the conversation that the caller may see."""
    return await repository.latest_in_conversation(
        session, conversation_id, service.visibility(principal)
    )


def _own_places(previous: Proposal) -> dict[str, Place]:
    return {
        str(loc.get("key")): Place(
            str(loc.get("display_name") or loc.get("key")), loc.get("display_type") == "static"
        )
        for loc in previous.figures.get("locations", [])
    }


async def _resolve(
    session: AsyncSession, names: Sequence[str], own: dict[str, Place]
) -> tuple[list[str], dict[str, Place]]:
    """Each name's catalogue key (a place already in the proposal by its own name too)."""
    keys: list[str] = []
    places: dict[str, Place] = {}
    matches = await locations.match_active(session, names)
    for name, match in zip(names, matches, strict=True):
        mine = [k for k, p in own.items() if name.strip().lower() in (k, p.name.lower())]
        if mine:
            keys.append(mine[0])
            continue
        if match.location is None:
            hint = [r.display_name for r in match.candidates]
            message = match.message or f"I couldn't find '{name[:60]}' in the catalogue."
            raise service.ProposalRejected(
                message,
                code="ambiguous_location" if match.outcome == "ambiguous" else "unknown_location",
                details={"suggestions": hint},
            )
        loc = match.location
        keys.append(loc.key)
        places[loc.key] = Place(loc.display_name, loc.display_type == "static")
    return keys, places


async def plan(
    session: AsyncSession, principal: Principal, conversation_id: uuid.UUID, asked: Requested
) -> Plan:
    """The next version's request and what changed; NoProposal, NeedsMore or
    ProposalRejected when it cannot be made as asked."""
    previous = await latest(session, principal, conversation_id)
    if previous is None:
        raise NoProposal("There is no proposal in this conversation to change.")
    own = _own_places(previous)
    add, added = await _resolve(session, asked.add, own)
    remove, _ = await _resolve(session, asked.remove, own)
    target, _ = await _resolve(session, [asked.location] if asked.location else [], own)
    changes = replace(asked, location=target[0] if target else None, add=add, remove=remove)
    keys = [str(loc.get("key")) for loc in previous.figures.get("locations", [])]
    try:
        revised = revising.revise(previous.input, keys, {**own, **added}, changes)
    except revising.NeedsMore:
        raise
    except ProposalError as exc:
        raise service.ProposalRejected(str(exc), code="edit_refused") from None
    request = service.parse_input(_clean(revised.input))
    return Plan(previous, request, revised.changed)


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    """The edited request without empty values (the API's shape refuses unknown nulls)."""
    out = {k: v for k, v in raw.items() if v is not None}
    for name in ("proposals", "locations"):
        if name in out:
            out[name] = [{k: v for k, v in item.items() if v is not None} for item in out[name]]
    return out
