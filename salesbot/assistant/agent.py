"""The PydanticAI agent: the provider model from settings, the tools the user may use, and the
calls for titles and summaries. The chat runner (`chat.py`) drives it and falls back to the
offline model when the provider fails.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from pydantic_ai import Agent
from pydantic_ai import Tool as AgentTool
from pydantic_ai.exceptions import ModelAPIError, UnexpectedModelBehavior
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import Model
from pydantic_ai.tools import RunContext

from salesbot.assistant.tooling import run_tool
from salesbot.auth.service import Principal
from salesbot.kit.db import Database
from salesbot.kit.errors import Forbidden
from salesbot.kit.logging import get_logger
from salesbot.kit.tools import AppServices, Tool, ToolContext, ToolResult
from salesbot.settings import Settings

log = get_logger(__name__)

# Gemini's OpenAI-compatible endpoint: serves `google:` models through the OpenAI client, which
# the installed stack has (the google-genai SDK is not part of it).
GEMINI_OPENAI_URL = "https://generativelanguage.googleapis.com/v1beta/openai/"


class ProviderConfigError(ValueError):
    """SALESBOT_LLM_MODEL names something the assistant cannot use."""


def _provider_errors() -> tuple[type[BaseException], ...]:
    import anthropic
    import openai

    return (
        ModelAPIError,
        UnexpectedModelBehavior,
        openai.APIError,
        anthropic.APIError,
        httpx.HTTPError,
        TimeoutError,
        ConnectionError,
    )


# Failures of the provider (HTTP errors, timeouts, refused connections, garbled answers): the
# run continues on the offline model. Bugs in our own code are not in this list.
PROVIDER_ERRORS = _provider_errors()


def provider_model(settings: Settings) -> Model | None:
    """The configured provider model, or None for the offline model."""
    spec = (settings.llm_model or "").strip()
    if not spec or spec == "offline":
        return None
    provider, _, name = spec.partition(":")
    if not name:
        raise ProviderConfigError(
            "SALESBOT_LLM_MODEL must look like openai:<model>, anthropic:<model> or google:<model>"
        )
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    base_url = settings.llm_base_url or None
    timeout = settings.llm_timeout_s
    retries = settings.llm_max_retries
    if provider == "openai" or provider in ("google", "google-gla", "gemini"):
        from openai import AsyncOpenAI
        from pydantic_ai.models.openai import OpenAIChatModel
        from pydantic_ai.providers.openai import OpenAIProvider

        if provider != "openai":
            base_url = base_url or GEMINI_OPENAI_URL
        if not key and not base_url:
            raise ProviderConfigError("SALESBOT_LLM_API_KEY is needed for OpenAI")
        # Local OpenAI-compatible servers (Ollama, vLLM, LM Studio) accept any key.
        client = AsyncOpenAI(
            api_key=key or "not-needed", base_url=base_url, timeout=timeout, max_retries=retries
        )
        return OpenAIChatModel(name, provider=OpenAIProvider(openai_client=client))
    if provider == "anthropic":
        from anthropic import AsyncAnthropic
        from pydantic_ai.models.anthropic import AnthropicModel
        from pydantic_ai.providers.anthropic import AnthropicProvider

        if not key:
            raise ProviderConfigError("SALESBOT_LLM_API_KEY is needed for Anthropic")
        anthropic_client = AsyncAnthropic(
            api_key=key, base_url=base_url, timeout=timeout, max_retries=retries
        )
        return AnthropicModel(name, provider=AnthropicProvider(anthropic_client=anthropic_client))
    raise ProviderConfigError(
        "SALESBOT_LLM_MODEL must start with openai:, anthropic: or google: (or be unset)"
    )


def model_label(settings: Settings) -> str:
    """The `provider:name` recorded in usage and on conversations."""
    return (settings.llm_model or "offline").strip() or "offline"


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


def build_agent(tools: Sequence[Tool[Any]]) -> Agent[RunDeps, str]:
    """An agent offering exactly `tools` (the ones this user may call)."""
    return Agent(
        None,
        deps_type=RunDeps,
        output_type=str,
        tools=[_adapter(t) for t in tools],
        name="salesbot",
        defer_model_check=True,
    )


async def complete(
    model: Model, *, instructions: str, prompt: str
) -> tuple[str, list[ModelResponse]]:
    """One plain model call (titles, summaries): the text and the responses (for usage)."""
    agent: Agent[None, str] = Agent(model, instructions=instructions, output_type=str)
    result = await agent.run(prompt)
    responses = [m for m in result.new_messages() if isinstance(m, ModelResponse)]
    return result.output, responses
