"""Keyword phrases: the generic ones (small talk, common verbs) plus every capability's own
vocabulary from its `offline.py`. A matched phrase becomes one KEYWORD token carrying its
canonical name; multi-word phrases win over their parts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import replace

from rapidfuzz.distance import OSA

from salesbot.assistant.offline import rules
from salesbot.kit.phrases.tokens import Kind, Token, join

# Canonical keyword -> the phrases that say it (what no single capability owns).
GENERIC: dict[str, str] = {
    "help": (
        "help|what can you do|what do you do|how does this work|how do i use this|commands|examples"
    ),
    "greeting": (
        "hi|hello|hey|hiya|howdy|salam|salaam|marhaba|greetings|good morning|"
        "good afternoon|good evening|مرحبا|اهلا|أهلا|السلام عليكم"
    ),
    "thanks": "thanks|thank you|thx|cheers|much appreciated",
    "yes": "yes|y|yeah|yep|yup|sure|confirm|confirmed|go ahead|ok|okay|do it|proceed|please do",
    "no": "no|nope|nah|don't|do not|stop|abort|never mind|nevermind",
    "cancel": "cancel|call off",
    "add": "add|create|new|register",
    "update": "update|change|set|edit|modify|correct|fix|amend|adjust",
    "rename": "rename",
    "delete": "delete|remove|get rid of",
    "list": "list|show|display|view|see",
    "find": "find|search|look up|lookup|look for|locate|open",
}


def merged(tables: list[Mapping[str, str]]) -> dict[str, str]:
    """One table from several; a canonical keyword two families share gets both's phrases."""
    out: dict[str, str] = {}
    for table in tables:
        for canonical, phrases in table.items():
            known = out[canonical].split("|") if canonical in out else []
            out[canonical] = "|".join(dict.fromkeys([*known, *phrases.split("|")]))
    return out


@functools.cache
def _phrase_table() -> tuple[dict[tuple[str, ...], str], int]:
    keywords = merged([GENERIC, *(family.keywords for family in rules.families())])
    table: dict[tuple[str, ...], str] = {}
    for canonical, phrases in keywords.items():
        for phrase in phrases.split("|"):
            parts = tuple(re.findall(r"\w+|[^\w\s]", phrase.lower()))
            table.setdefault(parts, canonical)
    return table, max(len(p) for p in table)


@functools.cache
def keyword_words() -> frozenset[str]:
    """Every word of every phrase: a location's fuzzy match never swallows one."""
    return frozenset(w for phrase in _phrase_table()[0] for w in phrase if w.isalpha())


# Field words a typo of which is still read as the word ("clinet" → client): long enough that
# one slip cannot turn another common word into them.
_TYPO_TOLERANT = frozenset(
    {"client", "customer", "duration", "durations", "currency", "production", "payment"}
    | {"proposal", "proposals", "quotation", "combined", "package", "separate"}
)


def _typo_of(word: str) -> str | None:
    """The field word one edit (or swap) away from `word`, when there is exactly one."""
    if len(word) < 5 or not word.isalpha():
        return None
    near = [w for w in _TYPO_TOLERANT if OSA.distance(word, w, score_cutoff=1) <= 1]
    return near[0] if len(near) == 1 else None


def compose_keywords(message: str, tokens: list[Token]) -> list[Token]:
    phrases, longest = _phrase_table()
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        for n in range(min(longest, len(tokens) - i), 0, -1):
            span = tokens[i : i + n]
            if any(t.kind not in (Kind.WORD, Kind.PUNCT) for t in span):
                continue
            canonical = phrases.get(tuple(t.word for t in span))
            if canonical is None and n == 1 and span[0].kind is Kind.WORD:
                typo = _typo_of(span[0].word)
                canonical = phrases.get((typo,)) if typo else None
            if canonical is not None and not (n == 1 and span[0].kind is Kind.PUNCT):
                keyword = join(message, span[0], span[-1], Kind.KEYWORD)
                out.append(replace(keyword, word=canonical))
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return out
