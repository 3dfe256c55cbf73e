"""Grammar of the offline model: the generic rule engine over the lexer's tokens.

`interpret` tokenises the message, lets a pending intent (a question the model asked) take the
answer, and otherwise tries small talk and then each capability's phrase family in rank order
(their rules live in `salesbot/<capability>/offline.py`, found by `rules.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from salesbot.assistant.offline import replies, rules
from salesbot.assistant.offline.lexer import tokenize
from salesbot.kit.phrases.env import (
    FILLER,
    MAX_MESSAGE,
    Context,
    Env,
    Intent,
    span,
    trim,
    with_location,
)
from salesbot.kit.phrases.tokens import Kind, KnownLocation

__all__ = ["Context", "Intent", "interpret"]


def interpret(
    message: str, *, locations: Sequence[KnownLocation], context: Context, today: date
) -> Intent:
    """Turn one user message into a tool call, a question for missing fields, or a reply."""
    text = message.strip()[:MAX_MESSAGE]
    env = Env(
        message=text,
        tokens=tokenize(text, locations=locations, today=today),
        by_key={loc.key: loc for loc in locations},
        ordered=tuple(locations),
        context=context,
        today=today,
        shared=rules.shared(),
    )
    family, fresh = _fresh(env)
    pending = context.pending
    if pending is None:
        return fresh
    pending_family = rules.family_of_tool().get(pending.tool or "", "unknown")
    need = pending.missing[0] if pending.missing else ""
    # A constrained answer ("static", "8000", "yes") is read as the answer even when it would
    # also make sense on its own; free text only when the message isn't another request.
    if need in _TYPED_ANSWERS or family in ("unknown", "yes_no") or family == pending_family:
        merged = _continue(pending, env.fresh())
        if merged is not None:
            return merged
    if family not in ("unknown", "yes_no"):
        return fresh
    if pending.missing:
        return pending  # still waiting for the same answer: ask again
    return fresh


_TYPED_ANSWERS = frozenset({"display_type", "confirm", "value", "attachment", "location"})


def _fresh(env: Env) -> tuple[str, Intent]:
    """Interpret the message on its own: (family name, intent)."""
    small = _small_talk(env)
    if small is not None:
        return small
    for family in rules.families():
        if family.read is None:
            continue
        intent = family.read(env.fresh())
        if intent is not None:
            return family.name, intent
    return "unknown", Intent(None, {}, reply=replies.unknown(env.today))


# --- small talk ------------------------------------------------------------------------------

_SMALL_TALK = frozenset({"greeting", "help", "thanks", "yes", "no"})


def _small_talk(env: Env) -> tuple[str, Intent] | None:
    said: set[str] = set()
    for tok in env.tokens:
        if tok.kind is Kind.PUNCT or tok.word in FILLER:
            continue
        if tok.kind is Kind.KEYWORD and tok.word in _SMALL_TALK:
            said.add(tok.word)
            continue
        return None  # something more than small talk
    if not said or "help" in said:
        return "help", Intent(None, {}, reply=replies.help_text(env.today))
    if "greeting" in said:
        return "greeting", Intent(None, {}, reply=replies.greeting(env.today))
    if "thanks" in said:
        return "thanks", Intent(None, {}, reply=replies.thanks())
    if "yes" in said and env.context.pending is None:
        return "yes_no", Intent(None, {}, reply=replies.nothing_to_confirm())
    return "yes_no", Intent(None, {}, reply=replies.acknowledged())


def _is_yes(env: Env) -> bool:
    return _only(env, "yes")


def _is_no(env: Env) -> bool:
    return _only(env, "no", "cancel")


def _only(env: Env, *names: str) -> bool:
    seen = False
    for tok in env.tokens:
        if tok.kind is Kind.PUNCT or tok.word in FILLER or tok.word in ("it", "that", "this"):
            continue
        if tok.kind is Kind.KEYWORD and tok.word in names:
            seen = True
            continue
        return False
    return seen


# --- answers to a pending question -----------------------------------------------------------


def _continue(pending: Intent, env: Env) -> Intent | None:
    """Merge the message into the pending intent; None when it doesn't answer it."""
    owner = rules.family(rules.family_of_tool().get(pending.tool or "", ""))
    own = owner is not None and pending.missing and pending.missing[0] in owner.confirms
    if own and owner is not None and owner.answer is not None:
        return owner.answer(env, pending)  # its own yes/no question ("keep the date?")
    # Only a deletion carries "confirm": "no" drops it even after it was confirmed.
    if _is_no(env) and (pending.missing or "confirm" in pending.args):
        return Intent(None, {}, reply=replies.cancelled())
    if "confirm" in pending.missing:
        return Intent(pending.tool, {**pending.args, "confirm": True}) if _is_yes(env) else None
    if not pending.missing or _is_yes(env):
        return None
    if owner is not None and owner.answer is not None and owner.answers_first:
        return owner.answer(env, pending)
    need = pending.missing[0]
    args = dict(pending.args)
    if need == "location" and pending.tool is not None:
        locs = env.of_kind(Kind.LOCATION)
        return with_location(env, locs[0], pending.tool, args) if locs else None
    if need in ("reason", "query"):
        text = span(env, trim(env, list(range(len(env.tokens))), frozenset(), frozenset()))
        if text is None:
            return None
        args[need] = text[:500]
        return Intent(pending.tool, args)
    if need == "attachment":
        if not env.attachments:
            return None
        if env.message:
            args["notes"] = f"{args.get('notes', '')} {env.message}".strip()
        return Intent(pending.tool, args)
    if owner is not None and owner.answer is not None:
        return owner.answer(env, pending)
    return None
