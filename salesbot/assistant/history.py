"""A run's view of its conversation: the stored history replayed within the token budget (older
turns summarised, by the provider when it answers, else extractively) and the generated title.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic_ai.messages import ModelMessage
from pydantic_ai.models import Model

from salesbot.assistant import context
from salesbot.assistant.offline.model import MODEL_NAME as OFFLINE
from salesbot.assistant.providers import provider_errors
from salesbot.assistant.recorder import RunRecorder
from salesbot.conversations import service as conversations
from salesbot.kit.db import utcnow
from salesbot.kit.logging import get_logger

log = get_logger(__name__)

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


@dataclass
class RunHistory:
    recorder: RunRecorder
    provider: Model | None  # the configured provider (None: offline)

    async def replay(
        self, budget: int, *, exclude: uuid.UUID | None, use_provider: bool = True
    ) -> list[ModelMessage]:
        """The stored conversation as model messages; past the budget, older turns summarised."""
        recorder = self.recorder
        async with recorder.db.sessions() as session:
            summary, window = await conversations.replay_window(
                session, recorder.conversation_id, limit=MAX_WINDOW
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
                    recorder.conversation_id,
                    through_message_id=dropped[-1].id,
                    content=summary_text,
                    model=model,
                    tokens=context.estimate_tokens(summary_text),
                    now=utcnow(),
                )
        return context.to_model_messages(summary_text, window)

    async def _summarize(
        self, previous: str | None, dropped: Sequence[context.StoredMessage], use_provider: bool
    ) -> tuple[str, str]:
        provider = self.provider if use_provider else None
        if provider is not None:
            transcript = context.extractive_summary(previous, dropped)
            try:
                text = await self.recorder.one_shot(provider, SUMMARY_PROMPT, transcript, "summary")
                if text.strip():
                    return text.strip()[: context.MAX_SUMMARY_CHARS], self.recorder.model_name
            except provider_errors() as exc:
                log.warning("llm_summary_failed", error_type=type(exc).__name__)
        return context.extractive_summary(previous, dropped), OFFLINE

    async def title(self, message: str, provider: Model | None) -> str | None:
        """Name the conversation after its first exchange (the provider's words if it can)."""
        recorder = self.recorder
        title = context.offline_title(message)
        if provider is not None and recorder.final_text:
            exchange = f"User: {message[:2000]}\nAssistant: {recorder.final_text[:2000]}"
            try:
                written = context.clean_title(
                    await recorder.one_shot(provider, TITLE_PROMPT, exchange, "title")
                )
                title = written or title
            except Exception as exc:  # a title is a nicety: any failure keeps the plain one
                log.warning("llm_title_failed", error_type=type(exc).__name__)
        async with recorder.db.sessions() as session:
            return await conversations.set_generated_title(
                session, recorder.conversation_id, title, now=utcnow()
            )
