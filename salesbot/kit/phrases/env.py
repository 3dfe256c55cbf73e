"""The offline grammar's shared vocabulary: intents, the token view every rule reads, and the
small readers (spans, free-text values, field values) that capabilities' phrase rules build on.

A capability registers its phrases as a `Family` in its own `offline.py`; `rules.py` finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesbot.kit.phrases import text as wording
from salesbot.kit.phrases.tokens import Kind, KnownLocation, Token

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
    last_made: str | None = None  # what the conversation produced last: "proposal", ...
    has_proposal: bool = False  # the conversation made a proposal (whatever came after it)
    pending: Intent | None = None
    has_attachments: bool = False
    attachment_count: int = 0


Rule = Callable[["Env"], "Intent | None"]
Answer = Callable[["Env", "Intent"], "Intent | None"]
Locate = Callable[["Env", str, dict[str, object]], "Intent"]
Action = Callable[["Env", int, int], "Intent"]
FieldTable = Mapping[str, tuple[str, str]]  # canonical keyword -> (field, value kind)


@dataclass(frozen=True)
class Family:
    """One capability's phrases: its keywords, its rule for a fresh message, its answers.

    `rank` orders the families' rules (lower first: the more specific phrases win). `answer`
    merges a reply into a pending intent of one of `tools` (after the generic answers:
    location, reason, query, attachment) or, with `answers_first`, before them; for the
    questions in `confirms` it reads even a bare "yes" or "no". `locate`
    finishes a tool's intent once the location is known. `signals`, `field_tables` and
    `actions` are what other families' rules may use by name (never by import).
    """

    name: str
    rank: int
    tools: tuple[str, ...] = ()
    keywords: Mapping[str, str] = field(default_factory=dict)
    read: Rule | None = None
    answer: Answer | None = None
    answers_first: bool = False
    confirms: frozenset[str] = frozenset()  # questions whose yes/no `answer` reads itself
    locate: Mapping[str, Locate] = field(default_factory=dict)
    starters: frozenset[str] = frozenset()  # keywords that start a new field in free text
    value_stops: frozenset[str] = frozenset()  # keywords a field value never runs into
    labels: Mapping[str, str] = field(default_factory=dict)  # tool -> "make proposals"
    signals: Mapping[str, Callable[[Env], bool]] = field(default_factory=dict)
    field_tables: Mapping[str, FieldTable] = field(default_factory=dict)
    actions: Mapping[str, Action] = field(default_factory=dict)


@dataclass(frozen=True)
class Shared:
    """Every family's contributions, combined (what a rule may ask for by name)."""

    starters: frozenset[str] = frozenset()
    value_stops: frozenset[str] = frozenset()
    locate: Mapping[str, Locate] = field(default_factory=dict)
    signals: Mapping[str, Callable[[Env], bool]] = field(default_factory=dict)
    field_tables: Mapping[str, FieldTable] = field(default_factory=dict)
    actions: Mapping[str, Action] = field(default_factory=dict)


# --- the token view --------------------------------------------------------------------------


@dataclass
class Env:
    message: str
    tokens: list[Token]
    by_key: dict[str, KnownLocation]
    ordered: tuple[KnownLocation, ...]
    context: Context
    today: date
    shared: Shared = field(default_factory=Shared)
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

    def fresh(self) -> Env:
        """The same message with nothing consumed yet (each rule reads it afresh)."""
        return Env(
            self.message,
            self.tokens,
            self.by_key,
            self.ordered,
            self.context,
            self.today,
            self.shared,
        )

    def signal(self, name: str) -> bool:
        """A predicate another family registered (e.g. "proposal_details"); False if none."""
        check = self.shared.signals.get(name)
        return check is not None and check(self)

    def field_table(self, name: str) -> FieldTable:
        return self.shared.field_tables.get(name, {})

    @property
    def attachments(self) -> bool:
        return self.context.has_attachments or self.context.attachment_count > 0


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def amount_str(value: Decimal) -> str:
    """Decimal as a plain string: 1.5M → "1500000", 12.50 → "12.5"."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


SENTENCE_END = frozenset({";", ".", "!", "?"})
CONNECT = frozenset({",", "and", "&", "+", "plus", "/", "or"})
TEXT_LEAD = frozenset({":", "=", "-", "is", "are", "was", "as", "of", "name", "called", "named"})
QUOTES = "\"'“”‘’`"


def trim(env: Env, idxs: list[int], lead: frozenset[str], trail: frozenset[str]) -> list[int]:
    """Drop filler words and punctuation at both ends of a run of token indexes."""
    start, end = 0, len(idxs)
    while start < end and (
        env.tokens[idxs[start]].word in lead or env.tokens[idxs[start]].kind is Kind.PUNCT
    ):
        if env.tokens[idxs[start]].text in QUOTES:
            break
        start += 1
    while end > start and (
        env.tokens[idxs[end - 1]].word in trail or env.tokens[idxs[end - 1]].kind is Kind.PUNCT
    ):
        if env.tokens[idxs[end - 1]].text in QUOTES:
            break
        end -= 1
    return idxs[start:end]


def span(env: Env, idxs: list[int]) -> str | None:
    """Text covered by the indexes, without surrounding quotes; None when empty."""
    if not idxs:
        return None
    text = env.text(idxs[0], idxs[-1]).strip().strip(QUOTES).strip()
    return text[:200] or None


def value_run(env: Env, start: int, *, commas_end: bool, allow: frozenset[Kind]) -> list[int]:
    """Token indexes of a free-text value starting at `start` (e.g. a client name)."""
    idxs: list[int] = []
    i = start
    while i < len(env.tokens) and env.tokens[i].word in TEXT_LEAD:
        i += 1
    while i < len(env.tokens):
        tok = env.tokens[i]
        nxt = env.tokens[i + 1] if i + 1 < len(env.tokens) else None
        starts_field = nxt is not None and (
            (nxt.kind is Kind.KEYWORD and nxt.word in env.shared.starters)
            or nxt.kind in (Kind.LOCATION, Kind.CURRENCY)
            or nxt.word == "in"
        )
        if i in env.used or tok.text in SENTENCE_END:
            break
        if tok.kind is Kind.KEYWORD and tok.word in env.shared.starters and idxs:
            break
        if tok.word == "," and (commas_end or starts_field):
            break
        if tok.word in ("and", "in") and idxs and starts_field:
            break
        if idxs and tok.kind not in allow and tok.kind not in (Kind.WORD, Kind.PUNCT, Kind.KEYWORD):
            break
        idxs.append(i)
        i += 1
    return trim(env, idxs, frozenset(), frozenset({"and", "in", "with", "for"}))


# --- entry point -----------------------------------------------------------------------------


FILLER = words(
    "please pls there bot assistant again me can you i just so much very team all everyone "
    "sir mate guys oh well great good fine cool perfect now"
)

QUERY_LEAD = words(
    "for about mentioning containing with where that which on regarding we i you discussed "
    "talked mentioned said the a my our in"
)
VALUE_LEAD = frozenset({"to", "=", ":", "as", "at", "is", "be", "should", "of", "now", "-"})
LOCATION_REF = frozenset({"for", "of", "on", "at", "in"})


VALUE_KINDS = frozenset({Kind.NUMBER, Kind.AMOUNT, Kind.PERCENT, Kind.SIZE, Kind.DURATION})


def company_after(env: Env, markers: tuple[str, ...]) -> str | None:
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
            if tok_k.word in FILLER or tok_k.word in QUERY_LEAD:
                break
            words.append(k)
            k += 1
        if words:
            return env.text(words[0], words[-1])
    return None


def value_idxs(env: Env, start: int) -> list[int]:
    i = start
    while i < len(env.tokens) and env.tokens[i].word in VALUE_LEAD:
        i += 1
    return list(range(i, len(env.tokens)))


def read_value(env: Env, kind: str, idxs: list[int]) -> object | None:
    """Read a field value of `kind` from the tokens; None when it isn't there."""
    toks = [env.tokens[i] for i in idxs]
    if kind == "text":
        return span(env, trim(env, idxs, frozenset(), frozenset({"please"})))
    if kind == "list":
        text = span(env, idxs)
        if text is None:
            return None
        parts = [p.strip().strip(QUOTES) for p in text.replace(" and ", ",").split(",")]
        return [p for p in parts if p] or None
    for tok in toks:
        if kind == "amount" and tok.kind in (Kind.AMOUNT, Kind.NUMBER) and tok.number is not None:
            # A foreign currency written with it stays with it: the tool converts and says so.
            foreign = tok.currency if tok.currency not in (None, "AED") else None
            return f"{foreign} {amount_str(tok.number)}" if foreign else amount_str(tok.number)
        if kind in ("percent", "decimal") and tok.kind in (Kind.PERCENT, Kind.NUMBER):
            assert tok.number is not None
            return amount_str(tok.number) + ("%" if kind == "percent" else "")
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
            return amount_str(metres)
        if kind == "size" and tok.kind is Kind.SIZE and tok.size is not None:
            return tok.size
        if tok.kind is Kind.KEYWORD and tok.word in env.shared.value_stops and kind != "type":
            return None  # reached the next field without a value
    return None


# --- location administration -----------------------------------------------------------------


def with_location(env: Env, i: int, tool: str, args: dict[str, object]) -> Intent:
    """Finish a location tool's intent with the location token `i` names (or ask which)."""
    keys = env.tokens[i].locations
    if len(keys) != 1:
        question = wording.ask_which([env.name(k) for k in keys])
        return Intent(tool, args, ("location",), question)
    locate = env.shared.locate.get(tool)
    if locate is None:
        return Intent(tool, {**args, "location": keys[0]})
    return locate(env, keys[0], args)
