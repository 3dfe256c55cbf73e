"""Full-text search over a user's messages and titles: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Float, String, Uuid, bindparam, exc, text
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.conversations.query import (
    MARK_END,
    MARK_START,
    highlight_html,
    parse_marked,
    parse_query,
    to_fts5,
    to_tsquery,
)
from salesbot.kit.db import UTCDateTime
from salesbot.kit.errors import ServiceUnavailable


@dataclass(frozen=True)
class Hit:
    conversation_id: uuid.UUID
    conversation_title: str
    message_id: uuid.UUID | None
    role: str | None
    snippet: str
    highlights: list[tuple[int, int]]
    snippet_html: str
    rank: float
    created_at: datetime


# Title matches are worth more than a word somewhere in a long chat.
TITLE_BOOST = 2.0
# Only the most recent matching messages (and conversation titles) are ranked: ranking every
# match cost seconds for a word found in half of a user's messages (issue #19,
# benchmarks/bench_search.py). The best of these come first; paging ends after them.
CANDIDATES = 100
# How many of the user's newest messages are read in time order before the index is asked for
# older matches: a word in >= 5 % of messages is found here (PostgreSQL).
WINDOW = 2000
# The queries are filled in once, from module constants only (marks, boost, bound); every value
# from a request is a bound parameter (:q, :user_id...): bandit's B608 is a reviewed false positive.
_CONSTANTS = {
    "MARK_START": MARK_START,
    "MARK_END": MARK_END,
    "TITLE_BOOST": TITLE_BOOST,
    "CANDIDATES": CANDIDATES,
}

# FTS5 returns matches newest stored first (rowid order, no sort); rank and snippet are computed
# only for the candidates that pass the owner check.
_SQLITE = """
SELECT message_id, conversation_id, title, role, created_at, snip, rank FROM (
  SELECT * FROM (
    SELECT m.id AS message_id, m.conversation_id AS conversation_id, c.title AS title,
           m.role AS role, m.created_at AS created_at,
           snippet(messages_fts, 0, '{MARK_START}', '{MARK_END}', '…', 16) AS snip,
           -bm25(messages_fts) AS rank
    FROM messages_fts
    JOIN messages m ON m.id = messages_fts.message_id
    JOIN conversations c ON c.id = m.conversation_id
    WHERE messages_fts MATCH :q AND c.user_id = :user_id AND c.deleted_at IS NULL
    ORDER BY messages_fts.rowid DESC
    LIMIT {CANDIDATES}
  )
  UNION ALL
  SELECT * FROM (
    SELECT NULL, c.id, c.title, NULL, c.updated_at,
           highlight(conversations_fts, 0, '{MARK_START}', '{MARK_END}'),
           -bm25(conversations_fts) * {TITLE_BOOST}
    FROM conversations_fts
    JOIN conversations c ON c.id = conversations_fts.conversation_id
    WHERE conversations_fts MATCH :q AND c.user_id = :user_id AND c.deleted_at IS NULL
    ORDER BY conversations_fts.rowid DESC
    LIMIT {CANDIDATES}
  )
) AS hits
ORDER BY rank DESC, created_at DESC
LIMIT :limit OFFSET :offset
""".format(**_CONSTANTS)  # nosec B608  # constants only, see _CONSTANTS

# Candidates come from the caller's own messages (`messages.user_id`), newest first, in two
# parts read one after the other: the user's newest WINDOW messages walked in time order
# (ix_messages_user_id_created_at), where a common word or phrase finds all its CANDIDATES
# after a few hundred rows, whatever the planner thinks of its frequency; only when that is not
# enough, the older messages through the per-user GIN index (user_id, search_vector), where the
# rest is rare. Each part names to_tsquery(:q) itself so the planner sees how common the words
# are. Ranking runs over the candidates' stored vectors; headlines only for the page returned.
_POSTGRES = """
WITH q AS (SELECT to_tsquery('english', :q) AS query),
gone AS MATERIALIZED (
  SELECT c.id FROM conversations c WHERE c.user_id = :user_id AND c.deleted_at IS NOT NULL
),
newest AS (
  SELECT w.* FROM (
    SELECT m.id, m.conversation_id, m.role, m.created_at, m.content, m.search_vector
    FROM messages m WHERE m.user_id = :user_id
    ORDER BY m.created_at DESC LIMIT :window
  ) w
  WHERE w.search_vector @@ to_tsquery('english', :q)
    AND w.conversation_id NOT IN (SELECT id FROM gone)
  LIMIT {CANDIDATES}
),
older AS (
  SELECT m.id, m.conversation_id, m.role, m.created_at, m.content, m.search_vector
  FROM messages m
  WHERE m.user_id = :user_id AND m.search_vector @@ to_tsquery('english', :q)
    AND m.created_at < (
      SELECT b.created_at FROM messages b WHERE b.user_id = :user_id
      ORDER BY b.created_at DESC OFFSET :window - 1 LIMIT 1
    )
    AND m.conversation_id NOT IN (SELECT id FROM gone)
  ORDER BY m.created_at DESC
  LIMIT {CANDIDATES}
),
recent AS MATERIALIZED (
  SELECT n.id AS message_id, n.conversation_id, c.title, n.role, n.created_at,
         n.content AS body, n.search_vector AS vector
  FROM (SELECT * FROM newest UNION ALL SELECT * FROM older LIMIT {CANDIDATES}) n
  JOIN conversations c ON c.id = n.conversation_id
),
titles AS MATERIALIZED (
  SELECT c.id AS conversation_id, c.title AS title, c.updated_at AS updated_at
  FROM conversations c
  WHERE to_tsvector('english', coalesce(c.title, '')) @@ to_tsquery('english', :q)
    AND c.user_id = :user_id AND c.deleted_at IS NULL
  ORDER BY c.updated_at DESC
  LIMIT {CANDIDATES}
),
hits AS (
  SELECT r.message_id, r.conversation_id, r.title, r.role, r.created_at, r.body,
         ts_rank_cd(r.vector, q.query) AS rank
  FROM recent r, q
  UNION ALL
  SELECT NULL, t.conversation_id, t.title, NULL, t.updated_at, t.title,
         ts_rank_cd(to_tsvector('english', coalesce(t.title, '')), q.query) * {TITLE_BOOST}
  FROM titles t, q
),
page AS (
  SELECT * FROM hits ORDER BY rank DESC, created_at DESC LIMIT :limit OFFSET :offset
)
SELECT page.message_id, page.conversation_id, page.title, page.role, page.created_at,
       ts_headline('english', page.body, q.query,
                   'StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, '
                   'MaxFragments=1, FragmentDelimiter=" … "') AS snip,
       page.rank
FROM page, q
ORDER BY page.rank DESC, page.created_at DESC
""".format(**_CONSTANTS)  # nosec B608  # constants only, see _CONSTANTS

# Prepared statements would otherwise switch to a generic plan after five runs, one that does
# not know how common the words are (and reads every match of a common one).
# Both for this transaction only; the time limit bounds what a pathological query can cost.
TIME_LIMIT_MS = 3000
_CUSTOM_PLANS = (
    "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), "
    "set_config('statement_timeout', :limit_ms, true)"
)
SEARCH_TOO_SLOW = "That search took too long. Add a word or two to narrow it down."


async def search(
    session: AsyncSession, *, user_id: uuid.UUID, q: str, limit: int, offset: int
) -> list[Hit]:
    """Ranked hits for the user's own, not deleted conversations; odd input finds nothing.

    The best of the user's CANDIDATES most recent matching messages and conversation titles,
    best first (a page past them is empty).
    """
    terms = parse_query(q)
    if not terms:
        return []
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite:
        await session.execute(text(_CUSTOM_PLANS), {"limit_ms": str(TIME_LIMIT_MS)})
    params = [
        bindparam("q", to_fts5(terms) if sqlite else to_tsquery(terms), type_=String),
        bindparam("user_id", user_id, type_=Uuid),
        bindparam("limit", limit),
        bindparam("offset", offset),
    ]
    if not sqlite:
        params.append(bindparam("window", WINDOW))
    stmt = (
        text(_SQLITE if sqlite else _POSTGRES)
        .bindparams(*params)
        .columns(
            message_id=Uuid,
            conversation_id=Uuid,
            title=String,
            role=String,
            created_at=UTCDateTime,
            snip=String,
            rank=Float,
        )
    )
    try:
        rows = (await session.execute(stmt)).mappings().all()
    except exc.DBAPIError as error:
        if "statement timeout" not in str(error.orig):
            raise
        raise ServiceUnavailable(SEARCH_TOO_SLOW, code="search_timeout") from None
    hits = []
    for row in rows:
        snippet, ranges = parse_marked(row["snip"] or "")
        hits.append(
            Hit(
                conversation_id=row["conversation_id"],
                conversation_title=row["title"],
                message_id=row["message_id"],
                role=row["role"],
                snippet=snippet,
                highlights=ranges,
                snippet_html=highlight_html(snippet, ranges),
                rank=round(float(row["rank"] or 0.0), 6),
                created_at=row["created_at"],
            )
        )
    return hits
