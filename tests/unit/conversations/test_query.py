"""Search query sanitising: any input becomes safe terms; snippets parse into text + ranges."""

from __future__ import annotations

import re
import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from salesbot.conversations.query import (
    MARK_END,
    MARK_START,
    MIN_PREFIX_LENGTH,
    Term,
    highlight_html,
    parse_marked,
    parse_query,
    short_prefix_notice,
    to_fts5,
    to_tsquery,
)


def test_words_phrases_and_prefixes() -> None:
    assert parse_query('Nike "payment terms" land*') == [
        Term(("nike",)),
        Term(("payment", "terms")),
        Term(("land",), prefix=True),
    ]


def test_prefixes_shorter_than_the_minimum_are_searched_as_words() -> None:
    assert MIN_PREFIX_LENGTH == 3
    assert parse_query("ka* lan* e-ma*") == [
        Term(("ka",)),
        Term(("lan",), prefix=True),
        Term(("e", "ma")),
    ]
    notice = short_prefix_notice("ka* lan* e-ma*")
    assert notice is not None
    assert "at least 3 letters" in notice
    assert "“ka”" in notice and "“ma”" in notice and "lan" not in notice
    assert short_prefix_notice('lan* "ka*" ka') is None


def test_operators_and_punctuation_become_plain_words() -> None:
    terms = parse_query("a AND (b OR c) NEAR/2 -d +e col:f")
    assert [t.words for t in terms] == [
        ("a",),
        ("and",),
        ("b",),
        ("or",),
        ("c",),
        ("near", "2"),
        ("d",),
        ("e",),
        ("col", "f"),
    ]


def test_nothing_searchable() -> None:
    assert parse_query('"" *** ((( ') == []


def test_term_count_and_length_are_capped() -> None:
    terms = parse_query(" ".join(["word"] * 50) + " " + "x" * 300)
    assert len(terms) == 12
    assert all(len(w) <= 64 for t in terms for w in t.words)


def test_renderings() -> None:
    terms = parse_query('nike "payment terms" land*')
    assert to_fts5(terms) == '"nike" "payment terms" "land"*'
    assert to_tsquery(terms) == "'nike' & ('payment' <-> 'terms') & 'land':*"


@given(st.text(max_size=200))
def test_any_input_is_a_valid_fts5_query(q: str) -> None:
    terms = parse_query(q)
    if not terms:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body)")
    db.execute("INSERT INTO t(body) VALUES ('some text')")
    db.execute("SELECT * FROM t WHERE t MATCH ?", (to_fts5(terms),)).fetchall()


@given(st.text(max_size=200))
def test_tsquery_terms_are_always_quoted(q: str) -> None:
    rendered = to_tsquery(parse_query(q))
    # Outside the quoted words only the operators we emit remain.
    outside = re.sub(r"'[^']*'", "", rendered)
    assert set(outside) <= set(" &()<->:*")


def test_parse_marked_snippet() -> None:
    text, ranges = parse_marked(f"the {MARK_START}Nike{MARK_END} deal for {MARK_START}Q1{MARK_END}")
    assert text == "the Nike deal for Q1"
    assert [text[s:e] for s, e in ranges] == ["Nike", "Q1"]


@given(st.lists(st.tuples(st.text(max_size=10), st.booleans()), max_size=8))
def test_parse_marked_round_trip(pieces: list[tuple[str, bool]]) -> None:
    pieces = [(p.replace(MARK_START, "").replace(MARK_END, ""), m) for p, m in pieces]
    marked = "".join(f"{MARK_START}{p}{MARK_END}" if m else p for p, m in pieces)
    text, ranges = parse_marked(marked)
    assert text == "".join(p for p, _ in pieces)
    assert [text[s:e] for s, e in ranges] == [p for p, m in pieces if m and p]


def test_highlight_html_escapes_everything_else() -> None:
    html = highlight_html("<b>Nike</b> & co", [(3, 7)])
    assert html == "&lt;b&gt;<mark>Nike</mark>&lt;/b&gt; &amp; co"
