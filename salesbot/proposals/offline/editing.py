"""Follow-up edits of the proposal just made: "make it 4 weeks instead", "change the rate to
2.5M", "same but in USD", "add jawhara", "remove UAE21", "change the client to Etisalat",
"make it combined at 3M". Each becomes one `revise_proposal` call with only what changed; the
tool finds the conversation's latest proposal (or says there is none).

An edit needs a cue ("change", "make it", "instead", "same but", "add"/"remove" a place). Edits
that a booking order or the catalogue could equally mean (client, currency, dates, fees,
removing a place) are read as proposal edits only when the conversation last made a proposal.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from salesbot.kit.phrases.env import (
    VALUE_LEAD,
    Env,
    Family,
    Intent,
    company_after,
    span,
    value_run,
    words,
)
from salesbot.kit.phrases.tokens import Kind
from salesbot.proposals.offline.reading import Typed, campaign_durations

TOOL = "revise_proposal"

# Keywords an edit of a proposal may contain; any other (a booking order's fee, a mockup, a
# catalogue field) means the message is about something else.
_ALLOWED = words(
    "update add delete list client currency duration rate net package_rate combined separate "
    "start end production_fee payment_terms proposal"
)
_LEAD_CUES = words("switch move use now actually convert put turn")
_REMOVE_WORDS = words("drop without minus")
_KEEP = frozenset({",", "and", "&", "+", "the", "to", "from", "also", "both"})
_FIELD_GLUE = words("for of on the")
_PRONOUNS = words("it that this them everything all")
# What only a proposal can mean while a booking order is open in the conversation too.
_PROPOSAL_ONLY_WITH_BO = frozenset({"durations", "kind"})


@dataclass
class _Edit:
    args: dict[str, object] = field(default_factory=dict)
    add: list[str] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    amounts: list[str] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)  # tokens a text field's value used


def _content(env: Env) -> list[int]:
    return [
        i
        for i, t in enumerate(env.tokens)
        if t.kind is not Kind.PUNCT and t.word not in ("please", "pls", "ok", "okay", "can", "you")
    ]


def _cue(env: Env) -> bool:
    content = _content(env)
    if not content:
        return False
    first = content[0]
    if env.kw(first, "update") or env.word(first, *_LEAD_CUES):
        return True
    if env.has_word("instead"):
        return True
    for n, i in enumerate(content[:-1]):
        nxt = env.tokens[content[n + 1]]
        showing = env.word(i, "make", "do") or env.kw(i, "list")  # "show it in GBP"
        if showing and nxt.word in _PRONOUNS:
            return True
        if env.word(i, "should") and nxt.word == "be" and n <= 3:  # "the client should be X"
            return True
        if env.word(i, "same") and nxt.word in ("but", "in", "with", "for"):
            return True
    return _place_verb(env)


def _place_verb(env: Env) -> bool:
    """ "add jawhara", "remove UAE21", "drop the gateway": a verb and then a place."""
    for i, _tok in enumerate(env.tokens):
        if env.kw(i, "add", "delete") or env.word(i, *_REMOVE_WORDS) or _take_out(env, i):
            rest = env.tokens[i + 1 : i + 4]
            if any(t.kind is Kind.LOCATION for t in rest):
                return True
    return False


def _take_out(env: Env, i: int) -> bool:
    return env.word(i, "take") and i + 1 < len(env.tokens) and env.word(i + 1, "out", "off")


def _read(env: Env) -> _Edit:
    edit = _Edit()
    mode: list[str] | None = None
    skip = edit.taken
    for i, tok in enumerate(env.tokens):
        if i in skip:
            continue
        if env.kw(i, "add"):
            mode = edit.add
        elif env.kw(i, "delete") or env.word(i, *_REMOVE_WORDS) or _take_out(env, i):
            mode = edit.remove
        elif tok.kind is Kind.LOCATION:
            name = tok.locations[0] if len(tok.locations) == 1 else tok.text
            if mode is not None:
                mode.append(name)
            else:
                edit.args.setdefault("location", name)
        elif env.kw(i, "client"):
            _text_after(env, i, "client_name", edit, skip)
        elif env.kw(i, "payment_terms"):
            _text_after(env, i, "payment_terms", edit, skip)
        elif env.kw(i, "production_fee", "package_rate"):
            at = _amount_after(env, i)
            if at is not None:
                skip.add(at)
                typed = Typed.of_token(env.tokens[at])
                name = "production_fee" if env.kw(i, "production_fee") else "combined_net_rate"
                if typed is not None:
                    edit.args[name] = typed.text()
        elif tok.kind is Kind.CURRENCY:
            edit.args["currency"] = tok.currency
        elif tok.kind is Kind.DATE and tok.day is not None:
            edit.args["start_date"] = tok.day.isoformat()
        elif _is_amount(env, i):
            typed = Typed.of_token(tok)
            if typed is not None:
                edit.amounts.append(typed.text())
        starts = env.kw(i, "add", "delete") or tok.word in _REMOVE_WORDS or _take_out(env, i)
        after_take = i > 0 and _take_out(env, i - 1)
        if not (tok.kind is Kind.LOCATION or tok.word in _KEEP or starts or after_take):
            mode = None
    return edit


def _is_amount(env: Env, i: int) -> bool:
    tok = env.tokens[i]
    if tok.number is None:
        return False
    return tok.kind is Kind.AMOUNT or (tok.kind is Kind.NUMBER and tok.number >= 1000)


def _amount_after(env: Env, i: int) -> int | None:
    """The amount a field keyword names: "production fee for UAE21 to 20k"."""
    for k in range(i + 1, min(i + 6, len(env.tokens))):
        tok = env.tokens[k]
        if _is_amount(env, k):
            return k
        if tok.kind is not Kind.LOCATION and tok.word not in VALUE_LEAD | _FIELD_GLUE:
            return None
    return None


def _text_after(env: Env, i: int, name: str, edit: _Edit, skip: set[int]) -> None:
    k = i + 1
    while k < len(env.tokens) and (env.tokens[k].word in VALUE_LEAD or env.word(k, "name")):
        k += 1
    idxs = value_run(env, k, commas_end=True, allow=frozenset({Kind.LOCATION}))
    text = span(env, idxs)
    if text:
        edit.args[name] = text
        skip.update(range(i, idxs[-1] + 1))


def _revision(env: Env) -> Intent | None:
    if not _cue(env):
        return None
    if any(t.kind is Kind.KEYWORD and t.word not in _ALLOWED for t in env.tokens):
        return None
    last = env.context.last_made
    bo_open = last == "booking_order" and not env.has_kw("proposal")
    if bo_open and not env.context.has_proposal:
        return None  # the booking order's family answers (its fields, or how to change them)
    edit = _read(env)
    if env.has_word("same") and "client_name" not in edit.args:
        client = company_after(env, ("for",))  # "same but for Puma"
        if client is not None:
            edit.args["client_name"] = client
    durations = [
        str(tok.duration.text)
        for i in campaign_durations(env)
        if i not in edit.taken and (tok := env.tokens[i]).duration is not None
    ]
    if _new_request(env, edit, durations):
        return None
    args = dict(edit.args)
    if durations:
        args["durations"] = durations
    if env.has_kw("combined"):
        args["kind"] = "combined"
    elif env.has_kw("separate"):
        args["kind"] = "separate"
    if edit.amounts:
        if args.get("kind") == "combined" and "combined_net_rate" not in args:
            args["combined_net_rate"] = edit.amounts[0]
        else:
            args["net_rates"] = edit.amounts
    if edit.add:
        args["add_locations"] = edit.add
    if edit.remove:
        args["remove_locations"] = edit.remove
    if bo_open:
        # A booking order is open too: only what it cannot mean (a campaign length, a package)
        # edits the conversation's proposal; its fees, client or dates stay the booking order's.
        return Intent(TOOL, args) if _PROPOSAL_ONLY_WITH_BO & set(args) else None
    proposal_only = {"durations", "net_rates", "combined_net_rate", "kind", "add_locations"}
    surely = bool(proposal_only & set(args)) or env.has_word("same")
    if not (set(args) - {"location"}) or (last != "proposal" and not surely):
        return None
    return Intent(TOOL, args)


def _new_request(env: Env, edit: _Edit, durations: list[str]) -> bool:
    """ "make it combined: landmark and jawhara at 3M for 2 weeks starting Dec 1": a request."""
    named = [t for t in env.tokens if t.kind is Kind.LOCATION]
    placed = len(named) > len(edit.add) + len(edit.remove)
    dated = bool(env.of_kind(Kind.DATE)) or "client_name" in edit.args
    return placed and bool(durations) and bool(edit.amounts) and dated


def _answer(env: Env, pending: Intent) -> Intent | None:
    """The value the tool asked for ("900k"), or yes / keep the date for a passed start."""
    need = pending.missing[0] if pending.missing else ""
    args = {k: v for k, v in pending.args.items() if k != "suggestion"}
    if need == "past_start":
        if env.has_kw("no") or env.has_word("keep", "anyway", "old", "original", "past"):
            return Intent(TOOL, {**args, "past_start_confirmed": True})
        suggestion = pending.args.get("suggestion")
        if env.has_kw("yes") and isinstance(suggestion, str):
            return Intent(TOOL, {**args, "start_date": suggestion})
        return None
    amounts = [Typed.of_token(env.tokens[i]) for i in range(len(env.tokens)) if _is_amount(env, i)]
    typed = [a.text() for a in amounts if a is not None]
    if not typed or need not in ("net_rates", "production_fee", "combined_net_rate"):
        return None
    if need == "net_rates":
        return Intent(TOOL, {**args, "net_rates": typed})
    return Intent(TOOL, {**args, need: typed[0]})


FAMILY = Family(
    name="proposal_edits",
    rank=18,
    tools=(TOOL,),
    read=_revision,
    answer=_answer,
    answers_first=True,
    confirms=frozenset({"past_start"}),
    labels={TOOL: "change proposals"},
)
