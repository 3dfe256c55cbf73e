"""The PydanticAI agent: the tools the user may use, and the calls for titles and summaries.
The chat runner (`chat.py`) drives it with the provider model (`providers.py`) and falls back to
the offline model when the provider fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic_ai import Agent
from pydantic_ai import Tool as AgentTool
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import Model
from pydantic_ai.tools import RunContext

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import Principal
from salesbot.kit.db import Database
from salesbot.kit.errors import Forbidden
from salesbot.kit.logging import get_logger
from salesbot.kit.tools import AppServices, Tool, ToolContext, ToolResult

log = get_logger(__name__)

Emit = Callable[[str, dict[str, Any]], Awaitable[None]]


@dataclass
class RunDeps:
    """What tools get from the run that called them."""

    principal: Principal
    app: AppServices
    database: Database
    conversation_id: uuid.UUID
    attachment_ids: list[uuid.UUID]
    today: date
    emit: Emit
    results: dict[str, ToolResult] = field(default_factory=dict)


def model_content(result: ToolResult) -> dict[str, Any]:
    """What the model reads back from a tool: the summary, data and the produced files' names."""
    dumped = result.model_dump(mode="json")
    return {
        "summary": dumped["summary"],
        "data": dumped["data"],
        "files": [{"file_id": f["file_id"], "name": f["name"]} for f in dumped["files"]],
        "is_error": dumped["is_error"],
    }


def _adapter(tool: Tool[Any]) -> AgentTool[RunDeps]:
    async def call(ctx: RunContext[RunDeps], **kwargs: Any) -> dict[str, Any]:
        deps = ctx.deps
        call_id = ctx.tool_call_id or tool.name

        async def progress(percent: int, message: str) -> None:
            await deps.emit(
                "tool_progress",
                {
                    "tool_call_id": call_id,
                    "tool": tool.name,
                    "percent": max(0, min(100, int(percent))),
                    "message": message[:200],
                },
            )

        async with deps.database.sessions() as session:
            tool_ctx = ToolContext(
                principal=deps.principal,
                session=session,
                app=deps.app,
                conversation_id=deps.conversation_id,
                attachment_ids=list(deps.attachment_ids),
                progress=progress,
                today=deps.today,
            )
            try:
                result = await run_tool(tool, tool_ctx, kwargs)
            except Forbidden as exc:
                result = ToolResult(summary=exc.message, is_error=True)
            except Exception:
                # One failing tool must not end the chat: the model is told and can explain.
                log.exception("tool_failed", tool=tool.name)
                result = ToolResult(
                    summary="Something went wrong on our side while doing that. Please try again.",
                    is_error=True,
                )
        deps.results[call_id] = result
        return model_content(result)

    return AgentTool.from_schema(
        call, tool.name, tool.description, tool.json_schema(), takes_ctx=True
    )


# Agents by the tools they offer: building one (each tool's schema) costs milliseconds, and an
# agent holds no per-run state (deps and model are given to each run), so they are reused. The
# tools are kept in the value so their ids cannot be reused while the key is cached.
_AGENTS: dict[tuple[int, ...], tuple[tuple[Tool[Any], ...], Agent[RunDeps, str]]] = {}
_AGENTS_MAX = 64


def build_agent(tools: Sequence[Tool[Any]]) -> Agent[RunDeps, str]:
    """An agent offering exactly `tools` (the ones this user may call)."""
    key = tuple(id(t) for t in tools)
    cached = _AGENTS.get(key)
    if cached is not None:
        return cached[1]
    agent: Agent[RunDeps, str] = Agent(
        None,
        deps_type=RunDeps,
        output_type=str,
        tools=[_adapter(t) for t in tools],
        name="salesbot",
        defer_model_check=True,
    )
    if len(_AGENTS) >= _AGENTS_MAX:
        _AGENTS.clear()
    _AGENTS[key] = (tuple(tools), agent)
    return agent


async def complete(
    model: Model, *, instructions: str, prompt: str
) -> tuple[str, list[ModelResponse]]:
    """One plain model call (titles, summaries): the text and the responses (for usage)."""
    agent: Agent[None, str] = Agent(model, instructions=instructions, output_type=str)
    result = await agent.run(prompt)
    responses = [m for m in result.new_messages() if isinstance(m, ModelResponse)]
    return result.output, responses
