"""Mockups' offline phrases: "mockup for the Landmark at night with a luxury watch on black",
"show it on Jawhara", "same creative, gold finish".
"""

from __future__ import annotations

from salesbot.kit.phrases.env import Env, Family, Intent, span, trim, with_location, words
from salesbot.kit.phrases.tokens import Kind

# Canonical keyword -> the phrases that say it.
KEYWORDS = {
    "mockup": "mockup|mockups|mock up|mock-up|mock ups|mock-ups|visual|visualise|visualize",
    "finish": "finish",
    "night": "night|nighttime|night time|at night|evening|night-time",
    "day": "daytime|day time|daylight|by day|during the day|day-time|day",
}

_PROMPT_MARKERS = frozenset({"with", "showing", "featuring", "of", ":", "displaying"})
_REUSE = frozenset({"it", "same", "again", "previous", "reuse", "last", "that"})
_ATTACHED = frozenset({"attached", "uploaded", "attachment", "upload", "image", "creative"})
_FINISHES = frozenset({"gold", "silver"})
_SHOW_VERBS = frozenset({"show", "put", "place", "display", "try"})
_NOT_A_PROMPT = words("it same again this that one the my our creative design artwork image ad")


def _mockup(env: Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    prompt_idxs = _prompt_idxs(env)
    if not env.has_kw("mockup"):
        if not locs or env.signal("proposal_details"):
            return None
        if any(env.kw(i, *env.shared.starters) for i in range(len(env.tokens))):
            return None
        styled = env.has_kw("night", "day", "finish") or env.has_word(*_FINISHES)
        showing = any(t.text.lower() in _SHOW_VERBS for t in env.tokens)
        # "show it on jawhara", "put the creative on the landmark": the attached or last creative.
        shown = env.has_word("it", "creative", "artwork", "design", "ad", "banner")
        reuse = env.has_word("same", "again") or (showing and shown)
        if not (styled or reuse or prompt_idxs):
            return None
    outside = [i for i in range(len(env.tokens)) if i not in prompt_idxs]
    args: dict[str, object] = {}
    loc_at = next((i for i in outside if env.tokens[i].kind is Kind.LOCATION), None)
    for i in outside:
        if env.kw(i, "night"):
            args["time_of_day"] = "night"
        elif env.kw(i, "day"):
            args["time_of_day"] = "day"
    finish = _finish(env, outside)
    if finish is not None:
        args["finish"] = finish
    prompt = span(env, prompt_idxs)
    if prompt is not None:
        args["prompt"] = prompt
    args["reuse_previous"] = any(env.tokens[i].word in _REUSE for i in outside)
    if loc_at is not None:
        return with_location(env, loc_at, "generate_mockup", args)
    return _complete_mockup(env, args)


def _complete_mockup(env: Env, args: dict[str, object]) -> Intent:
    if "location" not in args:
        return Intent("generate_mockup", args, ("location",), ask_mockup_location())
    if not (env.attachments or args.get("prompt") or args.get("reuse_previous")):
        return Intent("generate_mockup", args, ("prompt",), ask_creative())
    return Intent("generate_mockup", args)


def _finish(env: Env, idxs: list[int]) -> str | None:
    for i in idxs:
        if env.kw(i, "finish"):
            for k in (i - 1, i + 1):
                if k in idxs and env.tokens[k].kind is Kind.WORD:
                    return env.tokens[k].word
        if env.tokens[i].word in _FINISHES:
            return env.tokens[i].word
    return None


def _prompt_idxs(env: Env) -> list[int]:
    """The creative's description: after "with"/"showing"/":" (or "show"), minus modifiers."""
    marker = None
    for i, tok in enumerate(env.tokens):
        if tok.word in _PROMPT_MARKERS and tok.kind in (Kind.WORD, Kind.PUNCT):
            nxt = env.tokens[i + 1] if i + 1 < len(env.tokens) else None
            if tok.word == "of" and (nxt is None or nxt.kind is Kind.LOCATION or nxt.word == "the"):
                continue
            marker = i
            break
    if marker is None:
        # "show a red car on the gateway": what is shown comes right after the verb.
        marker = next((i for i, t in enumerate(env.tokens) if t.text.lower() in _SHOW_VERBS), None)
    if marker is None:
        return []
    idxs = list(range(marker + 1, len(env.tokens)))
    # Peel off what describes the photo rather than the creative: "on gateway", "at night".
    while idxs:
        last = idxs[-1]
        tok = env.tokens[last]
        if tok.kind is Kind.PUNCT or env.kw(last, "night", "day", "mockup"):
            idxs.pop()
        elif tok.kind is Kind.LOCATION:
            idxs.pop()
            while idxs and env.tokens[idxs[-1]].word in ("on", "at", "for", "the", "in"):
                idxs.pop()
        elif env.kw(last, "finish") or tok.word in _FINISHES:
            idxs.pop()
            if idxs and env.tokens[idxs[-1]].kind is Kind.WORD and env.kw(last, "finish"):
                idxs.pop()
        elif tok.word in ("in", "the", "at", "by", "during", "on", "and", "please"):
            idxs.pop()
        else:
            break
    idxs = trim(env, idxs, frozenset({"me", "us", "them"}), frozenset())
    words = {env.tokens[i].word for i in idxs}
    if words <= _NOT_A_PROMPT or any(env.kw(i, "mockup") for i in idxs):
        return []
    if words & _ATTACHED and (env.attachments or words & {"attached", "uploaded"}):
        return []  # "with the creative I uploaded" names the attachment, not a prompt
    return idxs


# --- proposal history ------------------------------------------------------------------------


def _locate(env: Env, key: str, args: dict[str, object]) -> Intent:
    return _complete_mockup(env, {**args, "location": key})


def _answer(env: Env, pending: Intent) -> Intent | None:
    """The creative (or its description) a pending mockup asked for."""
    need = pending.missing[0] if pending.missing else ""
    args = dict(pending.args)
    if env.has_kw("mockup") or env.of_kind(Kind.LOCATION):
        return None  # a new mockup request, not an answer
    if need == "prompt" and not env.attachments:
        text = span(env, trim(env, list(range(len(env.tokens))), frozenset(), frozenset()))
        if text is None:
            return None
        args["prompt"] = text[:500]
    return _complete_mockup(env, args)


# --- questions -------------------------------------------------------------------------------


def ask_mockup_location() -> str:
    return "Which location should the mockup show?"


def ask_creative() -> str:
    return (
        "What should the billboard show? Attach your creative, or describe it "
        "(for example 'a luxury watch on black')."
    )


FAMILIES = [
    Family(
        name="mockup",
        rank=40,
        tools=("generate_mockup",),
        keywords=KEYWORDS,
        read=_mockup,
        answer=_answer,
        locate={"generate_mockup": _locate},
        starters=frozenset({"mockup"}),
        labels={"generate_mockup": "make mockups"},
    )
]
