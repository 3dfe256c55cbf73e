"""The conversations' offline phrases: "list my conversations", "search conversations for Nike"."""

from __future__ import annotations

from salesbot.kit.phrases.env import QUERY_LEAD, Env, Family, Intent, span, trim

KEYWORDS = {
    "conversation": "conversation|conversations|chat|chats|chat history|discussion|discussions",
}

_QUERY_TRAIL = frozenset({"in", "my", "our", "the", "from", "across", "all", "of"})


def _conversations(env: Env) -> Intent | None:
    at = env.find_kw("conversation")
    if at is None:
        return None
    verb = env.find_kw("find")
    after = trim(env, list(range(at + 1, len(env.tokens))), QUERY_LEAD, frozenset())
    query = span(env, after)
    if query is None and verb is not None and verb < at:
        before = trim(env, list(range(verb + 1, at)), QUERY_LEAD, _QUERY_TRAIL)
        query = span(env, before)
    if verb is None and query is None:
        return Intent("list_conversations", {})
    if verb is None and not env.has_word("about", "mentioning", "containing", "regarding"):
        return Intent("list_conversations", {})
    if query is None:
        return Intent("search_conversations", {}, missing=("query",), reply=ask_search_query())
    return Intent("search_conversations", {"query": query})


# --- questions -------------------------------------------------------------------------------


def ask_search_query() -> str:
    return "What should I look for in your conversations?"


FAMILIES = [
    Family(
        name="conversations",
        rank=10,
        tools=("search_conversations", "list_conversations"),
        keywords=KEYWORDS,
        read=_conversations,
        labels={
            "search_conversations": "search your conversations",
            "list_conversations": "list your conversations",
        },
    )
]
