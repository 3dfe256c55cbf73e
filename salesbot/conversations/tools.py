"""Assistant tools over the user's own conversations: search and list."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from salesbot.auth.service import Principal
from salesbot.conversations import service
from salesbot.kit.tools import Tool, ToolContext, ToolResult


class SearchArgs(BaseModel):
    query: str = Field(min_length=1, max_length=500, description="Words to look for")


class ListArgs(BaseModel):
    limit: int = Field(default=10, ge=1, le=50, description="How many to list")


async def search_conversations(ctx: ToolContext[Principal], args: SearchArgs) -> ToolResult:
    page = await service.search(ctx.session, ctx.principal, q=args.query, cursor=None, limit=10)
    if not page.items:
        return ToolResult(summary="I found nothing in your conversations matching that.")
    hits: list[dict[str, Any]] = [
        {
            "conversation_id": str(h.conversation_id),
            "title": h.conversation_title,
            "message_id": str(h.message_id) if h.message_id else None,
            "snippet": h.snippet,
        }
        for h in page.items
    ]
    lines = [f"- {h['title']}: {h['snippet']}" for h in hits]
    count = len(hits)
    summary = f"I found {count} match{'es' if count != 1 else ''}:\n" + "\n".join(lines)
    return ToolResult(summary=summary, data={"hits": hits})


async def list_conversations(ctx: ToolContext[Principal], args: ListArgs) -> ToolResult:
    page = await service.list_page(
        ctx.session, ctx.principal, archived=False, pinned=None, cursor=None, limit=args.limit
    )
    if not page.items:
        return ToolResult(summary="You have no conversations yet.")
    items = [
        {"conversation_id": str(c.id), "title": c.title, "updated_at": c.updated_at.isoformat()}
        for c in page.items
    ]
    summary = "Your recent conversations:\n" + "\n".join(f"- {i['title']}" for i in items)
    return ToolResult(summary=summary, data={"conversations": items})


TOOLS: list[Tool[Any]] = [
    Tool(
        name="search_conversations",
        description="Full-text search over the user's own past conversations.",
        permission="conversations:read",
        args=SearchArgs,
        handler=search_conversations,
    ),
    Tool(
        name="list_conversations",
        description="List the user's most recent conversations.",
        permission="conversations:read",
        args=ListArgs,
        handler=list_conversations,
    ),
]
