"""Chat runs: one user message in, a streamed, persisted answer out.

`Assistant.start` stores nothing until the request is valid, then starts the run as a task of
its own (it continues when the client disconnects) and returns its id; the client follows the
run's events. A run appends the user message, replays the history within the token budget,
drives the agent (provider model, or the offline model), persists every assistant message,
tool call and tool result as they happen, records usage, names the conversation after the first
exchange and ends with `message_end` — or `error`. When the provider fails, the run goes on
with the offline model from what is already stored, and says so.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_ai import Agent
from pydantic_ai.exceptions import UsageLimitExceeded
from pydantic_ai.messages import (
    BinaryContent,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    ModelMessage,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    UserContent,
)
from pydantic_ai.models import Model
from pydantic_ai.usage import UsageLimits

from salesbot.assistant import context, prompt
from salesbot.assistant.agent import RunDeps, build_agent, complete, model_content
from salesbot.assistant.cache import CachingModel, ResponseCache, is_cache_hit
from salesbot.assistant.offline.model import MODEL_NAME as OFFLINE
from salesbot.assistant.offline.model import OfflineBrain, OfflineState
from salesbot.assistant.providers import (
    PROVIDER_ERRORS,
    ProviderConfigError,
    model_label,
    provider_model,
)
from salesbot.assistant.runs import RunEvent, RunInfo, RunStore, make_run_store
from salesbot.assistant.tooling import discover_tools, tools_for
from salesbot.assistant.usage import CallUsage, record
from salesbot.auth.service import Principal
from salesbot.conversations import service as conversations
from salesbot.conversations.models import Message
from salesbot.files import service as files
from salesbot.files.models import FileRecord
from salesbot.kit.db import Database, utcnow
from salesbot.kit.errors import Conflict, NotFound
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.redis import RedisFacade
from salesbot.kit.tools import AppServices, Tool, ToolResult
from salesbot.locations import service as locations
from salesbot.settings import Settings

log = get_logger(__name__)

NOTICE_FALLBACK = (
    "_The AI service is not answering right now, so the built-in assistant is replying._"
)
NOTICE_MISCONFIGURED = (
    "_The AI service is not set up correctly, so the built-in assistant is replying._"
)
BUSY = "This conversation is still answering your previous message. Please wait a moment."
RUN_GONE = "This reply is no longer available."
MAX_WINDOW = 400  # stored messages read per turn; older ones are in the summary
TITLE_PROMPT = (
    "Write a short title (at most six words) for a chat that starts with the exchange below. "
    "Answer with the title only."
)
SUMMARY_PROMPT = (
    "Summarise the earlier part of a chat between a salesperson and their assistant in at most "
    "12 short bullet points: clients, locations, dates, amounts, decisions and open questions. "
    "Answer with the bullet points only."
)


@dataclass(frozen=True)
class StartedRun:
    run_id: str
    conversation_id: uuid.UUID


class Assistant:
    """The assistant of one app instance: runs, the response cache, tools, the provider."""

    def __init__(self, settings: Settings, database: Database, redis: RedisFacade) -> None:
        self.settings = settings
        self.database = database
        self.runs: RunStore = make_run_store(
            redis,
            retention_s=settings.chat_run_retention_s,
            busy_ttl_s=settings.chat_run_timeout_s,
        )
        self.cache = ResponseCache(redis, ttl_s=settings.llm_cache_ttl_s)
        self.registry: dict[str, Tool[Any]] = discover_tools()
        self.model_name = model_label(settings)
        self.provider_problem: str | None = None
        try:
            provider = provider_model(settings)
        except ProviderConfigError as exc:
            log.error("llm_provider_unusable", problem=str(exc))
            self.provider_problem = str(exc)
            provider = None
        self.provider: Model | None = CachingModel(provider, self.cache) if provider else None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(
        self,
        *,
        principal: Principal,
        app: AppServices,
        conversation_id: uuid.UUID | None,
        message: str,
        file_ids: Sequence[uuid.UUID],
    ) -> StartedRun:
        """Validate, then run in the background; errors here are ordinary HTTP errors."""
        async with self.database.sessions() as session:
            records = (
                await files.resolve_attachments(session, principal, list(file_ids))
                if file_ids
                else []
            )
            conversation = await conversations.owned_for_chat(
                session, principal, conversation_id, now=utcnow()
            )
            target = conversation.id
        run_id = new_id().hex
        if not await self.runs.claim(target, run_id):
            raise Conflict(BUSY, code="conversation_busy")
        await self.runs.start(RunInfo(run_id, principal.user_id, target))
        job = _ChatRun(self, run_id, principal, app, target, message, records)
        task = asyncio.create_task(job.execute(), name=f"chat-run-{run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return StartedRun(run_id, target)

    async def follow(
        self, principal: Principal, run_id: str, *, after: str | None
    ) -> AsyncIterator[RunEvent]:
        """The run's events after `after` (a Last-Event-ID), then live ones; own runs only."""
        info = await self.runs.info(run_id)
        if info is None or info.user_id != principal.user_id:
            raise NotFound(RUN_GONE)
        return self.runs.follow(run_id, after=after, heartbeat_s=self.settings.chat_heartbeat_s)

    async def drain(self, grace_s: float = 10.0) -> None:
        """Let running chats finish (shutdown); whatever is left after `grace_s` is cancelled."""
        pending = set(self._tasks)
        if not pending:
            return
        _, still = await asyncio.wait(pending, timeout=grace_s)
        for task in still:
            task.cancel()
        if still:
            await asyncio.wait(still, timeout=2.0)


def user_prompt(message: str, parts: Sequence[files.AttachmentPart]) -> str | list[UserContent]:
    """The message, then each attachment: images as images, documents as their text."""
    if not parts:
        return message
    content: list[UserContent] = [message]
    for part in parts:
        if part.image is not None:
            content.append(
                BinaryContent(data=part.image, media_type=part.media_type or "image/jpeg")
            )
        else:
            content.append(f"Attached document {part.name}:\n{part.text or '(no text found)'}")
    return content


def _usage_of(response: ModelResponse) -> CallUsage:
    usage = response.usage
    reasoning = int(usage.details.get("reasoning_tokens", 0)) if usage.details else 0
    return CallUsage(
        input_tokens=usage.input_tokens,
        cached_tokens=usage.cache_read_tokens,
        output_tokens=usage.output_tokens,
        reasoning_tokens=reasoning,
    )


def _args(part: ToolCallPart) -> dict[str, Any]:
    try:
        return part.args_as_dict()
    except ValueError:
        return {}


@dataclass
class _Totals:
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


class _ChatRun:
    def __init__(
        self,
        assistant: Assistant,
        run_id: str,
        principal: Principal,
        app: AppServices,
        conversation_id: uuid.UUID,
        message: str,
        records: list[FileRecord],
    ) -> None:
        self.assistant = assistant
        self.settings = assistant.settings
        self.db = assistant.database
        self.run_id = run_id
        self.principal = principal
        self.app = app
        self.conversation_id = conversation_id
        self.message = message
        self.records = records
        self.totals = _Totals()
        self.final_text = ""
        self.final_message_id: uuid.UUID | None = None
        self.used_model = assistant.model_name

    async def emit(self, event: str, data: dict[str, Any]) -> None:
        await self.assistant.runs.publish(self.run_id, event, data)

    async def execute(self) -> None:
        try:
            await asyncio.wait_for(self._execute(), timeout=self.settings.chat_run_timeout_s)
        except TimeoutError:
            log.warning("chat_run_timeout", run_id=self.run_id)
            await self._error("timeout", "This took too long and was stopped. Please try again.")
        except UsageLimitExceeded:
            await self._error(
                "too_many_steps",
                "That needed more steps than I'm allowed in one go. "
                "Please split the request into smaller ones.",
            )
        except Exception:
            log.exception("chat_run_failed", run_id=self.run_id)
            await self._error(
                "internal_error", "Something went wrong on our side. Please try again."
            )
        finally:
            await self.assistant.runs.release(self.conversation_id, self.run_id)
            await self.assistant.runs.finish(self.run_id)

    async def _error(self, code: str, message: str) -> None:
        try:
            await self.emit("error", {"code": code, "message": message})
        except Exception:
            log.exception("chat_error_event_failed", run_id=self.run_id)

    @property
    def today(self) -> date:
        return datetime.now(ZoneInfo(self.settings.timezone)).date()

    async def _execute(self) -> None:
        settings = self.settings
        attachments = [
            {
                "file_id": str(r.id),
                "name": r.safe_name,
                "kind": r.kind,
                "content_type": r.content_type,
                "size": r.size,
            }
            for r in self.records
        ]
        async with self.db.sessions() as session:
            user_message = await conversations.append(
                session,
                self.conversation_id,
                role="user",
                content=self.message,
                now=utcnow(),
                attachments=attachments or None,
                meta={"run_id": self.run_id},
            )
            conversation = await conversations.get_own(
                session, self.principal, self.conversation_id
            )
            wants_title = conversations.needs_title(conversation)
            state = OfflineState.from_json(conversation.meta.get("offline"))
            catalogue = await locations.active_locations(session)
        await self.emit(
            "message_start",
            {
                "run_id": self.run_id,
                "conversation_id": str(self.conversation_id),
                "user_message_id": str(user_message.id),
                "model": self.assistant.model_name,
            },
        )
        instructions = prompt.render(
            name=self.principal.name,
            roles=sorted({g.role for g in self.principal.roles}),
            today=self.today,
            timezone=settings.timezone,
            catalogue=prompt.catalogue_summary(catalogue),
        )
        budget = max(
            500,
            settings.llm_context_tokens
            - context.estimate_tokens(instructions)
            - context.estimate_tokens(self.message),
        )
        history = await self._history(budget, exclude=user_message.id)
        parts = await files.attachment_parts(self.app.storage, self.records) if self.records else []
        tools = tools_for(self.principal, self.assistant.registry)
        agent = build_agent(tools)
        deps = RunDeps(
            principal=self.principal,
            app=self.app,
            database=self.db,
            conversation_id=self.conversation_id,
            attachment_ids=[r.id for r in self.records],
            today=self.today,
            emit=self.emit,
        )
        offline = OfflineBrain(
            prompt.known_locations(catalogue),
            state,
            self.today,
            attachment_count=len(self.records),
            known_tools=frozenset(self.assistant.registry),
        )
        notice: str | None = None
        provider = self.assistant.provider
        if provider is None:
            self.used_model = OFFLINE
            if self.assistant.provider_problem:
                notice = NOTICE_MISCONFIGURED
                await self._notice(notice)
            await self._drive(
                agent,
                offline.model(),
                user_prompt(self.message, parts),
                history,
                deps,
                instructions,
            )
        else:
            try:
                await self._drive(
                    agent, provider, user_prompt(self.message, parts), history, deps, instructions
                )
            except PROVIDER_ERRORS as exc:
                log.warning("llm_provider_failed", error_type=type(exc).__name__)
                self.used_model = OFFLINE
                notice = NOTICE_FALLBACK
                await self._notice(notice)
                # Carry on from what is stored: the message and any tool steps already done.
                replay = await self._history(budget, exclude=None, use_provider=False)
                await self._drive(agent, offline.model(), None, replay, deps, instructions)
        title = await self._title(wants_title, provider if notice is None else None)
        async with self.db.sessions() as session:
            await conversations.update_meta(
                session,
                self.conversation_id,
                {"offline": state.to_json()},
                model=self.assistant.model_name,
            )
        await self.emit(
            "message_end",
            {
                "message_id": str(self.final_message_id) if self.final_message_id else None,
                "conversation_id": str(self.conversation_id),
                "title": title,
                "model": self.used_model,
                "usage": self.totals.as_dict(),
                "notice": notice,
            },
        )

    async def _notice(self, notice: str) -> None:
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

    async def _drive(
        self,
        agent: Agent[RunDeps, str],
        model: Model,
        user_input: str | list[UserContent] | None,
        history: list[ModelMessage],
        deps: RunDeps,
        instructions: str,
    ) -> None:
        limits = UsageLimits(request_limit=self.settings.chat_max_steps)
        async with agent.iter(
            user_input,
            message_history=history,
            deps=deps,
            model=model,
            instructions=instructions,
            usage_limits=limits,
        ) as run:
            async for node in run:
                if Agent.is_model_request_node(node):
                    async with node.stream(run.ctx) as stream:
                        async for event in stream:
                            text = _text_of(event)
                            if text:
                                await self.emit("delta", {"text": text})
                elif Agent.is_call_tools_node(node):
                    await self._store_response(node.model_response)
                    async with node.stream(run.ctx) as steps:
                        async for step in steps:
                            if isinstance(step, FunctionToolCallEvent):
                                await self.emit(
                                    "tool_started",
                                    {
                                        "tool_call_id": step.part.tool_call_id,
                                        "tool": step.part.tool_name,
                                        "args": _args(step.part),
                                    },
                                )
                            elif isinstance(step, FunctionToolResultEvent):
                                await self._store_result(
                                    step.part.tool_name,
                                    step.part.tool_call_id,
                                    step.part.content,
                                    deps,
                                )

    async def _store_response(self, response: ModelResponse) -> None:
        text = "".join(p.content for p in response.parts if isinstance(p, TextPart))
        calls = [
            {"id": p.tool_call_id, "name": p.tool_name, "args": _args(p)}
            for p in response.parts
            if isinstance(p, ToolCallPart)
        ]
        usage = _usage_of(response)
        offline = response.model_name == OFFLINE
        label = OFFLINE if offline else self.assistant.model_name
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
                # A cached answer cost nothing: only calls that reached a model are recorded.
                row = await record(
                    session,
                    prices=self.settings.llm_prices,
                    user_id=self.principal.user_id,
                    conversation_id=self.conversation_id,
                    run_id=self.run_id,
                    model=label,
                    call_type="chat",
                    usage=usage,
                    now=utcnow(),
                )
                self.totals.add(usage, row.cost)

    async def _store_result(self, tool: str, call_id: str, content: Any, deps: RunDeps) -> None:
        result = deps.results.get(call_id) or ToolResult(
            summary=content if isinstance(content, str) else "The tool could not be run.",
            is_error=True,
        )
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

    async def _history(
        self, budget: int, *, exclude: uuid.UUID | None, use_provider: bool = True
    ) -> list[ModelMessage]:
        async with self.db.sessions() as session:
            summary, window = await conversations.replay_window(
                session, self.conversation_id, limit=MAX_WINDOW
            )
            window = [m for m in window if m.id != exclude and m.role != "system"]
            summary_text = summary.content if summary else None
            plan = context.plan_window(
                context.estimate_tokens(summary_text or ""),
                [m.role for m in window],
                [context.message_tokens(m) for m in window],
                budget,
            )
            if plan.summarize:
                dropped, window = window[: plan.keep_from], window[plan.keep_from :]
                summary_text, model = await self._summarize(summary_text, dropped, use_provider)
                await conversations.save_summary(
                    session,
                    self.conversation_id,
                    through_message_id=dropped[-1].id,
                    content=summary_text,
                    model=model,
                    tokens=context.estimate_tokens(summary_text),
                    now=utcnow(),
                )
        return context.to_model_messages(summary_text, window)

    async def _summarize(
        self, previous: str | None, dropped: list[Message], use_provider: bool
    ) -> tuple[str, str]:
        provider = self.assistant.provider if use_provider else None
        if provider is not None:
            transcript = context.extractive_summary(previous, dropped)
            try:
                text = await self._one_shot(provider, SUMMARY_PROMPT, transcript, "summary")
                if text.strip():
                    return text.strip()[: context.MAX_SUMMARY_CHARS], self.assistant.model_name
            except PROVIDER_ERRORS as exc:
                log.warning("llm_summary_failed", error_type=type(exc).__name__)
        return context.extractive_summary(previous, dropped), OFFLINE

    async def _title(self, wanted: bool, provider: Model | None) -> str | None:
        if not wanted:
            return None
        title = context.offline_title(self.message)
        if provider is not None and self.final_text:
            exchange = f"User: {self.message[:2000]}\nAssistant: {self.final_text[:2000]}"
            try:
                written = context.clean_title(
                    await self._one_shot(provider, TITLE_PROMPT, exchange, "title")
                )
                title = written or title
            except Exception as exc:  # a title is a nicety: any failure keeps the plain one
                log.warning("llm_title_failed", error_type=type(exc).__name__)
        async with self.db.sessions() as session:
            return await conversations.set_generated_title(
                session, self.conversation_id, title, now=utcnow()
            )

    async def _one_shot(self, model: Model, instructions: str, text: str, call_type: str) -> str:
        output, responses = await complete(model, instructions=instructions, prompt=text)
        async with self.db.sessions() as session:
            for response in responses:
                if is_cache_hit(response):
                    continue
                usage = _usage_of(response)
                row = await record(
                    session,
                    prices=self.settings.llm_prices,
                    user_id=self.principal.user_id,
                    conversation_id=self.conversation_id,
                    run_id=self.run_id,
                    model=self.assistant.model_name,
                    call_type=call_type,
                    usage=usage,
                    now=utcnow(),
                )
                self.totals.add(usage, row.cost)
        return output


def _text_of(event: Any) -> str:
    if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
        return event.part.content
    if isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
        return event.delta.content_delta
    return ""
