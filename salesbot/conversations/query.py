"""Search query sanitising and snippet parsing (pure).

Whatever the user types — quotes, operators, prefixes, punctuation — becomes a small list of
safe terms (words, quoted phrases, `word*` prefixes) that are rendered for FTS5 or PostgreSQL
`to_tsquery`; nothing the user typed ever reaches the query parser as syntax.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

MAX_TERMS = 12
MAX_TERM_LENGTH = 64
# `a*` or `ka*` would match most of the vocabulary: shorter prefixes are searched as words.
MIN_PREFIX_LENGTH = 3
SHORT_PREFIX_NOTICE = (
    "Type at least {n} letters before * to find words that start with them; "
    "{terms} was searched as a whole word."
)

# Private-use characters mark matches inside snippets; they never occur in normal text.
MARK_START = "\ue000"
MARK_END = "\ue001"

_WORD = re.compile(r"\w+", re.UNICODE)
_PIECE = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # more than one word: a phrase
    prefix: bool = False  # the last word matches as a prefix


def _words(text: str) -> list[str]:
    return [w[:MAX_TERM_LENGTH].lower() for w in _WORD.findall(text.replace("_", " "))]


def parse_query(q: str) -> list[Term]:
    """Safe terms from free text: quoted phrases, `word*` prefixes, plain words."""
    terms: list[Term] = []
    for match in _PIECE.finditer(q[:1000]):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            words = _words(quoted)
            if words:
                terms.append(Term(tuple(words)))
            continue
        words = _words(bare)
        if not words:
            continue
        prefix = bare.endswith("*") and len(words[-1]) >= MIN_PREFIX_LENGTH
        if len(words) == 1:
            terms.append(Term((words[0],), prefix=prefix))
        else:
            # "e-mail" or "1.5m": the pieces must appear together, as the indexer split them.
            terms.append(Term(tuple(words), prefix=prefix))
        if len(terms) >= MAX_TERMS:
            break
    return terms[:MAX_TERMS]


def short_prefix_notice(q: str) -> str | None:
    """What a salesperson is told when a `word*` was too short to search as a prefix."""
    short = []
    for match in _PIECE.finditer(q[:1000]):
        bare = match.group(2)
        if bare is None or not bare.endswith("*"):
            continue
        words = _words(bare)
        if words and len(words[-1]) < MIN_PREFIX_LENGTH:
            short.append(f"“{words[-1]}”")
    if not short:
        return None
    return SHORT_PREFIX_NOTICE.format(n=MIN_PREFIX_LENGTH, terms=", ".join(short[:3]))


def to_fts5(terms: list[Term]) -> str:
    """An FTS5 MATCH expression: every term quoted, so operators in the input are plain words."""
    parts = []
    for term in terms:
        phrase = " ".join(term.words)
        parts.append(f'"{phrase}"' + ("*" if term.prefix else ""))
    return " ".join(parts)


def to_tsquery(terms: list[Term]) -> str:
    """A PostgreSQL `to_tsquery` expression of ANDed words, phrases (`<->`) and prefixes (`:*`)."""
    parts = []
    for term in terms:
        rendered = [f"'{w}'" for w in term.words]
        if term.prefix:
            rendered[-1] += ":*"
        parts.append(rendered[0] if len(rendered) == 1 else "(" + " <-> ".join(rendered) + ")")
    return " & ".join(parts)


def parse_marked(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """Split a snippet with match markers into plain text and [start, end) match ranges."""
    text: list[str] = []
    ranges: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for char in marked:
        if char == MARK_START:
            start = length
        elif char == MARK_END:
            if start is not None and length > start:
                ranges.append((start, length))
            start = None
        else:
            text.append(char)
            length += 1
    return "".join(text), ranges


def highlight_html(text: str, ranges: list[tuple[int, int]]) -> str:
    """`text` HTML-escaped with each range wrapped in <mark>."""
    out: list[str] = []
    pos = 0
    for start, end in sorted(ranges):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)
