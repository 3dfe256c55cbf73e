"""Location mentions: runs of words that name a catalogue location exactly (key, display name,
alias; spacing and hyphens aside), or closely enough for a typo; several close names stay
candidates for the grammar to ask about. Typos are judged by `locations.matching`, the one
fuzzy matcher (the same one proposals use).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from salesbot.kit.parse import MONTH_NUMBERS, NUMBER_WORDS
from salesbot.kit.phrases.tokens import (
    PLAIN_NUMBER,
    Kind,
    KnownLocation,
    Token,
    join,
)
from salesbot.locations.matching import LocationRef, match_location

_NAME_WORD = re.compile(r"[^\W_]+")
_NON_ALNUM = re.compile(r"[\W_]")
_FUZZY_MIN_LEN = 5


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
    """A typo'd name, matched by the one location matcher; the longest run that matches wins."""
    if tokens[i].kind is not Kind.WORD or tokens[i].word in protected:
        return None
    for n in sorted(index.by_length, reverse=True):
        picked = _run(tokens, i, n)
        if picked is None:
            continue
        words = [tokens[k].word for k in picked]
        if any(w in protected or w in MONTH_NUMBERS or w in NUMBER_WORDS for w in words):
            continue
        candidate = " ".join(words)
        if len(candidate) < _FUZZY_MIN_LEN:
            continue
        names, owners = index.by_length[n]
        # Typos rarely hit the first letter; requiring it keeps ordinary words out. Each name
        # is matched as a name of its own (its owner's key would widen the match).
        refs = {
            name: LocationRef(name.replace(" ", "_"), name)
            for name in names
            if name[0] == candidate[0]
        }
        result = match_location(candidate, list(refs.values()))
        if result.outcome != "none":
            owner_of = dict(zip(names, owners, strict=True))
            keys = tuple(dict.fromkeys(owner_of[r.display_name] for r in result.candidates))
            return picked, keys
    return None
