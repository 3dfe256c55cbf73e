"""Reading a proposal request: top-level fields (client, terms, currency, package rate), then
one stretch of the message per location group (dates, durations, rates, spots, fees).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from salesbot.kit.parse import read_amount
from salesbot.kit.phrases.env import (
    CONNECT,
    FILLER,
    LOCATION_REF,
    VALUE_LEAD,
    Env,
    amount_str,
    span,
    trim,
    value_run,
)
from salesbot.kit.phrases.tokens import Kind, Token
from salesbot.proposals.offline import questions as asks


@dataclass(frozen=True)
class Typed:
    """An amount as typed: its value and the currency it was marked with ("$400k" → USD).

    Unmarked amounts (currency None) are AED by the spec; marked ones go to the tool with their
    marker, and pricing converts them at the stored rate and says so.
    """

    value: Decimal
    currency: str | None = None

    def text(self) -> str:
        plain = amount_str(self.value)
        return f"{self.currency} {plain}" if self.currency else plain

    @classmethod
    def of(cls, text: str) -> Typed | None:
        """Back from `text()` (a pending request's stored arguments)."""
        read = read_amount(text)
        return None if read is None else cls(read.value, read.currency)

    @classmethod
    def of_token(cls, tok: Token) -> Typed | None:
        if tok.number is None:
            return None
        return cls(tok.number, tok.currency if tok.currency != "AED" else None)


@dataclass
class Fields:
    """Per-location proposal fields as read from one stretch of the message."""

    start_date: date | None = None
    end_date: date | None = None
    durations: list[str] = field(default_factory=list)
    rates: list[Typed] = field(default_factory=list)
    keyed_rates: bool = False  # the rates followed a "rates" keyword
    spots: int | None = None
    production_fee: Typed | None = None

    def empty(self) -> bool:
        return self == Fields()

    def fill_from(self, other: Fields, *, override: bool = False) -> None:
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
class Slot:
    location: str  # key; "" while the location is not known yet
    fields: Fields
    candidates: tuple[str, ...] = ()  # several possible keys: ask which


@dataclass
class Draft:
    combined: bool
    slots: list[Slot] = field(default_factory=list)
    shared: Fields = field(default_factory=Fields)
    client_name: str | None = None
    payment_terms: str | None = None
    currency: str | None = None
    package_rate: Typed | None = None
    problems: dict[str, str] = field(default_factory=dict)  # field kind -> why it's unusable
    keep_past_start: bool = False  # the user chose to keep a start date that has passed


def campaign_durations(env: Env) -> list[int]:
    """Durations that can be a campaign length (not "12 seconds")."""
    return [
        i
        for i, tok in enumerate(env.tokens)
        if tok.duration is not None and tok.duration.unit != "second"
    ]


def has_proposal_fields(env: Env) -> bool:
    amounts = env.of_kind(Kind.AMOUNT)
    rates_for_a_location = (
        env.has_kw("rate")
        and bool(amounts or env.of_kind(Kind.NUMBER))
        and bool(env.of_kind(Kind.LOCATION))
    )
    return (
        bool(campaign_durations(env) and amounts)
        or env.has_kw("package_rate")
        or rates_for_a_location
    )


def parse_proposal(env: Env) -> Draft:
    """Read a proposal request: top-level fields first, then one stretch per location group."""
    draft = Draft(combined=env.has_kw("combined", "package_rate"))
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
        for i, own in zip(loc_idxs, _one_rate_each(fields, len(loc_idxs), draft), strict=True):
            _add_slot(env, draft, env.tokens[i].locations, own)
    for key, fields in referenced:
        _add_slot(env, draft, (key,), fields)
    return draft


def _one_rate_each(fields: Fields, count: int, draft: Draft) -> list[Fields]:
    """The fields of each of `count` locations named together. "landmark and jawhara, 2 weeks,
    1.5M/900K": as many rates as locations, with one duration, are one rate each, in order."""
    durations = fields.durations or draft.shared.durations
    if draft.combined or count < 2 or len(fields.rates) != count or len(durations) > 1:
        return [fields] * count
    out = []
    for rate in fields.rates:
        own = copy_fields(fields)
        own.rates = [rate]
        out.append(own)
    return out


def _add_slot(env: Env, draft: Draft, keys: tuple[str, ...], fields: Fields) -> None:
    if len(keys) > 1:
        draft.slots.append(Slot("", copy_fields(fields), candidates=keys))
        return
    for slot in draft.slots:
        if slot.location == keys[0]:
            slot.fields.fill_from(fields)
            return
    draft.slots.append(Slot(keys[0], copy_fields(fields)))


def copy_fields(fields: Fields) -> Fields:
    copy = Fields()
    copy.fill_from(fields)
    copy.keyed_rates = fields.keyed_rates
    return copy


def _only_connectors(env: Env, idxs: list[int]) -> bool:
    return all(env.tokens[i].word in CONNECT or env.tokens[i].word == "the" for i in idxs)


def _take_client(env: Env) -> str | None:
    at = env.find_kw("client")
    if at is not None:
        idxs = value_run(env, at + 1, commas_end=True, allow=frozenset({Kind.LOCATION}))
        # A client may be named like a place ("client Dubai Mall"), but a place after the name
        # is the proposal's location ("client Nike landmark ...").
        cut = next(
            (n for n, k in enumerate(idxs) if n and env.tokens[k].kind is Kind.LOCATION), None
        )
        idxs = idxs[:cut] if cut is not None else idxs
        if idxs:
            env.used.update(range(at, idxs[-1] + 1))
            return span(env, idxs)
    # "proposal for Nike Middle East": capitalised words after "for" that name nothing else.
    for i, tok in enumerate(env.tokens):
        if tok.word != "for" or i + 1 >= len(env.tokens):
            continue
        run: list[int] = []
        k = i + 1
        while k < len(env.tokens):
            cand = env.tokens[k]
            if cand.kind is not Kind.WORD or not cand.text[:1].isupper() or cand.word in FILLER:
                break
            run.append(k)
            k += 1
        if run:
            env.used.update(range(i, run[-1] + 1))
            return span(env, run)
    return None


def _take_text_field(env: Env, keyword: str) -> str | None:
    at = env.find_kw(keyword)
    if at is None:
        return None
    allow = frozenset({Kind.PERCENT, Kind.NUMBER, Kind.DURATION, Kind.AMOUNT, Kind.DATE})
    idxs = value_run(env, at + 1, commas_end=False, allow=allow)
    if not idxs:
        # "50% upfront payment terms": the value came first, back to the previous comma.
        k = at - 1
        while k >= 0 and k not in env.used and env.tokens[k].word not in (",", ";", "."):
            if env.tokens[k].kind is Kind.KEYWORD and env.tokens[k].word in env.shared.starters:
                break
            idxs.insert(0, k)
            k -= 1
        idxs = trim(env, idxs, frozenset({"with", "and"}), frozenset({"the"}))
    env.used.add(at)
    env.used.update(idxs)
    return span(env, idxs)


def _take_currency(env: Env) -> str | None:
    found = None
    for i in env.of_kind(Kind.CURRENCY):
        found = env.tokens[i].currency
        env.used.add(i)
    at = env.find_kw("currency")
    if at is not None:
        env.used.add(at)
    return found


def _take_amount_after(env: Env, keyword: str, draft: Draft) -> Typed | None:
    at = env.find_kw(keyword)
    if at is None:
        return None
    env.used.add(at)
    for k in range(at + 1, min(at + 4, len(env.tokens))):
        tok = env.tokens[k]
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and k not in env.used:
            env.used.add(k)
            return Typed.of_token(tok)
    return None


def _take_located_fees(env: Env) -> list[tuple[str, Fields]]:
    """`production fee for UAE21 is 5000` and `2 spots on gateway`: fields naming their place."""
    found: list[tuple[str, Fields]] = []
    for i, _tok in enumerate(env.tokens):
        if i in env.used or i + 2 >= len(env.tokens):
            continue
        is_fee = env.kw(i, "production_fee")
        is_spots = env.kw(i, "spots") and i > 0 and env.tokens[i - 1].kind is Kind.NUMBER
        if not (is_fee or is_spots) or env.tokens[i + 1].word not in LOCATION_REF:
            continue
        loc = env.tokens[i + 2]
        if loc.kind is not Kind.LOCATION or len(loc.locations) != 1:
            continue
        fields = Fields()
        used = [i, i + 1, i + 2]
        if is_spots:
            fields.spots = int(env.tokens[i - 1].number or 0) or None
            used.append(i - 1)
        else:
            for k in range(i + 3, min(i + 6, len(env.tokens))):
                amount = env.tokens[k]
                if amount.kind in (Kind.AMOUNT, Kind.NUMBER) and amount.number is not None:
                    fields.production_fee = Typed.of_token(amount)
                    used.append(k)
                    break
            if fields.production_fee is None:
                continue
        env.used.update(used)
        found.append((loc.locations[0], fields))
    return found


_START_WORDS = frozenset({"start", "from", "on", "commencing", "beginning", "starting"})
_END_WORDS = frozenset({"end", "to", "-", "–", "until", "till", "through", "thru", "ending"})


def _read_fields(env: Env, idxs: list[int], draft: Draft) -> Fields:
    fields = Fields()
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
                fields.production_fee = Typed.of_token(env.tokens[amount])
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
            draft.problems.setdefault("start_date", asks.bad_date(tok.text))
            continue
        if tok.kind is Kind.DURATION and tok.duration is not None:
            if tok.duration.unit != "second":
                fields.durations.append(tok.duration.text)
            continue
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and tok.number is not None:
            if tok.kind is Kind.AMOUNT or in_rates or tok.number >= 1000:
                value = Typed.of_token(tok)
                if value is not None:
                    fields.rates.append(value)
            continue
        if tok.word not in CONNECT and tok.word not in ("at", "for", "each", "of"):
            in_rates = False
    return fields


def _next_amount(env: Env, idxs: list[int]) -> int | None:
    for k in idxs:
        tok = env.tokens[k]
        if tok.kind in (Kind.AMOUNT, Kind.NUMBER) and k not in env.used:
            return k
        if tok.word not in VALUE_LEAD and tok.word not in LOCATION_REF:
            return None
    return None


def _spots(env: Env, idxs: list[int], pos: int) -> int | None:
    for k in (pos - 1, pos + 1, pos + 2):
        if 0 <= k < len(idxs):
            tok = env.tokens[idxs[k]]
            if tok.kind is Kind.NUMBER and tok.number is not None and 0 < tok.number <= 100:
                env.used.add(idxs[k])
                return int(tok.number)
    return None
