"""Driving the agent through one answer: text streams out as it comes, every model response and
tool result is stored as it happens (so a fallback can carry on from what is stored).
"""

from __future__ import annotations

from typing import Any

from pydantic_ai import Agent
from pydantic_ai.messages import (
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    ModelMessage,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    UserContent,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import UsageLimits

from salesbot.assistant.agent import RunDeps
from salesbot.assistant.recorder import RunRecorder, call_args
from salesbot.kit.tools import ToolResult


async def drive(
    agent: Agent[RunDeps, str],
    model: Model,
    user_input: str | list[UserContent] | None,
    history: list[ModelMessage],
    deps: RunDeps,
    *,
    instructions: str,
    max_steps: int,
    recorder: RunRecorder,
) -> None:
    """Run the agent on `model` to its final answer."""
    async with agent.iter(
        user_input,
        message_history=history,
        deps=deps,
        model=model,
        instructions=instructions,
        usage_limits=UsageLimits(request_limit=max_steps),
    ) as run:
        async for node in run:
            if Agent.is_model_request_node(node):
                async with node.stream(run.ctx) as stream:
                    async for event in stream:
                        text = _text_of(event)
                        if text:
                            await deps.emit("delta", {"text": text})
            elif Agent.is_call_tools_node(node):
                await recorder.response(node.model_response)
                async with node.stream(run.ctx) as steps:
                    async for step in steps:
                        await _tool_step(step, deps, recorder)


async def _tool_step(step: Any, deps: RunDeps, recorder: RunRecorder) -> None:
    if isinstance(step, FunctionToolCallEvent):
        await deps.emit(
            "tool_started",
            {
                "tool_call_id": step.part.tool_call_id,
                "tool": step.part.tool_name,
                "args": call_args(step.part),
            },
        )
    elif isinstance(step, FunctionToolResultEvent):
        call_id, content = step.part.tool_call_id, step.part.content
        result = deps.results.get(call_id) or ToolResult(
            summary=content if isinstance(content, str) else "The tool could not be run.",
            is_error=True,
        )
        await recorder.tool_result(step.part.tool_name, call_id, result)


def _text_of(event: Any) -> str:
    if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
        return event.part.content
    if isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
        return event.delta.content_delta
    return ""
