"""Offline phrases for client links: "send it to nike@example.com", "share the Nike proposal
with anna@nike.com, pin 4821, for 7 days"."""

from __future__ import annotations

import re

from salesbot.kit.phrases.env import Env, Family, Intent

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_VERB = re.compile(r"\b(send|share|email|e-mail|mail|forward)\b", re.IGNORECASE)
_PIN = re.compile(r"\b(?:pin|code)\s*(?:is|of|:)?\s*(\d{4,10})\b", re.IGNORECASE)
_DAYS = re.compile(r"\b(?:for|valid for|expires? in|within)\s+(\d{1,3})\s+days?\b", re.IGNORECASE)
_CLIENT = re.compile(r"\bthe\s+([A-Za-z][\w&' -]{0,60}?)\s+(?:proposal|quote)\b", re.IGNORECASE)
_NOT_CLIENT = frozenset({"last", "latest", "new", "this", "that", "same", "previous", "my"})


def _share(env: Env) -> Intent | None:
    text = env.message
    found = _EMAIL.search(text)
    if found is None or _VERB.search(text) is None:
        return None
    args: dict[str, object] = {"recipient_email": found.group(0).rstrip(".").lower()}
    if pin := _PIN.search(text):
        args["pin"] = pin.group(1)
    if days := _DAYS.search(text):
        args["expires_in_days"] = int(days.group(1))
    client = _CLIENT.search(text[: found.start()])
    if client is not None and client.group(1).strip().lower() not in _NOT_CLIENT:
        args["client"] = client.group(1).strip()
    return Intent("share_proposal", args)


FAMILIES = [
    Family(
        name="sharing",
        rank=15,
        tools=("share_proposal",),
        read=_share,
        labels={"share_proposal": "send proposals to clients"},
    )
]
