"""`/proposal`: a modal with the proposal form's fields, checked like the web form, the result
(figures and files) posted to the user's direct messages.

The fields become the same request body the web form sends (`ProposalCreate`); its validation
and the pricing check (`preview_proposal`) answer in the modal, next to the field concerned.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from salesbot.auth.service import Principal
from salesbot.kit.errors import AppError
from salesbot.proposals import flows
from salesbot.proposals import service as proposals
from salesbot.proposals.schemas import ProposalCreate

if TYPE_CHECKING:
    from salesbot.slack.channel import SlackChannel

VIEW = "proposal_form"
_BODY: TypeAdapter[Any] = TypeAdapter(ProposalCreate)
# The modal's blocks (block id = action id) and their labels, in order.
FIELDS: tuple[tuple[str, str, bool, bool], ...] = (
    # (id, label, optional, multiline)
    ("client_name", "Client", False, False),
    ("locations", "Locations (one per line)", False, True),
    ("start_date", "Start date (e.g. 2027-01-15 or 15/01/2027)", False, False),
    ("durations", "Durations, comma separated (e.g. 2 weeks, 4 weeks)", False, False),
    ("net_rates", "Net rates, one per duration (a package: one rate)", False, False),
    ("production_fee", "Production fee (static locations)", True, False),
    ("payment_terms", "Payment terms", True, False),
    ("currency", "Currency (default AED)", True, False),
)
NO_PERMISSION = "Your role cannot create proposals."
# Fields checked as they are entered (Enter in the field): the modal then lists any problem.
LIVE = frozenset(
    {"locations", "start_date", "durations", "net_rates", "production_fee", "currency"}
)


def modal(command: str, problems: dict[str, str] | None = None) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if problems:
        labels = {block_id: label for block_id, label, _, _ in FIELDS}
        lines = [f"• {labels.get(k, k).split(' (')[0]}: {v}" for k, v in problems.items()]
        blocks.append(
            {
                "type": "context",
                "block_id": "problems",
                "elements": [{"type": "mrkdwn", "text": "*To fix:*\n" + "\n".join(lines)}],
            }
        )
    blocks += [
        {
            "type": "input",
            "block_id": "kind",
            "label": {"type": "plain_text", "text": "Kind"},
            "element": {
                "type": "static_select",
                "action_id": "kind",
                "initial_option": _option("separate"),
                "options": [_option("separate"), _option("combined")],
            },
        }
    ]
    for block_id, label, optional, multiline in FIELDS:
        blocks.append(
            {
                "type": "input",
                "block_id": block_id,
                "optional": optional,
                "dispatch_action": block_id in LIVE,
                "label": {"type": "plain_text", "text": label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": block_id,
                    "multiline": multiline,
                },
            }
        )
    return {
        "type": "modal",
        "callback_id": VIEW,
        "private_metadata": json.dumps({"command": command}),
        "title": {"type": "plain_text", "text": "New proposal"},
        "submit": {"type": "plain_text", "text": "Create"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _option(kind: str) -> dict[str, Any]:
    text = {"separate": "Separate (one per location)", "combined": "Combined package"}[kind]
    return {"text": {"type": "plain_text", "text": text}, "value": kind}


def values_of(view: dict[str, Any]) -> dict[str, str]:
    state = view["state"]["values"]
    found: dict[str, str] = {}
    for block_id, actions in state.items():
        element = actions.get(block_id) or {}
        chosen = element.get("selected_option")
        found[block_id] = str(chosen["value"] if chosen else element.get("value") or "").strip()
    return found


def _listed(text: str, sep: str = ",") -> list[str]:
    return [part.strip() for part in text.replace("\n", sep).split(sep) if part.strip()]


def body_of(values: dict[str, str]) -> dict[str, Any]:
    """The web form's request body from the modal's fields."""
    common: dict[str, Any] = {"kind": values.get("kind") or "separate"}
    common["client_name"] = values.get("client_name", "")
    for name in ("payment_terms", "currency"):
        if values.get(name):
            common[name] = values[name]
    fee = {"production_fee": values["production_fee"]} if values.get("production_fee") else {}
    places = _listed(values.get("locations", ""), "\n")
    durations = _listed(values.get("durations", ""))
    rates = _listed(values.get("net_rates", ""))
    start = values.get("start_date", "")
    if common["kind"] == "combined":
        common["locations"] = [
            {"location": p, "start_date": start, "duration": durations[0] if durations else None}
            | fee
            for p in places
        ]
        if rates:
            common["combined_net_rate"] = rates[0]
        return common
    common["proposals"] = [
        {"location": p, "start_date": start, "durations": durations, "net_rates": rates} | fee
        for p in places
    ]
    return common


def _field_of(location: tuple[Any, ...]) -> str:
    """The modal block a validation error belongs to."""
    names = [str(part) for part in location]
    for name in ("client_name", "payment_terms", "currency", "combined_net_rate"):
        if name in names:
            return "net_rates" if name == "combined_net_rate" else name
    for name in ("start_date", "durations", "net_rates", "production_fee"):
        if name in names:
            return name
    if "duration" in names:
        return "durations"
    return "locations"


def errors_of(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = _field_of(tuple(error["loc"]))
        errors.setdefault(field, _plain(str(error["msg"])))
    return errors


def _plain(message: str) -> str:
    return message.removeprefix("Value error, ")[:150]


async def check(channel: SlackChannel, values: dict[str, str]) -> tuple[Any, dict[str, str]]:
    """The parsed body, or the errors to show in the modal (shape first, then pricing)."""
    try:
        body = _BODY.validate_python(body_of(values))
    except ValidationError as exc:
        return None, errors_of(exc)
    if not (body.proposals if body.kind == "separate" else body.locations):
        return None, {"locations": "Name at least one location."}
    async with channel.db.sessions() as session:
        try:
            await proposals.preview_proposal(session, body, settings=channel.settings)
        except AppError as exc:
            return None, {_message_field(exc.message): exc.message[:150]}
    return body, {}


def _message_field(message: str) -> str:
    lowered = message.lower()
    for needle, field in (
        ("production fee", "production_fee"),
        ("rate", "net_rates"),
        ("duration", "durations"),
        ("date", "start_date"),
        ("client", "client_name"),
        ("currency", "currency"),
    ):
        if needle in lowered:
            return field
    return "locations"


async def live_check(channel: SlackChannel, view: dict[str, Any]) -> None:
    """Re-check the form as it is filled in; problems of the fields entered so far are shown."""
    values = values_of(view)
    _, errors = await check(channel, values)
    shown = {field: message for field, message in errors.items() if values.get(field)}
    command = json.loads(str(view.get("private_metadata") or "{}")).get("command", "/proposal")
    await channel.client.views_update(
        view_id=str(view["id"]), hash=view.get("hash"), view=modal(str(command), shown)
    )


async def produce(channel: SlackChannel, principal: Principal, slack_user: str, body: Any) -> None:
    """Create the proposal (as the web does) and post its figures and files to the user's DM."""
    client = channel.client
    opened = await client.conversations_open(users=slack_user)
    dm = str(opened["channel"]["id"])
    status = await client.chat_postMessage(channel=dm, text="Making your proposal…")
    try:
        async with channel.db.sessions() as session:
            made = await flows.produce(session, principal, body, settings=channel.settings)
            out = proposals.to_out(made)
    except AppError as exc:
        await client.chat_update(channel=dm, ts=str(status["ts"]), text=exc.message)
        return
    link = channel.web_url("/proposals/history")
    await client.chat_update(
        channel=dm,
        ts=str(status["ts"]),
        text=f"Proposal for {out.client_name} is ready: <{link}|open it>. Files below.",
    )
    from salesbot.slack.chat import upload_card

    for card in out.files:
        await upload_card(channel, principal, dm, None, card.model_dump(mode="json"))
