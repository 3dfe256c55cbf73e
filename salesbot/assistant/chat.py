"""Chat runs: one user message in, a streamed, persisted answer out.

`Assistant.start` stores nothing until the request is valid, then stores the user message,
announces the run (`message_start`) and starts it (`run.py`) as a task of its own (it continues
when the client disconnects) and returns its id; the client follows the run's events. A run
replays the history within the token budget, drives the agent (provider model, or the offline
model), persists every assistant message, tool call and tool result as they happen, records
usage, names the conversation after the first exchange and ends with `message_end` — or
`error`. When the provider fails, the run goes on with the offline model from what is already
stored, and says so.
"""

from __future__ import annotations

import asyncio
import functools
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from salesbot.assistant.providers import (
    ProviderConfigError,
    model_label,
    observe,
    provider_model,
)
from salesbot.assistant.runs import RunEvent, RunInfo, RunStore, make_run_store
from salesbot.assistant.tooling import discover_tools
from salesbot.auth.service import Principal
from salesbot.conversations import service as conversations
from salesbot.files import service as files
from salesbot.kit.db import Database, utcnow
from salesbot.kit.errors import Conflict, NotFound
from salesbot.kit.ids import new_id
from salesbot.kit.logging import get_logger
from salesbot.kit.redis import RedisFacade
from salesbot.kit.tools import AppServices, Tool
from salesbot.settings import Settings

if TYPE_CHECKING:
    from pydantic_ai.models import Model
    from sqlalchemy.ext.asyncio import AsyncSession

    from salesbot.assistant.run import Attachments

log = get_logger(__name__)

BUSY = "This conversation is still answering your previous message. Please wait a moment."
RUN_GONE = "This reply is no longer available."


@dataclass(frozen=True)
class StartedRun:
    run_id: str
    conversation_id: uuid.UUID


def _listed(record: Any) -> dict[str, Any]:
    """How an attachment is listed on the user's message."""
    return {
        "file_id": str(record.id),
        "name": record.safe_name,
        "kind": record.kind,
        "content_type": record.content_type,
        "size": record.size,
    }


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
        self.registry: dict[str, Tool[Any]] = discover_tools()
        self.model_name = model_label(settings)
        self.provider_problem: str | None = None
        self.provider: Model | None = None
        try:
            provider = provider_model(settings)
        except ProviderConfigError as exc:
            log.error("llm_provider_unusable", problem=str(exc))
            self.provider_problem = str(exc)
            provider = None
        if provider is not None:
            # PydanticAI and the provider's SDK load here, at start-up, only with a provider;
            # without one they load with the first chat run (the offline model is PydanticAI's
            # FunctionModel, no SDK).
            from salesbot.assistant.cache import CachingModel, ResponseCache

            cache = ResponseCache(redis, ttl_s=settings.llm_cache_ttl_s)
            self.provider = CachingModel(observe(provider, settings), cache)
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
        """Validate, store the message and announce the run (`message_start`), then run in the
        background; errors up to here are ordinary HTTP errors."""
        from salesbot.assistant.run import Attachments, ChatRun

        run_id = new_id().hex
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
            attachments = Attachments(
                ids=[r.id for r in records],
                listed=[_listed(r) for r in records],
                read=functools.partial(files.attachment_parts, app.storage, records),
            )
            stored_id = await self._store_message(session, target, run_id, message, attachments)
        await self.runs.start(RunInfo(run_id, principal.user_id, target))
        await self.runs.publish(
            run_id,
            "message_start",
            {
                "run_id": run_id,
                "conversation_id": str(target),
                "user_message_id": str(stored_id),
                "model": self.model_name,
            },
        )
        job = ChatRun(self, run_id, principal, app, target, message, attachments, stored_id)
        task = asyncio.create_task(job.execute(), name=f"chat-run-{run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return StartedRun(run_id, target)

    async def _store_message(
        self,
        session: AsyncSession,
        target: uuid.UUID,
        run_id: str,
        message: str,
        attachments: Attachments,
    ) -> uuid.UUID:
        """Claim the conversation for the run and store the user's message (and a new
        conversation) in one transaction, on the request's connection; the message's id."""
        if not await self.runs.claim(target, run_id):
            raise Conflict(BUSY, code="conversation_busy")
        try:
            stored = await conversations.append(
                session,
                target,
                role="user",
                content=message,
                now=utcnow(),
                attachments=attachments.listed or None,
                meta={"run_id": run_id},
            )
        except BaseException:
            await self.runs.release(target, run_id)
            raise
        return stored.id

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
