"""Match a user's words to a location: exact key, name, alias, then token-based fuzzy (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz

MatchOutcome = Literal["exact", "fuzzy", "ambiguous", "none"]

# Scores are 0–100 (rapidfuzz). A winner needs MATCH_THRESHOLD and a lead of more than
# AMBIGUITY_MARGIN over the runner-up; weaker hits above SUGGEST_THRESHOLD become suggestions.
MATCH_THRESHOLD = 80.0
AMBIGUITY_MARGIN = 5.0
SUGGEST_THRESHOLD = 55.0
MAX_SUGGESTIONS = 3
MAX_CONTENDERS = 5
# Very short queries ("a", "ab") fuzz-match almost anything, so they only match exactly.
MIN_FUZZY_LENGTH = 3
MAX_QUOTED = 60

_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"[a-z0-9]+")


def normalise(name: str) -> str:
    """Lower case, trim, drop a leading "the", collapse spaces."""
    text = _SPACES.sub(" ", name.strip().lower())
    if text == "the":
        return ""
    if text.startswith("the "):
        text = text[4:].lstrip()
    return text


def _loose(name: str) -> str:
    """Normalised form that also treats `_`, `-` and punctuation as spaces (keys, "dpd-gateway")."""
    return " ".join(_WORD.findall(normalise(name.replace("_", " "))))


@dataclass(frozen=True)
class LocationRef:
    """What matching needs to know about a location."""

    key: str
    display_name: str
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.display_name, *self.aliases, self.key.replace("_", " "))


@dataclass(frozen=True)
class MatchResult:
    """Outcome of matching; `candidates` are the close alternatives (best first)."""

    outcome: MatchOutcome
    query: str
    winner: LocationRef | None = None
    candidates: tuple[LocationRef, ...] = field(default_factory=tuple)


def quote_name(text: str, limit: int = MAX_QUOTED) -> str:
    """User text made safe to quote in a message: no control characters, bounded length."""
    cleaned = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(cleaned) > limit:
        return cleaned[: limit - 1].rstrip() + "…"
    return cleaned


class UnknownLocation(ValueError):
    """No location matches; the message lists close names when there are any."""

    def __init__(self, query: str, suggestions: Sequence[str] = ()) -> None:
        self.query = query
        self.suggestions = tuple(suggestions)
        message = f"Unknown location '{quote_name(query)}'."
        if self.suggestions:
            message += f" Did you mean: {', '.join(self.suggestions)}?"
        super().__init__(message)


class AmbiguousLocation(ValueError):
    """Several locations match equally well; the user must pick one."""

    def __init__(self, query: str, candidates: Sequence[str]) -> None:
        self.query = query
        self.candidates = tuple(candidates)
        super().__init__(
            f"'{quote_name(query)}' could be several locations: {', '.join(self.candidates)}. "
            "Which one did you mean?"
        )


def _token_alignment(query: str, candidate: str) -> float:
    """Average, over the query's words, of each word's best similarity to a candidate word."""
    q_tokens = query.split()
    c_tokens = candidate.split()
    if not q_tokens or not c_tokens:
        return 0.0
    best = [max(fuzz.ratio(q, c) for c in c_tokens) for q in q_tokens]
    return sum(best) / len(best)


def _score(query: str, name: str) -> float:
    candidate = _loose(name)
    if not candidate:
        return 0.0
    return max(
        fuzz.token_set_ratio(query, candidate),
        # "uae 21" vs "uae21": spacing differences should not cost a match.
        fuzz.ratio(query.replace(" ", ""), candidate.replace(" ", "")),
        # typos inside one word of a longer name ("gatewy" vs "dubai gateway").
        _token_alignment(query, candidate),
    )


def _unique(refs: Iterable[LocationRef]) -> tuple[LocationRef, ...]:
    seen: dict[str, LocationRef] = {}
    for ref in refs:
        seen.setdefault(ref.key, ref)
    return tuple(seen.values())


def _exact(query: str, refs: Sequence[LocationRef]) -> tuple[LocationRef, ...]:
    """Exact hits in the spec's order: key, then display name, then alias."""
    loose = _loose(query)
    by_key = [r for r in refs if r.key.lower() == query or _loose(r.key) == loose]
    if by_key:
        return _unique(by_key)
    by_name = [r for r in refs if normalise(r.display_name) == query]
    if by_name:
        return _unique(by_name)
    return _unique(r for r in refs if any(normalise(a) == query for a in r.aliases if a.strip()))


def match_location(query: str, refs: Sequence[LocationRef]) -> MatchResult:
    """Match `query` against `refs`; see MatchOutcome for the possible results."""
    wanted = normalise(query)
    if not wanted:
        return MatchResult("none", query)
    exact = _exact(wanted, refs)
    if len(exact) == 1:
        return MatchResult("exact", query, exact[0], exact)
    if len(exact) > 1:
        return MatchResult("ambiguous", query, None, exact)

    loose = _loose(query)
    if len(loose.replace(" ", "")) < MIN_FUZZY_LENGTH:
        return MatchResult("none", query)
    scored = sorted(
        ((max(_score(loose, n) for n in ref.names()), ref) for ref in _unique(refs)),
        key=lambda pair: (-pair[0], pair[1].display_name),
    )
    if not scored or scored[0][0] < SUGGEST_THRESHOLD:
        return MatchResult("none", query)
    best = scored[0][0]
    if best < MATCH_THRESHOLD:
        close = tuple(r for s, r in scored if s >= SUGGEST_THRESHOLD)[:MAX_SUGGESTIONS]
        return MatchResult("none", query, None, close)
    contenders = tuple(r for s, r in scored if s >= best - AMBIGUITY_MARGIN)[:MAX_CONTENDERS]
    if len(contenders) == 1:
        return MatchResult("fuzzy", query, contenders[0], contenders)
    return MatchResult("ambiguous", query, None, contenders)


def require_location(query: str, refs: Sequence[LocationRef]) -> LocationRef:
    """The single matching location, or UnknownLocation / AmbiguousLocation."""
    result = match_location(query, refs)
    if result.winner is not None:
        return result.winner
    names = [r.display_name for r in result.candidates]
    if result.outcome == "ambiguous":
        raise AmbiguousLocation(query, names)
    raise UnknownLocation(query, names)
