"""Grammar of the offline model: one rule per phrase family over the lexer's tokens.

`interpret` tokenises the message, lets a pending intent (a question the model asked) take the
answer, and otherwise tries the families in order: small talk, conversations, booking orders,
location admin, mockups, proposal history, proposals, location look-ups.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesbot.assistant.offline import replies
from salesbot.assistant.offline.lexer import Kind, KnownLocation, Token, tokenize
from salesbot.kit.money import to_decimal

MAX_MESSAGE = 10_000  # the platform's message limit; longer input is cut, never echoed


@dataclass(frozen=True)
class Intent:
    """What to do: a tool call, a question for `missing` fields, or a text reply."""

    tool: str | None
    args: dict[str, object]
    missing: tuple[str, ...] = ()
    reply: str | None = None


@dataclass(frozen=True)
class Context:
    """What the conversation already established."""

    client_name: str | None = None
    currency: str | None = None
    payment_terms: str | None = None
    last_booking_order: str | None = None
    pending: Intent | None = None
    has_attachments: bool = False
    attachment_count: int = 0


# --- the token view --------------------------------------------------------------------------


@dataclass
class _Env:
    message: str
    tokens: list[Token]
    by_key: dict[str, KnownLocation]
    ordered: tuple[KnownLocation, ...]
    context: Context
    today: date
    used: set[int] = field(default_factory=set)

    def kw(self, i: int, *names: str) -> bool:
        tok = self.tokens[i]
        return tok.kind is Kind.KEYWORD and tok.word in names

    def word(self, i: int, *words: str) -> bool:
        return self.tokens[i].kind is not Kind.KEYWORD and self.tokens[i].word in words

    def find_kw(self, *names: str, start: int = 0) -> int | None:
        for i in range(start, len(self.tokens)):
            if self.kw(i, *names):
                return i
        return None

    def find_word(self, *words: str, start: int = 0) -> int | None:
        for i in range(start, len(self.tokens)):
            if self.word(i, *words):
                return i
        return None

    def has_kw(self, *names: str) -> bool:
        return self.find_kw(*names) is not None

    def has_word(self, *words: str) -> bool:
        return self.find_word(*words) is not None

    def of_kind(self, *kinds: Kind) -> list[int]:
        return [i for i, t in enumerate(self.tokens) if t.kind in kinds]

    def text(self, first: int, last: int) -> str:
        """The user's own text from token `first` to token `last`, inclusive."""
        return self.message[self.tokens[first].start : self.tokens[last].end].strip()

    def name(self, key: str) -> str:
        loc = self.by_key.get(key)
        return loc.display_name if loc is not None else key

    def is_static(self, key: str) -> bool:
        loc = self.by_key.get(key)
        return loc is not None and loc.display_type == "static"

    @property
    def attachments(self) -> bool:
        return self.context.has_attachments or self.context.attachment_count > 0


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _amount_str(value: Decimal) -> str:
    """Decimal as a plain string: 1.5M → "1500000", 12.50 → "12.5"."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


_SENTENCE_END = frozenset({";", ".", "!", "?"})
_CONNECT = frozenset({",", "and", "&", "+", "plus", "/", "or"})
_TEXT_LEAD = frozenset({":", "=", "-", "is", "are", "was", "as", "of", "name", "called", "named"})
_QUOTES = "\"'“”‘’`"


def _trim(env: _Env, idxs: list[int], lead: frozenset[str], trail: frozenset[str]) -> list[int]:
    """Drop filler words and punctuation at both ends of a run of token indexes."""
    start, end = 0, len(idxs)
    while start < end and (
        env.tokens[idxs[start]].word in lead or env.tokens[idxs[start]].kind is Kind.PUNCT
    ):
        if env.tokens[idxs[start]].text in _QUOTES:
            break
        start += 1
    while end > start and (
        env.tokens[idxs[end - 1]].word in trail or env.tokens[idxs[end - 1]].kind is Kind.PUNCT
    ):
        if env.tokens[idxs[end - 1]].text in _QUOTES:
            break
        end -= 1
    return idxs[start:end]


def _span(env: _Env, idxs: list[int]) -> str | None:
    """Text covered by the indexes, without surrounding quotes; None when empty."""
    if not idxs:
        return None
    text = env.text(idxs[0], idxs[-1]).strip().strip(_QUOTES).strip()
    return text[:200] or None


_FIELD_STARTERS = _words(
    "client start end duration rate net spots production_fee upload_fee payment_terms currency "
    "package_rate proposal combined separate mockup booking_order"
)


def _value_run(env: _Env, start: int, *, commas_end: bool, allow: frozenset[Kind]) -> list[int]:
    """Token indexes of a free-text value starting at `start` (e.g. a client name)."""
    idxs: list[int] = []
    i = start
    while i < len(env.tokens) and env.tokens[i].word in _TEXT_LEAD:
        i += 1
    while i < len(env.tokens):
        tok = env.tokens[i]
        nxt = env.tokens[i + 1] if i + 1 < len(env.tokens) else None
        starts_field = nxt is not None and (
            (nxt.kind is Kind.KEYWORD and nxt.word in _FIELD_STARTERS)
            or nxt.kind in (Kind.LOCATION, Kind.CURRENCY)
            or nxt.word == "in"
        )
        if i in env.used or tok.text in _SENTENCE_END:
            break
        if tok.kind is Kind.KEYWORD and tok.word in _FIELD_STARTERS and idxs:
            break
        if tok.word == "," and (commas_end or starts_field):
            break
        if tok.word in ("and", "in") and idxs and starts_field:
            break
        if idxs and tok.kind not in allow and tok.kind not in (Kind.WORD, Kind.PUNCT, Kind.KEYWORD):
            break
        idxs.append(i)
        i += 1
    return _trim(env, idxs, frozenset(), frozenset({"and", "in", "with", "for"}))


# --- entry point -----------------------------------------------------------------------------


def interpret(
    message: str, *, locations: Sequence[KnownLocation], context: Context, today: date
) -> Intent:
    """Turn one user message into a tool call, a question for missing fields, or a reply."""
    text = message.strip()[:MAX_MESSAGE]
    env = _Env(
        message=text,
        tokens=tokenize(text, locations=locations, today=today),
        by_key={loc.key: loc for loc in locations},
        ordered=tuple(locations),
        context=context,
        today=today,
    )
    family, fresh = _fresh(env)
    pending = context.pending
    if pending is None:
        return fresh
    pending_family = _FAMILY_OF_TOOL.get(pending.tool or "", "unknown")
    need = pending.missing[0] if pending.missing else ""
    # A constrained answer ("static", "8000", "yes") is read as the answer even when it would
    # also make sense on its own; free text only when the message isn't another request.
    if need in _TYPED_ANSWERS or family in ("unknown", "yes_no") or family == pending_family:
        merged = _continue(pending, _new_env(env))
        if merged is not None:
            return merged
    if family not in ("unknown", "yes_no"):
        return fresh
    if pending.missing:
        return pending  # still waiting for the same answer: ask again
    return fresh


_TYPED_ANSWERS = frozenset({"display_type", "confirm", "value", "attachment", "location"})


def _new_env(env: _Env) -> _Env:
    return _Env(env.message, env.tokens, env.by_key, env.ordered, env.context, env.today)


_BO_TOOLS = (
    "parse_booking_order edit_booking_order submit_booking_order approve_booking_order "
    "reject_booking_order cancel_booking_order booking_order_status find_booking_order"
)
_FAMILY_OF_TOOL = {
    "create_separate_proposals": "proposal",
    "create_combined_proposal": "proposal",
    "generate_mockup": "mockup",
    "add_location": "location_admin",
    "update_location": "location_admin",
    "delete_location": "location_admin",
    "find_location": "locations",
    "list_locations": "locations",
    "proposal_history": "history",
    "search_conversations": "conversations",
    "list_conversations": "conversations",
    **dict.fromkeys(_BO_TOOLS.split(), "booking_order"),
}


Rule = Callable[[_Env], "Intent | None"]


def _fresh(env: _Env) -> tuple[str, Intent]:
    """Interpret the message on its own: (family name, intent)."""
    small = _small_talk(env)
    if small is not None:
        return small
    rules: tuple[tuple[str, Rule], ...] = (
        ("conversations", _conversations),
        ("booking_order", _booking_orders),
        ("location_admin", _location_admin),
        ("mockup", _mockup),
        ("history", _proposal_history),
        ("proposal", _proposal),
        ("locations", _locations),
    )
    for family, rule in rules:
        intent = rule(_new_env(env))
        if intent is not None:
            return family, intent
    return "unknown", Intent(None, {}, reply=replies.unknown())


# --- small talk ------------------------------------------------------------------------------

_FILLER = _words(
    "please pls there bot assistant again me can you i just so much very team all everyone "
    "sir mate guys oh well great good fine cool perfect now"
)
_SMALL_TALK = frozenset({"greeting", "help", "thanks", "yes", "no"})


def _small_talk(env: _Env) -> tuple[str, Intent] | None:
    said: set[str] = set()
    for tok in env.tokens:
        if tok.kind is Kind.PUNCT or tok.word in _FILLER:
            continue
        if tok.kind is Kind.KEYWORD and tok.word in _SMALL_TALK:
            said.add(tok.word)
            continue
        return None  # something more than small talk
    if not said or "help" in said:
        return "help", Intent(None, {}, reply=replies.help_text())
    if "greeting" in said:
        return "greeting", Intent(None, {}, reply=replies.greeting())
    if "thanks" in said:
        return "thanks", Intent(None, {}, reply=replies.thanks())
    if "yes" in said and env.context.pending is None:
        return "yes_no", Intent(None, {}, reply=replies.nothing_to_confirm())
    return "yes_no", Intent(None, {}, reply=replies.acknowledged())


def _is_yes(env: _Env) -> bool:
    return _only(env, "yes")


def _is_no(env: _Env) -> bool:
    return _only(env, "no", "cancel")


def _only(env: _Env, *names: str) -> bool:
    seen = False
    for tok in env.tokens:
        if tok.kind is Kind.PUNCT or tok.word in _FILLER or tok.word in ("it", "that", "this"):
            continue
        if tok.kind is Kind.KEYWORD and tok.word in names:
            seen = True
            continue
        return False
    return seen


# --- conversations ---------------------------------------------------------------------------

_QUERY_LEAD = _words(
    "for about mentioning containing with where that which on regarding we i you discussed "
    "talked mentioned said the a my our in"
)
_QUERY_TRAIL = frozenset({"in", "my", "our", "the", "from", "across", "all", "of"})


def _conversations(env: _Env) -> Intent | None:
    at = env.find_kw("conversation")
    if at is None:
        return None
    verb = env.find_kw("find")
    after = _trim(env, list(range(at + 1, len(env.tokens))), _QUERY_LEAD, frozenset())
    query = _span(env, after)
    if query is None and verb is not None and verb < at:
        before = _trim(env, list(range(verb + 1, at)), _QUERY_LEAD, _QUERY_TRAIL)
        query = _span(env, before)
    if verb is None and query is None:
        return Intent("list_conversations", {})
    if verb is None and not env.has_word("about", "mentioning", "containing", "regarding"):
        return Intent("list_conversations", {})
    if query is None:
        return Intent(
            "search_conversations", {}, missing=("query",), reply=replies.ask_search_query()
        )
    return Intent("search_conversations", {"query": query})


# --- booking orders --------------------------------------------------------------------------

_BO_OBJECT = _words("it this that the my our please booking order form one for with as since and")


def _bo_ref(env: _Env) -> str | None:
    """A booking order number in the message: DPD-112652, BO-2026-0001, "BO 4411"."""
    for i, tok in enumerate(env.tokens):
        if tok.kind is Kind.CODE:
            return tok.text.upper()
        if env.kw(i, "booking_order", "bo_number") and i + 1 < len(env.tokens):
            nxt = env.tokens[i + 1]
            if nxt.word == "#" and i + 2 < len(env.tokens):
                nxt = env.tokens[i + 2]
            if nxt.kind is Kind.NUMBER and len(nxt.text) >= 3:
                return nxt.text
    return None


def _bo_args(env: _Env) -> dict[str, object]:
    ref = _bo_ref(env) or env.context.last_booking_order
    return {"booking_order": ref} if ref else {}


def _booking_orders(env: _Env) -> Intent | None:
    ref = _bo_ref(env)
    mentioned = env.has_kw("booking_order") or ref is not None
    known = mentioned or env.context.last_booking_order is not None
    args = _bo_args(env)
    if env.has_kw("submit"):
        return Intent("submit_booking_order", args)
    if env.has_kw("approve"):
        return Intent("approve_booking_order", args)
    reject = env.find_kw("reject")
    if reject is not None:
        return _with_reason(env, "reject_booking_order", reject, args, "rejected")
    cancel = env.find_kw("cancel")
    if cancel is not None and known:
        return _with_reason(env, "cancel_booking_order", cancel, args, "cancelled")
    if env.has_kw("status") and (known or env.has_word("where", "what", "what's")):
        return Intent("booking_order_status", args)
    if mentioned and env.has_word("where", "stage") and not env.attachments:
        return Intent("booking_order_status", args)
    edit = _edit(env)
    if edit is not None:
        return edit
    if not mentioned:
        return None
    if env.attachments:
        return _intake(env)
    if ref is not None or env.has_kw("find", "list"):
        return _find_booking_order(env, ref)
    return _intake(env)


def _with_reason(env: _Env, tool: str, verb: int, args: dict[str, object], action: str) -> Intent:
    reason = _reason(env, verb)
    if reason is None:
        return Intent(tool, args, missing=("reason",), reply=replies.ask_reason(action))
    return Intent(tool, {**args, "reason": reason})


def _reason(env: _Env, verb: int) -> str | None:
    marker = env.find_kw("reason", start=verb + 1)
    if marker is not None:
        idxs = list(range(marker + 1, len(env.tokens)))
    else:
        i = verb + 1
        while i < len(env.tokens) and (
            env.tokens[i].word in _BO_OBJECT
            or env.tokens[i].kind in (Kind.CODE, Kind.PUNCT)
            or env.kw(i, "booking_order")
            or (env.tokens[i].kind is Kind.NUMBER and i > 0 and env.kw(i - 1, "booking_order"))
        ):
            i += 1
        idxs = list(range(i, len(env.tokens)))
    return _span(env, _trim(env, idxs, frozenset({"is", "was", "that", "of"}), frozenset()))


def _intake(env: _Env) -> Intent:
    args: dict[str, object] = {"notes": env.message}
    company = _company_after(env, ("company", "for", "from"))
    if company is not None:
        args["company"] = company
    if not env.attachments:
        return Intent("parse_booking_order", args, ("attachment",), replies.ask_attachment())
    return Intent("parse_booking_order", args)


def _company_after(env: _Env, markers: tuple[str, ...]) -> str | None:
    """A company name right after `company`/`for`/`from`: one word, or Capitalised Words."""
    for i, tok in enumerate(env.tokens):
        if tok.word not in markers:
            continue
        k = i + 1
        if k < len(env.tokens) and env.tokens[k].word in (":", "the", "is"):
            k += 1
        words: list[int] = []
        while k < len(env.tokens) and env.tokens[k].kind is Kind.WORD:
            tok_k = env.tokens[k]
            if words and not tok_k.text[:1].isupper():
                break
            if tok_k.word in _FILLER or tok_k.word in _QUERY_LEAD:
                break
            words.append(k)
            k += 1
        if words:
            return env.text(words[0], words[-1])
    return None


def _find_booking_order(env: _Env, ref: str | None) -> Intent:
    if ref is not None:
        return Intent("find_booking_order", {"query": ref})
    at = env.find_kw("booking_order") or 0
    idxs = _trim(env, list(range(at + 1, len(env.tokens))), _QUERY_LEAD, frozenset())
    if idxs and env.kw(idxs[0], "client"):
        idxs = idxs[1:]
    query = _span(env, idxs)
    if query is None:
        return Intent("find_booking_order", {}, ("query",), replies.ask_booking_order_query())
    return Intent("find_booking_order", {"query": query})


# --- field edits (booking orders and the location catalogue) ---------------------------------

# canonical keyword -> (booking order field, value kind)
_BO_FIELDS: dict[str, tuple[str, str]] = {
    "client": ("client", "text"),
    "agency": ("agency", "text"),
    "brand_campaign": ("brand_campaign", "text"),
    "category": ("category", "text"),
    "asset": ("asset", "text"),
    "currency": ("currency", "currency"),
    "payment_terms": ("payment_terms", "text"),
    "sales_person": ("sales_person", "text"),
    "commission": ("commission_pct", "percent"),
    "sla": ("sla_pct", "percent"),
    "municipality_fee": ("municipality_fee", "amount"),
    "production_fee": ("production_upload_fee", "amount"),
    "upload_fee": ("production_upload_fee", "amount"),
    "production_upload_fee": ("production_upload_fee", "amount"),
    "net_pre_vat": ("net_pre_vat", "amount"),
    "vat": ("vat", "amount"),
    "gross": ("gross", "amount"),
    "notes": ("notes", "text"),
    "bo_number": ("bo_number", "text"),
    "date": ("bo_date", "date"),
    "net_amount": ("net_pre_vat", "amount"),
    "net": ("net_pre_vat", "amount"),
    "start": ("start_date", "date"),
    "end": ("end_date", "date"),
    "duration": ("campaign_duration", "duration"),
}
# Fields that belong to one of the booking order's locations when a location is named.
_BO_LOCATION_FIELDS: dict[str, tuple[str, str]] = {
    "net_amount": ("net_amount", "amount"),
    "net": ("net_amount", "amount"),
    "rate": ("net_amount", "amount"),
    "start": ("start_date", "date"),
    "end": ("end_date", "date"),
    "duration": ("campaign_duration", "duration"),
    "display_name": ("name", "text"),
    "asset": ("asset", "text"),
}
# canonical keyword -> (location catalogue field, value kind)
_LOCATION_FIELDS: dict[str, tuple[str, str]] = {
    "display_name": ("display_name", "text"),
    "series": ("series", "text"),
    "company": ("company", "text"),
    "display_type": ("display_type", "type"),
    "digital": ("display_type", "type"),
    "static": ("display_type", "type"),
    "size": ("size", "size"),
    "width": ("width_m", "metres"),
    "height": ("height_m", "metres"),
    "faces": ("number_of_faces", "int"),
    "spot_duration": ("spot_duration_s", "seconds"),
    "loop_duration": ("loop_duration_s", "seconds"),
    "sov": ("sov_pct", "decimal"),
    "upload_fee": ("upload_fee", "amount"),
    "aliases": ("aliases", "list"),
    "key": ("key", "text"),
}
_CATALOGUE_ONLY = frozenset(_LOCATION_FIELDS) - {"display_name", "upload_fee"}
_LABELS = {
    "sla_pct": "SLA",
    "commission_pct": "commission",
    "net_pre_vat": "net (pre-VAT) amount",
    "vat": "VAT",
    "bo_number": "BO number",
    "bo_date": "BO date",
    "production_upload_fee": "production/upload fee",
    "brand_campaign": "brand/campaign",
}
_VALUE_LEAD = frozenset({"to", "=", ":", "as", "at", "is", "be", "should", "of", "now", "-"})
_LOCATION_REF = frozenset({"for", "of", "on", "at", "in"})


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


def _edit(env: _Env) -> Intent | None:
    """`change municipality fee to 8000`, `update UAE21 net amount to 150000`, `set sla to 10%`."""
    if env.has_kw("proposal", "combined", "package_rate", "mockup"):
        return None
    verb = env.find_kw("update", "rename")
    if verb is None:
        return _stated_edit(env)
    field_at = _first_field(env, verb + 1)
    renaming = env.kw(verb, "rename")
    if field_at is None and not renaming:
        return None
    locs = [i for i in env.of_kind(Kind.LOCATION) if i > verb]
    bo_context = env.context.last_booking_order is not None or _bo_ref(env) is not None
    field_word = env.tokens[field_at].word if field_at is not None else ""
    to_catalogue = (
        renaming
        or env.has_kw("location")
        or field_word in _CATALOGUE_ONLY
        or (field_word == "upload_fee" and not bo_context)
    )
    if to_catalogue and locs:
        return _update_location(env, verb, locs[0])
    if field_at is None:
        return None
    return _edit_booking_order(env, verb, field_at)


def _stated_edit(env: _Env) -> Intent | None:
    """`municipality fee should be 8000` / `the sla is 10%` while a booking order is open."""
    bo_context = env.context.last_booking_order is not None or _bo_ref(env) is not None
    field_at = _first_field(env, 0)
    if field_at is None or not bo_context:
        return None
    leading = [
        i
        for i in range(field_at)
        if env.tokens[i].kind is not Kind.PUNCT and env.tokens[i].word not in ("the", "'", "s")
    ]
    after = env.tokens[field_at + 1] if field_at + 1 < len(env.tokens) else None
    stated = after is not None and after.word in ("should", "is", "=", ":")
    if len(leading) > 2 or not stated:
        return None
    return _edit_booking_order(env, -1, field_at)


def _first_field(env: _Env, start: int) -> int | None:
    names = set(_BO_FIELDS) | set(_BO_LOCATION_FIELDS) | set(_LOCATION_FIELDS)
    for i in range(max(start, 0), len(env.tokens)):
        if env.kw(i, *names):
            if env.tokens[i].word == "client" and i > 0 and env.word(i - 1, "for"):
                continue
            return i
    return None


def _edit_booking_order(env: _Env, verb: int, field_at: int) -> Intent | None:
    canonical = env.tokens[field_at].word
    # The booking order location named between the verb and the field, or after "for".
    label_idxs = [
        i
        for i in range(verb + 1, field_at)
        if env.tokens[i].kind is not Kind.CODE
        and env.tokens[i].word not in ("the", "'", "s", "bo")
        and not env.kw(i, "booking_order")
        and env.tokens[i].kind is not Kind.PUNCT
    ]
    value_start = field_at + 1
    if (
        not label_idxs
        and value_start < len(env.tokens)
        and env.tokens[value_start].word in (_LOCATION_REF)
    ):
        k = value_start + 1
        run: list[int] = []
        while k < len(env.tokens) and env.tokens[k].word not in _VALUE_LEAD:
            if env.tokens[k].kind not in (Kind.WORD, Kind.LOCATION, Kind.CODE):
                break
            run.append(k)
            k += 1
        if run and k < len(env.tokens) and env.tokens[k].word in _VALUE_LEAD:
            label_idxs, value_start = run, k
    location = _span(env, label_idxs)
    if location is not None and canonical in _BO_LOCATION_FIELDS:
        name, kind = _BO_LOCATION_FIELDS[canonical]
    elif canonical in _BO_FIELDS:
        name, kind = _BO_FIELDS[canonical]
        location = None if canonical not in _BO_LOCATION_FIELDS else location
    else:
        return None
    args: dict[str, object] = {**_bo_args(env), "field": name}
    if location is not None:
        args["location"] = location
    value = _value(env, kind, _value_idxs(env, value_start))
    if value is None:
        return Intent("edit_booking_order", args, ("value",), replies.ask_edit_value(_label(name)))
    args["value"] = value
    return Intent("edit_booking_order", args)


def _value_idxs(env: _Env, start: int) -> list[int]:
    i = start
    while i < len(env.tokens) and env.tokens[i].word in _VALUE_LEAD:
        i += 1
    return list(range(i, len(env.tokens)))


def _value(env: _Env, kind: str, idxs: list[int]) -> object | None:
    """Read a field value of `kind` from the tokens; None when it isn't there."""
    toks = [env.tokens[i] for i in idxs]
    if kind == "text":
        return _span(env, _trim(env, idxs, frozenset(), frozenset({"please"})))
    if kind == "list":
        text = _span(env, idxs)
        if text is None:
            return None
        parts = [p.strip().strip(_QUOTES) for p in text.replace(" and ", ",").split(",")]
        return [p for p in parts if p] or None
    for tok in toks:
        if kind == "amount" and tok.kind in (Kind.AMOUNT, Kind.NUMBER) and tok.number is not None:
            return _amount_str(tok.number)
        if kind in ("percent", "decimal") and tok.kind in (Kind.PERCENT, Kind.NUMBER):
            assert tok.number is not None
            return _amount_str(tok.number) + ("%" if kind == "percent" else "")
        if kind == "date" and tok.kind is Kind.DATE and tok.day is not None:
            return tok.day.isoformat()
        if kind == "duration" and tok.kind is Kind.DURATION and tok.duration is not None:
            return tok.duration.text
        if kind == "currency" and tok.kind is Kind.CURRENCY:
            return tok.currency
        if kind == "type" and tok.kind is Kind.KEYWORD and tok.word in ("digital", "static"):
            return tok.word
        if kind in ("int", "seconds"):
            if tok.kind is Kind.DURATION and tok.duration is not None:
                return tok.duration.count if kind == "seconds" else None
            if tok.kind is Kind.NUMBER and tok.number is not None and tok.number == int(tok.number):
                return int(tok.number)
        if kind == "metres" and tok.kind in (Kind.NUMBER, Kind.AMOUNT) and tok.number is not None:
            metres = tok.number / 1_000_000 if tok.scale == "m" else tok.number
            return _amount_str(metres)
        if kind == "size" and tok.kind is Kind.SIZE and tok.size is not None:
            return tok.size
        if tok.kind is Kind.KEYWORD and tok.word in _LOCATION_FIELDS and kind != "type":
            return None  # reached the next field without a value
    return None


# --- location administration -----------------------------------------------------------------


def _location_admin(env: _Env) -> Intent | None:
    if env.has_kw("proposal", "combined", "mockup"):
        return None
    add = env.find_kw("add")
    at = env.find_kw("location")
    if add is not None and at is not None and add < at:
        return _add_location(env, at)
    delete = env.find_kw("delete")
    locs = env.of_kind(Kind.LOCATION)
    if delete is not None and (locs or at is not None):
        return _delete_location(env, locs, at)
    switch = env.find_kw("activate", "deactivate")
    if switch is not None and locs:
        fields: dict[str, object] = {"is_active": env.kw(switch, "activate")}
        return _with_location(env, locs[0], "update_location", {"fields": fields})
    update = env.find_kw("update")
    if update is not None and locs and at is not None:
        return _update_location(env, update, locs[0])
    make = env.find_word("make", "turn", "convert")
    if make is not None and locs and env.has_kw("digital", "static"):
        return _update_location(env, make, locs[0])
    return None


def _with_location(env: _Env, i: int, tool: str, args: dict[str, object]) -> Intent:
    """Finish a location tool's intent with the location token `i` names (or ask which)."""
    keys = env.tokens[i].locations
    if len(keys) != 1:
        question = replies.ask_which([env.name(k) for k in keys])
        return Intent(tool, args, ("location",), question)
    key = keys[0]
    if tool == "generate_mockup":
        return _complete_mockup(env, {**args, "location": key})
    if tool == "delete_location":
        question = replies.confirm_delete(env.name(key))
        return Intent(tool, {"location": key, "confirm": False}, ("confirm",), question)
    if tool == "find_location":
        return Intent(tool, {"query": key})
    fields = args.get("fields")
    if not fields:
        question = replies.ask_location_changes(env.name(key))
        return Intent(tool, {"location": key, "fields": {}}, ("fields",), question)
    return Intent(tool, {"location": key, "fields": fields})


def _add_location(env: _Env, at: int) -> Intent:
    args: dict[str, object] = {}
    name_start = at + 1
    named = env.find_word("called", "named")
    if named is not None:
        name_start = named + 1
    name_idxs = _value_run(env, name_start, commas_end=True, allow=frozenset({Kind.LOCATION}))
    name_idxs = [i for i in name_idxs if not env.kw(i, *_LOCATION_FIELDS)]
    name = _span(env, name_idxs)
    if name is not None:
        args["display_name"] = name
    kind = next(
        (env.tokens[i].word for i in range(len(env.tokens)) if env.kw(i, "digital", "static")),
        None,
    )
    if kind is not None:
        args["display_type"] = kind
    fields = _location_fields(env, (name_idxs[-1] + 1) if name_idxs else at + 1)
    fields.pop("display_type", None)
    args.update(fields)
    if "display_name" not in args:
        return Intent("add_location", args, ("display_name",), replies.ask_new_location_name())
    if "display_type" not in args:
        return Intent("add_location", args, ("display_type",), replies.ask_display_type())
    return Intent("add_location", args)


def _location_fields(env: _Env, start: int) -> dict[str, object]:
    """Catalogue fields written as `upload fee 2500, spot duration 12 seconds, 4 faces`."""
    fields: dict[str, object] = {}
    consumed: set[int] = set()
    i = max(start, 0)
    while i < len(env.tokens):
        if not env.kw(i, *_LOCATION_FIELDS) or env.kw(i, "digital", "static"):
            i += 1
            continue
        name, kind = _LOCATION_FIELDS[env.tokens[i].word]
        end = _field_end(env, i, text=kind in ("text", "list"))
        idxs = [k for k in _value_idxs(env, i + 1) if k < end]
        if kind in ("int", "seconds") and not idxs and i > 0:
            idxs = [i - 1]  # "4 faces"
        value = _value(env, kind, idxs)
        if kind == "size" and isinstance(value, tuple):
            width, height = value
            fields["width_m"], fields["height_m"] = _amount_str(width), _amount_str(height)
        elif value is not None:
            fields[name] = value
        consumed.update(range(i, end))
        i = max(end, i + 1)
    for k in env.of_kind(Kind.SIZE):
        size = env.tokens[k].size
        if k >= start and size is not None and "width_m" not in fields:
            fields["width_m"], fields["height_m"] = _amount_str(size[0]), _amount_str(size[1])
    for k in range(max(start, 0), len(env.tokens)):
        if env.kw(k, "digital", "static") and k not in consumed:
            fields["display_type"] = env.tokens[k].word
    return fields


_VALUE_KINDS = frozenset({Kind.NUMBER, Kind.AMOUNT, Kind.PERCENT, Kind.SIZE, Kind.DURATION})


def _field_end(env: _Env, i: int, *, text: bool) -> int:
    """Where the value of the field keyword at `i` stops: a comma or the next field.

    Free text may contain field words ("The Landmark Series"), so there the next field only
    counts when a value follows it.
    """
    for k in range(i + 1, len(env.tokens)):
        if env.tokens[k].word in (",", ";"):
            return k
        if not env.kw(k, *_LOCATION_FIELDS):
            continue
        nxt = env.tokens[k + 1] if k + 1 < len(env.tokens) else None
        if not text or (nxt is not None and (nxt.kind in _VALUE_KINDS or nxt.word in _VALUE_LEAD)):
            return k
    return len(env.tokens)


def _update_location(env: _Env, verb: int, loc_at: int) -> Intent:
    fields: dict[str, object]
    if verb >= 0 and env.kw(verb, "rename"):
        new_name = _span(env, _trim(env, _value_idxs(env, loc_at + 1), frozenset(), frozenset()))
        fields = {"display_name": new_name} if new_name else {}
    else:
        start = min(verb + 1, loc_at) if verb >= 0 else loc_at
        fields = _location_fields(env, start)
        display = env.find_kw("display_name", start=start)
        if display is not None:
            value = _value(env, "text", _value_idxs(env, display + 1))
            if value is not None:
                fields["display_name"] = value
    return _with_location(env, loc_at, "update_location", {"fields": fields})


def _delete_location(env: _Env, locs: list[int], at: int | None) -> Intent:
    if not locs:
        idxs = _trim(env, list(range((at or 0) + 1, len(env.tokens))), _QUERY_LEAD, frozenset())
        name = _span(env, idxs)
        if name is None:
            return Intent(
                "delete_location", {"confirm": False}, ("location",), replies.ask_location_to_find()
            )
        return Intent("find_location", {"query": name})  # unknown name: show what matches
    return _with_location(env, locs[0], "delete_location", {"confirm": False})


# --- mockups ---------------------------------------------------------------------------------

_PROMPT_MARKERS = frozenset({"with", "showing", "featuring", "of", ":", "displaying"})
_REUSE = frozenset({"it", "same", "again", "previous", "reuse", "last", "that"})
_ATTACHED = frozenset({"attached", "uploaded", "attachment", "upload", "image", "creative"})
_FINISHES = frozenset({"gold", "silver"})
_SHOW_VERBS = frozenset({"show", "put", "place", "display", "try"})
_NOT_A_PROMPT = _words("it same again this that one the my our creative design artwork image ad")


def _mockup(env: _Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    prompt_idxs = _prompt_idxs(env)
    if not env.has_kw("mockup"):
        if not locs or _has_proposal_fields(env):
            return None
        if any(env.kw(i, *_FIELD_STARTERS) for i in range(len(env.tokens))):
            return None
        styled = env.has_kw("night", "day", "finish") or env.has_word(*_FINISHES)
        showing = any(t.text.lower() in _SHOW_VERBS for t in env.tokens)
        reuse = env.has_word("same", "again") or (showing and env.has_word("it"))
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
    prompt = _span(env, prompt_idxs)
    if prompt is not None:
        args["prompt"] = prompt
    args["reuse_previous"] = any(env.tokens[i].word in _REUSE for i in outside)
    if loc_at is not None:
        return _with_location(env, loc_at, "generate_mockup", args)
    return _complete_mockup(env, args)


def _complete_mockup(env: _Env, args: dict[str, object]) -> Intent:
    if "location" not in args:
        return Intent("generate_mockup", args, ("location",), replies.ask_mockup_location())
    if not (env.attachments or args.get("prompt") or args.get("reuse_previous")):
        return Intent("generate_mockup", args, ("prompt",), replies.ask_creative())
    return Intent("generate_mockup", args)


def _finish(env: _Env, idxs: list[int]) -> str | None:
    for i in idxs:
        if env.kw(i, "finish"):
            for k in (i - 1, i + 1):
                if k in idxs and env.tokens[k].kind is Kind.WORD:
                    return env.tokens[k].word
        if env.tokens[i].word in _FINISHES:
            return env.tokens[i].word
    return None


def _prompt_idxs(env: _Env) -> list[int]:
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
    idxs = _trim(env, idxs, frozenset({"me", "us", "them"}), frozenset())
    words = {env.tokens[i].word for i in idxs}
    if words <= _NOT_A_PROMPT or any(env.kw(i, "mockup") for i in idxs):
        return []
    if words & _ATTACHED and (env.attachments or words & {"attached", "uploaded"}):
        return []  # "with the creative I uploaded" names the attachment, not a prompt
    return idxs


# --- proposal history ------------------------------------------------------------------------

_HISTORY_WORDS = _words("past previous recent sent my old earlier all last latest")


def _proposal_history(env: _Env) -> Intent | None:
    at = env.find_kw("proposal")
    if at is None or _has_proposal_fields(env) or env.of_kind(Kind.LOCATION):
        return None
    if not (
        env.has_kw("history", "list", "find")
        or env.has_word(*_HISTORY_WORDS)
        or env.has_word("what", "which", "how")
    ):
        return None
    args: dict[str, object] = {}
    for i, tok in enumerate(env.tokens):
        if tok.kind is Kind.NUMBER and tok.number is not None and 0 < tok.number <= 500:
            near = env.tokens[i - 1].word if i > 0 else ""
            if near in ("last", "latest", "recent", "top", "first") or (
                i + 1 < len(env.tokens) and env.kw(i + 1, "proposal")
            ):
                args["limit"] = int(tok.number)
    client = None
    marker = env.find_kw("client")
    if marker is not None:
        client = _span(env, _value_run(env, marker + 1, commas_end=True, allow=frozenset()))
    if client is None:
        client = _company_after(env, ("for", "to", "with"))
    if client is not None:
        args["client"] = client
    return Intent("proposal_history", args)


# --- proposals -------------------------------------------------------------------------------


@dataclass
class _Fields:
    """Per-location proposal fields as read from one stretch of the message."""

    start_date: date | None = None
    end_date: date | None = None
    durations: list[str] = field(default_factory=list)
    rates: list[Decimal] = field(default_factory=list)
    keyed_rates: bool = False  # the rates followed a "rates" keyword
    spots: int | None = None
    production_fee: Decimal | None = None

    def empty(self) -> bool:
        return self == _Fields()

    def fill_from(self, other: _Fields, *, override: bool = False) -> None:
        if other.start_date and (override or not self.start_date):
            self.start_date = other.start_date
        if other.end_date and (override or not self.end_date):
            self.end_date = other.end_date
        if other.durations and (override or not self.durations):
            self.durations = list(other.durations)
        if other.rates and (override or not self.rates):
            self.rates = list(other.rates)
        if other.spots and (override or not self.spots):
            self.spots = other.spots
        if other.production_fee is not None and (override or self.production_fee is None):
            self.production_fee = other.production_fee


@dataclass
class _Slot:
    location: str  # key; "" while the location is not known yet
    fields: _Fields
    candidates: tuple[str, ...] = ()  # several possible keys: ask which


@dataclass
class _Draft:
    combined: bool
    slots: list[_Slot] = field(default_factory=list)
    shared: _Fields = field(default_factory=_Fields)
    client_name: str | None = None
    payment_terms: str | None = None
    currency: str | None = None
    package_rate: Decimal | None = None
    problems: dict[str, str] = field(default_factory=dict)  # field kind -> why it's unusable


def _campaign_durations(env: _Env) -> list[int]:
    """Durations that can be a campaign length (not "12 seconds")."""
    return [
        i
        for i, tok in enumerate(env.tokens)
        if tok.duration is not None and tok.duration.unit != "second"
    ]


def _has_proposal_fields(env: _Env) -> bool:
    amounts = env.of_kind(Kind.AMOUNT)
    rates_for_a_location = (
        env.has_kw("rate")
        and bool(amounts or env.of_kind(Kind.NUMBER))
        and bool(env.of_kind(Kind.LOCATION))
    )
    return (
        bool(_campaign_durations(env) and amounts)
        or env.has_kw("package_rate")
        or rates_for_a_location
    )


def _proposal(env: _Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    asked = env.has_kw("proposal", "combined", "package_rate", "separate")
    durations = _campaign_durations(env)
    detail = durations or env.of_kind(Kind.AMOUNT) or env.of_kind(Kind.DATE, Kind.BAD_DATE)
    if not (asked or _has_proposal_fields(env) or (locs and detail)):
        return None
    draft = _parse_proposal(env)
    for slot in draft.slots:
        slot.fields.fill_from(draft.shared)
    if not draft.slots and not draft.shared.empty():
        draft.slots.append(_Slot("", _copy(draft.shared)))  # kept until the location is known
    _apply_context(env, draft)
    return _proposal_intent(env, draft)


def _apply_context(env: _Env, draft: _Draft) -> None:
    ctx = env.context
    draft.client_name = draft.client_name or ctx.client_name
    draft.currency = draft.currency or ctx.currency
    draft.payment_terms = draft.payment_terms or ctx.payment_terms


def _parse_proposal(env: _Env) -> _Draft:
    """Read a proposal request: top-level fields first, then one stretch per location group."""
    draft = _Draft(combined=env.has_kw("combined", "package_rate"))
    draft.client_name = _take_client(env)
    draft.payment_terms = _take_text_field(env, "payment_terms")
    draft.currency = _take_currency(env)
    draft.package_rate = _take_amount_after(env, "package_rate", draft)
    referenced = _take_located_fees(env)

    free = [i for i in range(len(env.tokens)) if i not in env.used]
    groups: list[tuple[list[int], list[int]]] = []  # (location token indexes, stretch)
    preamble: list[int] = []
    current: tuple[list[int], list[int]] | None = None
    for pos, i in enumerate(free):
        tok = env.tokens[i]
        if tok.kind is Kind.LOCATION:
            if current is not None and _only_connectors(env, current[1]):
                current[0].append(i)
                current[1].clear()
                continue
            current = ([i], [])
            groups.append(current)
            continue
        if current is None:
            preamble.append(i)
        elif tok.word in ("both", "all") and pos + 1 < len(free):
            current = None  # "..., both 4 weeks at 2M": the rest is shared
        else:
            current[1].append(i)
    draft.shared = _read_fields(env, preamble, draft)
    for loc_idxs, stretch in groups:
        fields = _read_fields(env, stretch, draft)
        for i in loc_idxs:
            _add_slot(env, draft, env.tokens[i].locations, fields)
    for key, fields in referenced:
        _add_slot(env, draft, (key,), fields)
    return draft


def _add_slot(env: _Env, draft: _Draft, keys: tuple[str, ...], fields: _Fields) -> None:
    if len(keys) > 1:
        draft.slots.append(_Slot("", _copy(fields), candidates=keys))
        return
    for slot in draft.slots:
        if slot.location == keys[0]:
            slot.fields.fill_from(fields)
            return
    draft.slots.append(_Slot(keys[0], _copy(fields)))


def _copy(fields: _Fields) -> _Fields:
    copy = _Fields()
    copy.fill_from(fields)
    copy.keyed_rates = fields.keyed_rates
    return copy


def _only_connectors(env: _Env, idxs: list[int]) -> bool:
    return all(env.tokens[i].word in _CONNECT or env.tokens[i].word == "the" for i in idxs)


def _take_client(env: _Env) -> str | None:
    at = env.find_kw("client")
    if at is not None:
        idxs = _value_run(env, at + 1, commas_end=True, allow=frozenset({Kind.LOCATION}))
        if idxs:
            env.used.update(range(at, idxs[-1] + 1))
            return _span(env, idxs)
    # "proposal for Nike Middle East": capitalised words after "for" that name nothing else.
    for i, tok in enumerate(env.tokens):
        if tok.word != "for" or i + 1 >= len(env.tokens):
            continue
        run: list[int] = []
        k = i + 1
        while k < len(env.tokens):
            cand = env.tokens[k]
            if cand.kind is not Kind.WORD or not cand.text[:1].isupper() or cand.word in _FILLER:
                break
            run.append(k)
            k += 1
        if run:
            env.used.update(range(i, run[-1] + 1))
            return _span(env, run)
    return None


def _take_text_field(env: _Env, keyword: str) -> str | None:
    at = env.find_kw(keyword)
    if at is None:
        return None
    allow = frozenset({Kind.PERCENT, Kind.NUMBER, Kind.DURATION, Kind.AMOUNT, Kind.DATE})
    idxs = _value_run(env, at + 1, commas_end=False, allow=allow)
    if not idxs:
        # "50% upfront payment terms": the value came first, back to the previous comma.
        k = at - 1
        while k >= 0 and k not in env.used and env.tokens[k].word not in (",", ";", "."):
            if env.tokens[k].kind is Kind.KEYWORD and env.tokens[k].word in _FIELD_STARTERS:
                break
            idxs.insert(0, k)
            k -= 1
        idxs = _trim(env, idxs, frozenset({"with", "and"}), frozenset({"the"}))
    env.used.add(at)
    env.used.update(idxs)
    return _span(env, idxs)


def _take_currency(env: _Env) -> str | None:
    found = None
    for i in env.of_kind(Kind.CURRENCY):
        found = env.tokens[i].currency
        env.used.add(i)
    at = env.find_kw("currency")
    if at is not None:
        env.used.add(at)
    return found


def _take_amount_after(env: _Env, keyword: str, draft: _Draft) -> Decimal | None:
    at = env.find_kw(keyword)
    if at is None:
        return None
    env.used.add(at)
    for k in range(at + 1, min(at + 4, len(env.tokens))):
        tok = env.tokens[k]
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and k not in env.used:
            env.used.add(k)
            return _aed(env, tok, draft)
    return None


def _aed(env: _Env, tok: Token, draft: _Draft) -> Decimal | None:
    """An amount in AED; an amount in another currency becomes a question."""
    if tok.currency not in (None, "AED"):
        draft.problems.setdefault("net_rates", replies.ask_amount_in_aed(tok.text))
        return None
    return tok.number


def _take_located_fees(env: _Env) -> list[tuple[str, _Fields]]:
    """`production fee for UAE21 is 5000` and `2 spots on gateway`: fields naming their place."""
    found: list[tuple[str, _Fields]] = []
    for i, _tok in enumerate(env.tokens):
        if i in env.used or i + 2 >= len(env.tokens):
            continue
        is_fee = env.kw(i, "production_fee")
        is_spots = env.kw(i, "spots") and i > 0 and env.tokens[i - 1].kind is Kind.NUMBER
        if not (is_fee or is_spots) or env.tokens[i + 1].word not in _LOCATION_REF:
            continue
        loc = env.tokens[i + 2]
        if loc.kind is not Kind.LOCATION or len(loc.locations) != 1:
            continue
        fields = _Fields()
        used = [i, i + 1, i + 2]
        if is_spots:
            fields.spots = int(env.tokens[i - 1].number or 0) or None
            used.append(i - 1)
        else:
            for k in range(i + 3, min(i + 6, len(env.tokens))):
                amount = env.tokens[k]
                if amount.kind in (Kind.AMOUNT, Kind.NUMBER) and amount.number is not None:
                    fields.production_fee = amount.number
                    used.append(k)
                    break
            if fields.production_fee is None:
                continue
        env.used.update(used)
        found.append((loc.locations[0], fields))
    return found


_START_WORDS = frozenset({"start", "from", "on", "commencing", "beginning", "starting"})
_END_WORDS = frozenset({"end", "to", "-", "–", "until", "till", "through", "thru", "ending"})


def _read_fields(env: _Env, idxs: list[int], draft: _Draft) -> _Fields:
    fields = _Fields()
    in_rates = False
    for pos, i in enumerate(idxs):
        if i in env.used:
            continue
        tok = env.tokens[i]
        prev = env.tokens[idxs[pos - 1]] if pos > 0 else None
        if env.kw(i, "rate", "net"):
            in_rates = True
            fields.keyed_rates = True
            continue
        if env.kw(i, "production_fee"):
            amount = _next_amount(env, idxs[pos + 1 : pos + 4])
            if amount is not None:
                env.used.add(amount)
                fields.production_fee = _aed(env, env.tokens[amount], draft)
            continue
        if env.kw(i, "spots"):
            count = _spots(env, idxs, pos)
            if count is not None:
                fields.spots = count
            continue
        if tok.kind is Kind.DATE and tok.day is not None:
            marker = prev.word if prev is not None else ""
            if (marker in _END_WORDS and fields.start_date is not None) or marker == "end":
                fields.end_date = tok.day
            elif marker in _START_WORDS or fields.start_date is None:
                fields.start_date = tok.day
            else:
                fields.end_date = tok.day
            continue
        if tok.kind is Kind.BAD_DATE:
            draft.problems.setdefault("start_date", replies.bad_date(tok.text))
            continue
        if tok.kind is Kind.DURATION and tok.duration is not None:
            if tok.duration.unit != "second":
                fields.durations.append(tok.duration.text)
            continue
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and tok.number is not None:
            if tok.kind is Kind.AMOUNT or in_rates or tok.number >= 1000:
                value = _aed(env, tok, draft)
                if value is not None:
                    fields.rates.append(value)
            continue
        if tok.word not in _CONNECT and tok.word not in ("at", "for", "each", "of"):
            in_rates = False
    return fields


def _next_amount(env: _Env, idxs: list[int]) -> int | None:
    for k in idxs:
        tok = env.tokens[k]
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and k not in env.used:
            return k
        if tok.word not in _VALUE_LEAD and tok.word not in _LOCATION_REF:
            return None
    return None


def _spots(env: _Env, idxs: list[int], pos: int) -> int | None:
    for k in (pos - 1, pos + 1, pos + 2):
        if 0 <= k < len(idxs):
            tok = env.tokens[idxs[k]]
            if tok.kind is Kind.NUMBER and tok.number is not None and 0 < tok.number <= 100:
                env.used.add(idxs[k])
                return int(tok.number)
    return None


def _derived_duration(start: date, end: date) -> str | None:
    """The duration an end date implies: 14 days → "2 weeks", 28–31 days → "1 month"."""
    days = (end - start).days + 1
    if days <= 0:
        return None
    if 28 <= days <= 31:
        return "1 month"
    if days % 7 in (0, 1) and days >= 7:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def _proposal_intent(env: _Env, draft: _Draft) -> Intent:
    questions: list[tuple[str, str]] = []
    for slot in draft.slots:
        fields = slot.fields
        if not fields.durations and fields.start_date and fields.end_date:
            derived = _derived_duration(fields.start_date, fields.end_date)
            if derived is not None:
                fields.durations = [derived]
    known = [s for s in draft.slots if s.location]
    for slot in draft.slots:
        if slot.candidates:
            questions.append(
                ("location", replies.ask_which([env.name(k) for k in slot.candidates]))
            )
    if not known and not any(s.candidates for s in draft.slots):
        names = [loc.display_name for loc in env.ordered]
        questions.append(("location", replies.ask_location(names)))
    elif draft.combined and len(known) < 2 and not any(s.candidates for s in draft.slots):
        questions.append(("location", replies.ask_more_locations()))
    if not draft.client_name:
        questions.append(("client_name", replies.ask_client()))
    if draft.combined:
        questions += _combined_questions(env, draft, known)
    else:
        questions += _separate_questions(env, known)
    questions = _explain_problems(questions, draft.problems)
    missing = tuple(dict.fromkeys(name for name, _ in questions))
    tool = "create_combined_proposal" if draft.combined else "create_separate_proposals"
    args = _combined_args(draft) if draft.combined else _separate_args(draft)
    if missing:
        return Intent(tool, args, missing, replies.join_questions([q for _, q in questions]))
    return Intent(tool, args)


def _explain_problems(
    questions: list[tuple[str, str]], problems: dict[str, str]
) -> list[tuple[str, str]]:
    """Ask about an unreadable date or amount instead of the plain question for that field."""
    out = list(questions)
    for kind, text in problems.items():
        prefixes = ("net_rates", "combined_net_rate") if kind == "net_rates" else (kind,)
        at = next((i for i, (name, _) in enumerate(out) if name.startswith(prefixes)), None)
        if at is None:
            out.append((kind, text))
        else:
            out[at] = (out[at][0], text)
    return out


def _separate_questions(env: _Env, slots: list[_Slot]) -> list[tuple[str, str]]:
    questions: list[tuple[str, str]] = []
    single = len(slots) == 1
    for slot in slots:
        key, fields, name = slot.location, slot.fields, env.name(slot.location)
        if fields.start_date is None:
            questions.append((f"start_date:{key}", replies.ask_start(name)))
        if not fields.durations:
            questions.append((f"durations:{key}", replies.ask_durations(name)))
        if not fields.rates:
            questions.append((f"net_rates:{key}", replies.ask_rates(None if single else name)))
        elif fields.durations and len(fields.durations) != len(fields.rates):
            question = replies.ask_rates_mismatch(name, len(fields.durations), len(fields.rates))
            questions.append((f"net_rates:{key}", question))
        if env.is_static(key) and fields.production_fee is None:
            questions.append((f"production_fee:{key}", replies.ask_production_fee(name)))
    return questions


def _combined_questions(env: _Env, draft: _Draft, slots: list[_Slot]) -> list[tuple[str, str]]:
    questions: list[tuple[str, str]] = []
    for slot in slots:
        key, fields, name = slot.location, slot.fields, env.name(slot.location)
        if fields.start_date is None:
            questions.append((f"start_date:{key}", replies.ask_start(name)))
        if len(fields.durations) != 1:
            questions.append((f"duration:{key}", replies.ask_package_duration(name)))
        if env.is_static(key) and fields.production_fee is None:
            questions.append((f"production_fee:{key}", replies.ask_production_fee(name)))
    if draft.package_rate is None:
        rates = {rate for slot in draft.slots for rate in slot.fields.rates} | set(
            draft.shared.rates
        )
        if len(rates) == 1:
            draft.package_rate = rates.pop()
        else:
            questions.append(("combined_net_rate", replies.ask_package_rate()))
    return questions


def _top_args(draft: _Draft) -> dict[str, object]:
    args: dict[str, object] = {}
    if draft.client_name:
        args["client_name"] = draft.client_name
    if draft.payment_terms:
        args["payment_terms"] = draft.payment_terms
    if draft.currency:
        args["currency"] = draft.currency
    return args


def _separate_args(draft: _Draft) -> dict[str, object]:
    proposals: list[dict[str, object]] = []
    for slot in draft.slots:
        f = slot.fields
        entry: dict[str, object] = {"location": slot.location}
        if f.start_date:
            entry["start_date"] = f.start_date.isoformat()
        if f.end_date:
            entry["end_date"] = f.end_date.isoformat()
        entry["durations"] = list(f.durations)
        entry["net_rates"] = [_amount_str(r) for r in f.rates]
        if f.spots:
            entry["spots"] = f.spots
        if f.production_fee is not None:
            entry["production_fee"] = _amount_str(f.production_fee)
        proposals.append(entry)
    args = _top_args(draft)
    args["proposals"] = proposals
    return args


def _combined_args(draft: _Draft) -> dict[str, object]:
    entries: list[dict[str, object]] = []
    for slot in draft.slots:
        f = slot.fields
        entry: dict[str, object] = {"location": slot.location}
        if f.start_date:
            entry["start_date"] = f.start_date.isoformat()
        if len(f.durations) == 1:
            entry["duration"] = f.durations[0]
        if f.production_fee is not None:
            entry["production_fee"] = _amount_str(f.production_fee)
        entries.append(entry)
    args = _top_args(draft)
    args["locations"] = entries
    if draft.package_rate is not None:
        args["combined_net_rate"] = _amount_str(draft.package_rate)
    return args


def _draft_from_args(pending: Intent) -> _Draft:
    """Rebuild the draft a pending proposal intent carries, to merge an answer into it."""
    args = pending.args
    combined = pending.tool == "create_combined_proposal"
    draft = _Draft(combined=combined)
    draft.client_name = _str_or_none(args.get("client_name"))
    draft.payment_terms = _str_or_none(args.get("payment_terms"))
    draft.currency = _str_or_none(args.get("currency"))
    rate = _str_or_none(args.get("combined_net_rate"))
    draft.package_rate = to_decimal(rate) if rate else None
    entries = args.get("locations" if combined else "proposals")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        fields = _Fields()
        start, end = _str_or_none(entry.get("start_date")), _str_or_none(entry.get("end_date"))
        fields.start_date = date.fromisoformat(start) if start else None
        fields.end_date = date.fromisoformat(end) if end else None
        durations = entry.get("durations", [entry["duration"]] if "duration" in entry else [])
        fields.durations = [str(d) for d in durations] if isinstance(durations, list) else []
        rates = entry.get("net_rates", [])
        fields.rates = [to_decimal(str(r)) for r in rates] if isinstance(rates, list) else []
        spots = entry.get("spots")
        fields.spots = spots if isinstance(spots, int) else None
        fee = _str_or_none(entry.get("production_fee"))
        fields.production_fee = to_decimal(fee) if fee else None
        draft.slots.append(_Slot(str(entry.get("location") or ""), fields))
    return draft


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _merge_proposal(env: _Env, pending: Intent) -> Intent | None:
    draft = _draft_from_args(pending)
    missing = set(pending.missing)
    if env.has_kw("proposal", "combined") and "location" not in missing:
        return None  # a new proposal request, not an answer to the open question
    before = _proposal_intent(env, _draft_from_args(pending))
    patch = _parse_proposal(env)
    if _starts_over(draft, patch, missing):
        return None
    draft.client_name = patch.client_name or draft.client_name
    draft.payment_terms = patch.payment_terms or draft.payment_terms
    draft.currency = patch.currency or draft.currency
    draft.package_rate = patch.package_rate or draft.package_rate
    draft.problems = dict(patch.problems)
    if patch.combined:
        draft.combined = True
    for slot in patch.slots:
        target = next((s for s in draft.slots if s.location == slot.location), None)
        if target is None and not slot.candidates:
            target = next((s for s in draft.slots if not s.location), None)
            if target is not None:
                target.location = slot.location
        _route_fee(slot.fields, slot.location, missing)
        if target is None:
            _inherit_common(slot, draft.slots)
            draft.slots.append(slot)
        else:
            target.fields.fill_from(slot.fields, override=True)
    _merge_shared(draft, patch.shared, missing)
    if not (draft.client_name or patch.slots or not patch.shared.empty()):
        draft.client_name = _bare_name(env) if "client_name" in missing else None
    after = _proposal_intent(env, draft)
    if after.args == before.args and after.tool == before.tool:
        return None  # the message added nothing to this proposal
    return after


def _merge_shared(draft: _Draft, shared: _Fields, missing: set[str]) -> None:
    """Answer fields without a location go where they are missing (or everywhere)."""
    fee_slot = next((s for s in draft.slots if f"production_fee:{s.location}" in missing), None)
    if fee_slot is not None and not any(name.startswith("net_rates") for name in missing):
        _route_fee(shared, fee_slot.location, missing)
        if shared.production_fee is not None and fee_slot.fields.production_fee is None:
            fee_slot.fields.production_fee = shared.production_fee
            shared.production_fee = None
    rates = list(shared.rates)
    if rates and draft.combined:
        draft.package_rate = rates[0] if len(rates) == 1 else draft.package_rate
        rates = []
    values = _Fields(
        start_date=shared.start_date,
        end_date=shared.end_date,
        durations=list(shared.durations),
        rates=rates,
        spots=shared.spots,
        production_fee=shared.production_fee,
    )
    if values.empty():
        return
    for attr in ("start_date", "end_date", "durations", "rates", "spots", "production_fee"):
        given = getattr(values, attr)
        if not given and given != 0:
            continue
        lacking = [s for s in draft.slots if not getattr(s.fields, attr)]
        for slot in lacking or draft.slots:
            setattr(slot.fields, attr, list(given) if isinstance(given, list) else given)


def _starts_over(draft: _Draft, patch: _Draft, missing: set[str]) -> bool:
    """A complete request for other locations, while this one still has gaps, is a new one."""
    known = {slot.location for slot in draft.slots}
    new = [slot for slot in patch.slots if slot.location and slot.location not in known]
    gaps = any(":" in name or name == "location" for name in missing)
    complete = all(
        (s.fields.start_date or patch.shared.start_date)
        and (s.fields.durations or patch.shared.durations)
        and (s.fields.rates or patch.shared.rates)
        for s in new
    )
    return bool(new) and len(new) == len(patch.slots) and complete and gaps


def _inherit_common(slot: _Slot, others: list[_Slot]) -> None:
    """A location added later takes the dates and durations all the others agree on."""
    if not others:
        return
    for attr in ("start_date", "end_date", "durations"):
        values = [getattr(o.fields, attr) for o in others]
        if not getattr(slot.fields, attr) and values[0] and all(v == values[0] for v in values):
            setattr(slot.fields, attr, list(values[0]) if attr == "durations" else values[0])


def _route_fee(fields: _Fields, key: str, missing: set[str]) -> None:
    """A lone amount answering "what is the production fee for X?" is that fee."""
    if (
        len(fields.rates) == 1
        and not fields.keyed_rates
        and fields.production_fee is None
        and f"production_fee:{key}" in missing
        and f"net_rates:{key}" not in missing
        and "combined_net_rate" not in missing
    ):
        fields.production_fee = fields.rates.pop()


_NAME_LEAD = _words("it its it's is for the client name called they are this we re s ' : -")


_QUESTION_WORDS = _words("what what's how why when where who which can could is are do does")


def _bare_name(env: _Env) -> str | None:
    """A whole answer taken as a name ("Nike", "it's for Nike UAE"), never a question."""
    if env.tokens and env.tokens[0].word in _QUESTION_WORDS:
        return None
    idxs: list[int] = []
    started = False
    for i, tok in enumerate(env.tokens):
        if not started and (tok.word in _NAME_LEAD or env.kw(i, "client")):
            continue
        if (tok.kind is Kind.PUNCT and tok.word in (",", ";", ".")) or i in env.used:
            break
        if tok.kind not in (Kind.WORD, Kind.PUNCT, Kind.LOCATION, Kind.KEYWORD, Kind.CODE):
            break
        if (tok.kind is Kind.KEYWORD and tok.word in _FIELD_STARTERS) or tok.kind is Kind.LOCATION:
            break
        started = True
        idxs.append(i)
    return _span(env, _trim(env, idxs, frozenset(), frozenset()))


# --- locations (look-ups) --------------------------------------------------------------------

_LIST_WORDS = frozenset({"what", "which", "all", "available", "have", "our", "any", "how"})


def _locations(env: _Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    listing = env.has_kw("location", "digital", "static")
    if locs:
        find_words = env.has_kw("find", "list", "location") or env.has_word(
            "about", "info", "details", "where", "what", "tell", "describe", "is"
        )
        only_location = all(
            t.kind in (Kind.LOCATION, Kind.PUNCT) or t.word in ("the",) for t in env.tokens
        )
        if find_words or only_location:
            return _with_location(env, locs[0], "find_location", {})
        return None
    if not listing:
        return None
    find = env.find_kw("find")
    at = env.find_kw("location")
    if find is not None and at is not None and find < at and not env.has_word(*_LIST_WORDS):
        idxs = _trim(env, list(range(at + 1, len(env.tokens))), _QUERY_LEAD, frozenset())
        query = _span(env, idxs)
        if query is not None:
            return Intent("find_location", {"query": query})
    args: dict[str, object] = {}
    kind = env.find_kw("digital", "static")
    if kind is not None:
        args["display_type"] = env.tokens[kind].word
    company = _company_after(env, ("company", "for", "from", "by", "of"))
    if company is None:
        # "Viola's locations"
        for i, tok in enumerate(env.tokens[:-2]):
            apostrophe_s = env.tokens[i + 1].text == "'" and env.tokens[i + 2].word == "s"
            if tok.kind is Kind.WORD and apostrophe_s and tok.text[:1].isupper():
                company = tok.text
    if company is not None:
        args["company"] = company
    return Intent("list_locations", args)


# --- answers to a pending question -----------------------------------------------------------


def _continue(pending: Intent, env: _Env) -> Intent | None:
    """Merge the message into the pending intent; None when it doesn't answer it."""
    if _is_no(env) and (pending.missing or pending.tool == "delete_location"):
        return Intent(None, {}, reply=replies.cancelled())
    if pending.tool == "delete_location" and "confirm" in pending.missing:
        if _is_yes(env):
            return Intent("delete_location", {**pending.args, "confirm": True})
        return None
    if not pending.missing or _is_yes(env):
        return None
    if pending.tool in ("create_separate_proposals", "create_combined_proposal"):
        return _merge_proposal(env, pending)
    need = pending.missing[0]
    args = dict(pending.args)
    if need == "location" and pending.tool is not None:
        locs = env.of_kind(Kind.LOCATION)
        return _with_location(env, locs[0], pending.tool, args) if locs else None
    if need in ("reason", "query"):
        text = _span(env, _trim(env, list(range(len(env.tokens))), frozenset(), frozenset()))
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
    if need == "value":
        return _merge_value(env, pending, args)
    if pending.tool == "generate_mockup":
        return _merge_mockup(env, args, need)
    if pending.tool == "add_location":
        return _merge_new_location(env, args, need)
    if pending.tool == "update_location" and need == "fields":
        fields = _location_fields(env, 0)
        if not fields:
            return None
        return Intent("update_location", {**args, "fields": fields})
    return None


def _merge_value(env: _Env, pending: Intent, args: dict[str, object]) -> Intent | None:
    name = str(args.get("field", ""))
    kinds = {**{v[0]: v[1] for v in _BO_FIELDS.values()}}
    kinds.update({v[0]: v[1] for v in _BO_LOCATION_FIELDS.values()})
    value = _value(env, kinds.get(name, "text"), list(range(len(env.tokens))))
    if value is None:
        return None
    args["value"] = value
    return Intent(pending.tool, args)


def _merge_mockup(env: _Env, args: dict[str, object], need: str) -> Intent | None:
    if env.has_kw("mockup") or env.of_kind(Kind.LOCATION):
        return None  # a new mockup request, not an answer
    if need == "prompt" and not env.attachments:
        text = _span(env, _trim(env, list(range(len(env.tokens))), frozenset(), frozenset()))
        if text is None:
            return None
        args["prompt"] = text[:500]
    return _complete_mockup(env, args)


def _merge_new_location(env: _Env, args: dict[str, object], need: str) -> Intent | None:
    kind = env.find_kw("digital", "static")
    if kind is not None:
        args["display_type"] = env.tokens[kind].word
    elif need == "display_name":
        name = _span(env, _trim(env, list(range(len(env.tokens))), _TEXT_LEAD, frozenset()))
        if name is None:
            return None
        args["display_name"] = name
    else:
        return None
    if "display_name" not in args:
        return Intent("add_location", args, ("display_name",), replies.ask_new_location_name())
    if "display_type" not in args:
        return Intent("add_location", args, ("display_type",), replies.ask_display_type())
    return Intent("add_location", args)
