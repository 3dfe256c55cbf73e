"""The system prompt: who the user is, today's date in the office's time zone, the catalogue."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from salesbot.assistant.offline.lexer import KnownLocation

MAX_LISTED = 80

ROLE_NAMES = {
    "sales_person": "salesperson",
    "coordinator": "sales coordinator",
    "hos": "head of sales",
    "finance": "finance",
    "admin": "administrator",
    "viewer": "viewer",
}


class LocationLike(Protocol):
    key: str
    display_name: str
    display_type: str
    aliases: list[str]


def known_locations(locations: Sequence[LocationLike]) -> list[KnownLocation]:
    """The catalogue as the offline grammar knows it: key, display name, aliases, type."""
    return [
        KnownLocation(
            key=loc.key,
            names=tuple(dict.fromkeys([loc.display_name, *loc.aliases])),
            display_type=loc.display_type,
        )
        for loc in locations
    ]


def catalogue_summary(locations: Sequence[LocationLike]) -> str:
    """One line per display type: "digital (3): The Landmark [landmark], ..."."""
    if not locations:
        return "The location catalogue is empty."
    lines = []
    for kind in sorted({loc.display_type for loc in locations}):
        group = sorted((loc for loc in locations if loc.display_type == kind), key=lambda x: x.key)
        shown = ", ".join(f"{loc.display_name} [{loc.key}]" for loc in group[:MAX_LISTED])
        more = f", and {len(group) - MAX_LISTED} more" if len(group) > MAX_LISTED else ""
        lines.append(f"- {kind} ({len(group)}): {shown}{more}")
    return "\n".join(lines)


def render(*, name: str, roles: Sequence[str], today: date, timezone: str, catalogue: str) -> str:
    role_text = ", ".join(ROLE_NAMES.get(r, r) for r in roles) or "no role"
    return (
        "You are the assistant of Sales Proposal Bot, used by the sales team of an out-of-home "
        "media owner (billboards and LED screens). You build proposals and package proposals, "
        "billboard mockups and booking orders by calling the tools you are given.\n"
        f"You are talking to {name} ({role_text}).\n"
        f"Today is {today.strftime('%A, %d %B %Y')} ({timezone}).\n\n"
        "Rules:\n"
        "- Use the tools for anything about locations, availability, proposals, mockups, "
        "booking orders and past conversations; never invent locations, prices, references, "
        "bookings or files.\n"
        "- Before calling a tool, make sure you have every required detail (client, start date, "
        "durations, net rates, ...). If something is missing, ask for it in plain words.\n"
        "- Amounts are AED unless the user names another currency; 1.5M means 1,500,000.\n"
        '- To change the proposal just made ("make it 4 weeks instead", "add jawhara"), call '
        "revise_proposal with only what changed; it makes a new version.\n"
        "- If a tool reports a problem, explain it briefly and say what the user can do.\n"
        "- Keep replies short and friendly; files you produce are shown to the user as cards, "
        "so do not paste links.\n\n"
        f"Location catalogue:\n{catalogue}"
    )
