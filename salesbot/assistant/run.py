"""One chat run, step by step (the user's message is stored and the run announced by
`chat.Assistant.start`): open (read the conversation), replay the history, answer (provider,
or the offline model — also when the provider fails), name the conversation, close with
`message_end`. Any failure ends the run with `error`.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic_ai.exceptions import UsageLimitExceeded
from pydantic_ai.messages import BinaryContent, ModelMessage, UserContent
from pydantic_ai.models import Model

from salesbot.assistant import context, prompt
from salesbot.assistant.agent import RunDeps, build_agent
from salesbot.assistant.driving import drive
from salesbot.assistant.history import RunHistory
from salesbot.assistant.metrics import LLM_FALLBACKS
from salesbot.assistant.offline.model import MODEL_NAME as OFFLINE
from salesbot.assistant.offline.model import OfflineBrain, OfflineState
from salesbot.assistant.providers import provider_errors
from salesbot.assistant.recorder import RunRecorder
from salesbot.assistant.runs import TERMINAL, RunStore
from salesbot.assistant.tooling import tools_for
from salesbot.auth.service import Principal
from salesbot.conversations import service as conversations
from salesbot.files.service import AttachmentPart
from salesbot.kit.db import Database
from salesbot.kit.logging import get_logger
from salesbot.kit.tools import AppServices, Tool
from salesbot.locations import service as locations
from salesbot.settings import Settings

log = get_logger(__name__)

NOTICE_FALLBACK = (
    "_The AI service is not answering right now, so the built-in assistant is replying._"
)
NOTICE_MISCONFIGURED = (
    "_The AI service is not set up correctly, so the built-in assistant is replying._"
)


@dataclass(frozen=True)
class Attachments:
    """The message's files: their ids, how they are listed on the message, how to read them."""

    ids: list[uuid.UUID]
    listed: list[dict[str, Any]]
    read: Callable[[], Awaitable[Sequence[AttachmentPart]]]


@dataclass(frozen=True)
class _Opening:
    """What the run knows once the user's message is stored."""

    user_message_id: uuid.UUID
    wants_title: bool
    state: OfflineState
    catalogue: Sequence[prompt.LocationLike]


def user_prompt(message: str, parts: Sequence[AttachmentPart]) -> str | list[UserContent]:
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


class RunHost(Protocol):
    """What a run uses of the assistant that started it (`chat.Assistant`)."""

    settings: Settings
    database: Database
    runs: RunStore
    model_name: str
    provider: Model | None
    provider_problem: str | None
    registry: dict[str, Tool[Any]]


class ChatRun:
    def __init__(
        self,
        assistant: RunHost,
        run_id: str,
        principal: Principal,
        app: AppServices,
        conversation_id: uuid.UUID,
        message: str,
        attachments: Attachments,
        user_message_id: uuid.UUID,
    ) -> None:
        self.assistant = assistant
        self.user_message_id = user_message_id
        self.settings = assistant.settings
        self.run_id = run_id
        self.principal = principal
        self.app = app
        self.conversation_id = conversation_id
        self.message = message
        self.attachments = attachments
        self.used_model = assistant.model_name
        self.recorder = RunRecorder(
            db=assistant.database,
            settings=assistant.settings,
            user_id=principal.user_id,
            conversation_id=conversation_id,
            run_id=run_id,
            model_name=assistant.model_name,
            emit=self.emit,
        )
        self.history = RunHistory(self.recorder, assistant.provider)

    async def emit(self, event: str, data: dict[str, Any]) -> None:
        if event in TERMINAL:
            # Free the conversation before anyone hears the run end: a next message sent on
            # `message_end` must not be refused as "still answering" (the load test saw it).
            await self.assistant.runs.release(self.conversation_id, self.run_id)
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
        opening = await self._open()
        instructions = prompt.render(
            name=self.principal.name,
            roles=sorted({g.role for g in self.principal.roles}),
            today=self.today,
            timezone=self.settings.timezone,
            catalogue=prompt.catalogue_summary(opening.catalogue),
        )
        budget = max(
            500,
            self.settings.llm_context_tokens
            - context.estimate_tokens(instructions)
            - context.estimate_tokens(self.message),
        )
        history = await self.history.replay(budget, exclude=opening.user_message_id)
        parts = await self.attachments.read() if self.attachments.ids else []
        user_input = user_prompt(self.message, parts)
        notice = await self._answer(opening, instructions, user_input, history, budget)
        provider = self.assistant.provider if notice is None else None
        title = await self.history.title(self.message, provider) if opening.wants_title else None
        await self._close(opening.state, title, notice)

    async def _open(self) -> _Opening:
        """Read the conversation's state and the catalogue (the user's message is stored and
        `message_start` sent by `Assistant.start`)."""
        async with self.assistant.database.sessions() as session:
            conversation = await conversations.get_own(
                session, self.principal, self.conversation_id
            )
            return _Opening(
                user_message_id=self.user_message_id,
                wants_title=conversations.needs_title(conversation),
                state=OfflineState.from_json(conversation.meta.get("offline")),
                catalogue=await locations.active_locations(session),
            )

    async def _answer(
        self,
        opening: _Opening,
        instructions: str,
        user_input: str | list[UserContent],
        history: list[ModelMessage],
        budget: int,
    ) -> str | None:
        """Answer with the provider, or the offline model; the notice shown, if any."""
        agent = build_agent(tools_for(self.principal, self.assistant.registry))
        deps = RunDeps(
            principal=self.principal,
            app=self.app,
            database=self.assistant.database,
            conversation_id=self.conversation_id,
            attachment_ids=list(self.attachments.ids),
            today=self.today,
            emit=self.emit,
        )
        offline = OfflineBrain(
            prompt.known_locations(opening.catalogue),
            opening.state,
            self.today,
            attachment_count=len(self.attachments.ids),
            known_tools=frozenset(self.assistant.registry),
        )

        async def answer(
            model: Model, given: str | list[UserContent] | None, replay: list[ModelMessage]
        ) -> None:
            await drive(
                agent,
                model,
                given,
                replay,
                deps,
                instructions=instructions,
                max_steps=self.settings.chat_max_steps,
                recorder=self.recorder,
            )

        provider = self.assistant.provider
        if provider is None:
            self.used_model = OFFLINE
            notice = NOTICE_MISCONFIGURED if self.assistant.provider_problem else None
            if notice:
                await self._fall_back("misconfigured", notice)
            await answer(offline.model(), user_input, history)
            return notice
        try:
            await answer(provider, user_input, history)
            return None
        except provider_errors() as exc:  # the failed call itself: `llm_call_failed` (observed)
            log.warning("llm_offline_fallback", run_id=self.run_id, error_type=type(exc).__name__)
            self.used_model = OFFLINE
            await self._fall_back("provider_failed", NOTICE_FALLBACK)
            # Carry on from what is stored: the message and any tool steps already done.
            replay = await self.history.replay(budget, exclude=None, use_provider=False)
            await answer(offline.model(), None, replay)
            return NOTICE_FALLBACK

    async def _fall_back(self, reason: str, notice: str) -> None:
        """The offline model answers instead of the configured provider: count it, say so."""
        LLM_FALLBACKS.labels(reason).inc()
        await self.recorder.notice(notice)

    async def _close(self, state: OfflineState, title: str | None, notice: str | None) -> None:
        """Keep the offline model's state with the conversation; end with `message_end`."""
        async with self.assistant.database.sessions() as session:
            await conversations.update_meta(
                session,
                self.conversation_id,
                {"offline": state.to_json()},
                model=self.assistant.model_name,
            )
        final_id = self.recorder.final_message_id
        await self.emit(
            "message_end",
            {
                "message_id": str(final_id) if final_id else None,
                "conversation_id": str(self.conversation_id),
                "title": title,
                "model": self.used_model,
                "usage": self.recorder.totals.as_dict(),
                "notice": notice,
            },
        )
