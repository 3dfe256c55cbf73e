"""What a chat run stores as it goes: assistant messages, tool results, notices and usage.

Every model call that reached a provider is priced and recorded; the run's totals go out with
`message_end`. A cached answer cost nothing, so it is not recorded.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models import Model
from sqlalchemy.ext.asyncio import AsyncSession

from salesbot.assistant.agent import Emit, complete, model_content
from salesbot.assistant.cache import is_cache_hit
from salesbot.assistant.offline.model import MODEL_NAME as OFFLINE
from salesbot.assistant.usage import CallUsage, is_free, record
from salesbot.conversations import service as conversations
from salesbot.kit.db import Database, utcnow
from salesbot.kit.tools import ToolResult
from salesbot.settings import Settings


def usage_of(response: ModelResponse) -> CallUsage:
    usage = response.usage
    reasoning = int(usage.details.get("reasoning_tokens", 0)) if usage.details else 0
    return CallUsage(
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cache_read_tokens,
        output_tokens=usage.output_tokens,
        reasoning_tokens=reasoning,
    )


def call_args(part: ToolCallPart) -> dict[str, Any]:
    try:
        return part.args_as_dict()
    except ValueError:
        return {}


@dataclass
class Totals:
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal(0))

    def add(self, usage: CallUsage, cost: Decimal) -> None:
        self.input_tokens += usage.input_tokens
        self.cached_tokens += usage.cached_tokens
        self.output_tokens += usage.output_tokens
        self.cost += cost

    def as_dict(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "cached_tokens": self.cached_tokens,
            "output_tokens": self.output_tokens,
            "cost": str(self.cost),
        }


@dataclass
class RunRecorder:
    """One run's writes to its conversation and to the usage ledger, and its running totals."""

    db: Database
    settings: Settings
    user_id: uuid.UUID
    conversation_id: uuid.UUID
    run_id: str
    model_name: str  # the configured provider's label
    emit: Emit
    totals: Totals = field(default_factory=Totals)
    final_text: str = ""
    final_message_id: uuid.UUID | None = None

    async def notice(self, notice: str) -> None:
        """A stored system notice (e.g. the provider fell back), streamed ahead of the answer."""
        async with self.db.sessions() as session:
            await conversations.append(
                session,
                self.conversation_id,
                role="system",
                content=notice,
                now=utcnow(),
                meta={"kind": "notice", "run_id": self.run_id},
            )
        await self.emit("delta", {"text": notice + "\n\n"})

    async def response(self, response: ModelResponse) -> None:
        """Store a model response (text and tool calls) and record what it cost."""
        text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
        calls = [
            {"id": p.tool_call_id, "name": p.tool_name, "args": call_args(p)}
            for p in response.parts
            if isinstance(p, ToolCallPart)
        ]
        label = OFFLINE if response.model_name == OFFLINE else self.model_name
        usage = CallUsage() if is_free(label) else usage_of(response)
        cached = is_cache_hit(response)
        async with self.db.sessions() as session:
            if text or calls:
                message = await conversations.append(
                    session,
                    self.conversation_id,
                    role="assistant",
                    content=text,
                    now=utcnow(),
                    tool_calls=calls or None,
                    tokens_used=usage.input_tokens + usage.output_tokens,
                    meta={"model": label, "run_id": self.run_id, "cached": cached},
                )
                if not calls:
                    self.final_message_id = message.id
                    self.final_text = text
            if not cached:
                await self._priced(session, usage, label, "chat")

    async def tool_result(self, tool: str, call_id: str, result: ToolResult) -> None:
        """Store a tool's result and stream it (with its file cards) to the client."""
        cards = [card.model_dump(mode="json") for card in result.files]
        async with self.db.sessions() as session:
            await conversations.append(
                session,
                self.conversation_id,
                role="tool",
                content=result.summary,
                now=utcnow(),
                tool_call_id=call_id,
                attachments=cards or None,
                meta={"tool": tool, "result": model_content(result), "is_error": result.is_error},
            )
        await self.emit(
            "tool_result",
            {
                "tool_call_id": call_id,
                "tool": tool,
                "summary": result.summary,
                "is_error": result.is_error,
                "data": result.model_dump(mode="json")["data"],
                "files": cards,
            },
        )

    async def one_shot(self, model: Model, instructions: str, text: str, call_type: str) -> str:
        """A plain model call (a title, a summary), its usage recorded like chat's."""
        output, responses = await complete(model, instructions=instructions, prompt=text)
        async with self.db.sessions() as session:
            for response in responses:
                if not is_cache_hit(response):
                    await self._priced(session, usage_of(response), self.model_name, call_type)
        return output

    async def _priced(
        self, session: AsyncSession, usage: CallUsage, model: str, call_type: str
    ) -> None:
        row = await record(
            session,
            prices=self.settings.llm_prices,
            user_id=self.user_id,
            conversation_id=self.conversation_id,
            run_id=self.run_id,
            model=model,
            call_type=call_type,
            usage=usage,
            now=utcnow(),
        )
        self.totals.add(usage, row.cost)
