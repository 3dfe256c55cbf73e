"""Location mentions: runs of words that name a catalogue location exactly (key, display name,
alias; spacing and hyphens aside), or closely enough for a typo; several close names stay
candidates for the grammar to ask about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from salesbot.kit.phrases.tokens import (
    MONTHS,
    NUMBER_WORDS,
    PLAIN_NUMBER,
    Kind,
    KnownLocation,
    Token,
    join,
)

_NAME_WORD = re.compile(r"[^\W_]+")
_NON_ALNUM = re.compile(r"[\W_]")
_FUZZY_MIN_LEN = 5
_FUZZY_THRESHOLD = 85.0
_FUZZY_TIE = 3.0


def name_words(name: str) -> list[str]:
    """Normalised words of a name: lower case, without a leading "the"."""
    words = _NAME_WORD.findall(name.lower())
    if words and words[0] == "the":
        words = words[1:]
    return words


def _compact(words: Iterable[str]) -> str:
    return "".join(words)


@dataclass(frozen=True)
class _NameIndex:
    exact: dict[str, tuple[str, ...]]  # compact name -> keys
    by_length: dict[int, tuple[list[str], list[str]]]  # word count -> (spaced names, keys)
    longest: int


def _index(locations: Sequence[KnownLocation]) -> _NameIndex:
    exact: dict[str, list[str]] = {}
    by_length: dict[int, tuple[list[str], list[str]]] = {}
    longest = 1
    for loc in locations:
        for name in (loc.key, *loc.names):
            words = name_words(name.replace("_", " "))
            if not words:
                continue
            longest = max(longest, len(words))
            keys = exact.setdefault(_compact(words), [])
            if loc.key not in keys:
                keys.append(loc.key)
            spaced = " ".join(words)
            if len(spaced) >= _FUZZY_MIN_LEN:
                names, owners = by_length.setdefault(len(words), ([], []))
                names.append(spaced)
                owners.append(loc.key)
    return _NameIndex({k: tuple(v) for k, v in exact.items()}, by_length, longest)


def _is_name_part(tok: Token) -> bool:
    if tok.kind in (Kind.WORD, Kind.CODE):
        return True
    return tok.kind is Kind.NUMBER and PLAIN_NUMBER.fullmatch(tok.text) is not None


_JOINERS = frozenset({"-", "_", "'"})


def _run(tokens: list[Token], i: int, n: int) -> list[int] | None:
    """Indexes of `n` name parts starting at `i`, allowing hyphens between them."""
    picked: list[int] = []
    k = i
    while len(picked) < n and k < len(tokens):
        if not _is_name_part(tokens[k]):
            return None
        picked.append(k)
        k += 1
        if len(picked) < n and k < len(tokens) and tokens[k].word in _JOINERS:
            k += 1
    return picked if len(picked) == n else None


def compose_locations(
    message: str, tokens: list[Token], locations: Sequence[KnownLocation], protected: frozenset[str]
) -> list[Token]:
    if not locations:
        return tokens
    index = _index(locations)
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        match = _exact_location(tokens, i, index) or _fuzzy_location(tokens, i, index, protected)
        if match is None:
            out.append(tokens[i])
            i += 1
            continue
        picked, keys = match
        first, last = tokens[picked[0]], tokens[picked[-1]]
        out.append(replace(join(message, first, last, Kind.LOCATION), locations=keys))
        i = picked[-1] + 1
    return out


def _exact_location(
    tokens: list[Token], i: int, index: _NameIndex
) -> tuple[list[int], tuple[str, ...]] | None:
    for n in range(index.longest + 1, 0, -1):
        picked = _run(tokens, i, n)
        if picked is None:
            continue
        compact = _compact(_NON_ALNUM.sub("", tokens[k].word) for k in picked)
        if compact in index.exact:
            return picked, index.exact[compact]
    return None


def _fuzzy_location(
    tokens: list[Token], i: int, index: _NameIndex, protected: frozenset[str]
) -> tuple[list[int], tuple[str, ...]] | None:
    if tokens[i].kind is not Kind.WORD or tokens[i].word in protected:
        return None
    best: dict[str, tuple[float, list[int]]] = {}
    for n, (names, owners) in index.by_length.items():
        picked = _run(tokens, i, n)
        if picked is None:
            continue
        words = [tokens[k].word for k in picked]
        if any(w in protected or w in MONTHS or w in NUMBER_WORDS for w in words):
            continue
        candidate = " ".join(words)
        if len(candidate) < _FUZZY_MIN_LEN:
            continue
        found = process.extract(
            candidate, names, scorer=fuzz.ratio, score_cutoff=_FUZZY_THRESHOLD, limit=None
        )
        for name, score, at in found:
            key = owners[at]
            # Typos rarely hit the first letter; requiring it keeps ordinary words out.
            if name[0] == candidate[0] and score > best.get(key, (0.0, []))[0]:
                best[key] = (float(score), picked)
    if not best:
        return None
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], -len(kv[1][1])))
    top_score, top_picked = ranked[0][1]
    close = tuple(k for k, (s, _) in ranked if top_score - s <= _FUZZY_TIE)
    return top_picked, close
