"""Shared set-up for the offline model's tests: a small catalogue and a conversation driver."""

from __future__ import annotations

from datetime import date

from salesbot.assistant.offline import Context, Intent, KnownLocation, interpret

TODAY = date(2025, 11, 20)

LOCATIONS = (
    KnownLocation("landmark", ("The Landmark", "landmark tower")),
    KnownLocation("dubai_gateway", ("The Dubai Gateway", "gateway", "dpd gateway")),
    KnownLocation("jawhara", ("Jawhara",)),
    KnownLocation("uae21", ("UAE21",), display_type="static"),
    KnownLocation("uae22", ("UAE22",), display_type="static"),
    # Both answer to "marina": a mention the model must ask about.
    KnownLocation("marina_north", ("Marina Screen North", "marina north", "marina")),
    KnownLocation("marina_south", ("Marina Screen South", "marina south", "marina")),
)


def ask(message: str, **context: object) -> Intent:
    """Interpret one message with the test catalogue; keyword arguments build the Context."""
    return interpret(message, locations=LOCATIONS, context=Context(**context), today=TODAY)  # type: ignore[arg-type]


def answer(previous: Intent, message: str, **context: object) -> Intent:
    """Interpret a reply to `previous` (which must be waiting for something)."""
    assert previous.missing, "the previous intent asked nothing"
    return ask(message, pending=previous, **context)


def only_proposal(intent: Intent) -> dict[str, object]:
    """The single entry of a separate-proposals call."""
    assert intent.tool == "create_separate_proposals"
    proposals = intent.args["proposals"]
    assert isinstance(proposals, list) and len(proposals) == 1
    entry = proposals[0]
    assert isinstance(entry, dict)
    return entry
