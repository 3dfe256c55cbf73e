"""The offline model: a PydanticAI `FunctionModel` around the grammar.

A user message becomes a tool call (when the grammar understood a complete request the user may
make), a question for missing details, or a short text; after a tool ran, the reply is the
tool's own summary. What the conversation established (client, currency, a pending question)
lives in `OfflineState`, which the assistant stores with the conversation.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, DeltaToolCalls, FunctionModel

from salesbot.assistant.offline import rules
from salesbot.assistant.offline.grammar import Context, Intent, interpret
from salesbot.assistant.offline.lexer import KnownLocation

MODEL_NAME = "offline"


def _intent_dict(intent: Intent) -> dict[str, Any]:
    return {
        "tool": intent.tool,
        "args": intent.args,
        "missing": list(intent.missing),
        "reply": intent.reply,
    }


def _intent_from(value: Any) -> Intent | None:
    if not isinstance(value, dict):
        return None
    args = value.get("args")
    return Intent(
        tool=value.get("tool") if isinstance(value.get("tool"), str) else None,
        args=args if isinstance(args, dict) else {},
        missing=tuple(str(m) for m in value.get("missing") or ()),
        reply=value.get("reply") if isinstance(value.get("reply"), str) else None,
    )


@dataclass
class OfflineState:
    """What the offline model remembers between the messages of one conversation."""

    client_name: str | None = None
    currency: str | None = None
    payment_terms: str | None = None
    last_booking_order: str | None = None
    last_made: str | None = None  # "proposal" or "booking_order": what follow-ups refer to
    has_proposal: bool = False  # a proposal was made here (a booking order may have followed)
    pending: Intent | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "client_name": self.client_name,
            "currency": self.currency,
            "payment_terms": self.payment_terms,
            "last_booking_order": self.last_booking_order,
            "last_made": self.last_made,
            "has_proposal": self.has_proposal,
            "pending": _intent_dict(self.pending) if self.pending else None,
        }

    @classmethod
    def from_json(cls, value: Any) -> OfflineState:
        if not isinstance(value, dict):
            return cls()

        def text(key: str) -> str | None:
            item = value.get(key)
            return item if isinstance(item, str) else None

        return cls(
            client_name=text("client_name"),
            currency=text("currency"),
            payment_terms=text("payment_terms"),
            last_booking_order=text("last_booking_order"),
            last_made=text("last_made"),
            has_proposal=value.get("has_proposal") is True,
            pending=_intent_from(value.get("pending")),
        )

    def context(self, attachment_count: int) -> Context:
        return Context(
            client_name=self.client_name,
            currency=self.currency,
            payment_terms=self.payment_terms,
            last_booking_order=self.last_booking_order,
            last_made=self.last_made,
            has_proposal=self.has_proposal,
            pending=self.pending,
            has_attachments=attachment_count > 0,
            attachment_count=attachment_count,
        )

    def remember_call(self, tool: str, args: dict[str, Any]) -> None:
        self.pending = None
        for name in ("client_name", "currency", "payment_terms"):
            value = args.get(name)
            if isinstance(value, str) and value:
                setattr(self, name, value)
        reference = args.get("booking_order")
        if isinstance(reference, str) and reference:
            self.last_booking_order = reference

    def await_confirmation(self, data: Any, question: str) -> None:
        """A tool that described an irreversible step ("This will submit BL-0001 … Say yes")
        waits for the user's yes; their next "yes" calls it again with confirm=true. A tool that
        asked for one more value ("code": "ask", "missing": the argument) waits for it."""
        if not isinstance(data, dict) or data.get("code") not in ("confirm", "ask"):
            return
        tool, args = data.get("tool"), data.get("args")
        need = data.get("missing") if data.get("code") == "ask" else "confirm"
        if isinstance(tool, str) and isinstance(args, dict) and isinstance(need, str):
            kept = {k: v for k, v in args.items() if v is not None and k != "confirm"}
            if isinstance(data.get("suggestion"), str):
                kept["suggestion"] = data["suggestion"]
            self.pending = Intent(tool, kept, (need,), question)

    def remember_result(self, data: Any) -> None:
        if not isinstance(data, dict):
            return
        if isinstance(data.get("root_id"), str) and data.get("kind") in ("separate", "combined"):
            self.last_made = "proposal"
            self.has_proposal = True
            return
        # A draft has no reference yet: its client's BO number names it meanwhile.
        fields = data.get("fields")
        number = fields.get("bo_number") if isinstance(fields, dict) else None
        for value in (data.get("booking_order"), data.get("bo_ref"), data.get("reference"), number):
            if isinstance(value, str) and value:
                self.last_booking_order = value
                self.last_made = "booking_order"
                return


@dataclass(frozen=True)
class _Call:
    tool: str
    args: dict[str, Any]


@dataclass
class OfflineBrain:
    """Decides one model response; `model()` wraps it as a PydanticAI FunctionModel."""

    locations: Sequence[KnownLocation]
    state: OfflineState
    today: date
    attachment_count: int = 0
    known_tools: frozenset[str] = frozenset()
    calls: int = field(default=0)

    def model(self) -> FunctionModel:
        return FunctionModel(self._respond, stream_function=self._stream, model_name=MODEL_NAME)

    def decide(self, messages: list[ModelMessage], available: Iterable[str]) -> str | _Call:
        last = messages[-1] if messages else None
        if not isinstance(last, ModelRequest):
            return "How can I help?"
        results = [p for p in last.parts if isinstance(p, ToolReturnPart)]
        if results:
            return "\n\n".join(self._result_reply(p) for p in results)
        retries = [p for p in last.parts if isinstance(p, RetryPromptPart)]
        if retries:
            return "Sorry, I couldn't complete that. Could you rephrase the request?"
        text = _user_text(last)
        intent = interpret(
            text,
            locations=self.locations,
            context=self.state.context(self.attachment_count),
            today=self.today,
        )
        if intent.tool and not intent.missing:
            if intent.tool in set(available):
                self.state.remember_call(intent.tool, intent.args)
                return _Call(intent.tool, dict(intent.args))
            self.state.pending = None
            label = rules.labels().get(intent.tool, "do that")
            if intent.tool in self.known_tools:
                return f"Sorry, you don't have permission to {label}."
            return f"Sorry, I can't {label} yet."
        self.state.pending = intent if intent.missing else None
        return intent.reply or "How can I help?"

    def _result_reply(self, part: ToolReturnPart) -> str:
        content = part.content
        if isinstance(content, str):
            try:
                content = json.loads(content)
            except ValueError:
                return content
        if isinstance(content, dict):
            self.state.remember_result(content.get("data"))
            summary = content.get("summary")
            if isinstance(summary, str) and summary:
                self.state.await_confirmation(content.get("data"), summary)
                return summary
        return "Done."

    def _next_id(self) -> str:
        self.calls += 1
        return f"offline-{self.calls}"

    def _respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        decision = self.decide(messages, (t.name for t in info.function_tools))
        if isinstance(decision, _Call):
            part = ToolCallPart(decision.tool, decision.args, tool_call_id=self._next_id())
            return ModelResponse(parts=[part], model_name=MODEL_NAME)
        return ModelResponse(parts=[TextPart(decision)], model_name=MODEL_NAME)

    async def _stream(
        self, messages: list[ModelMessage], info: AgentInfo
    ) -> AsyncIterator[str | DeltaToolCalls]:
        decision = self.decide(messages, (t.name for t in info.function_tools))
        if isinstance(decision, _Call):
            call = DeltaToolCall(
                name=decision.tool,
                json_args=json.dumps(decision.args),
                tool_call_id=self._next_id(),
            )
            yield {0: call}
            return
        for chunk in text_chunks(decision):
            yield chunk


def _user_text(request: ModelRequest) -> str:
    texts: list[str] = []
    for part in request.parts:
        if isinstance(part, UserPromptPart):
            if isinstance(part.content, str):
                texts.append(part.content)
            else:
                texts.extend(item for item in part.content if isinstance(item, str))
    # Attached documents follow the message as extra text; the request is the first piece.
    return texts[0] if texts else ""


_CHUNK = re.compile(r"\S+\s*|\s+")


def text_chunks(text: str, words: int = 5) -> list[str]:
    """Split a reply into a few words per delta, so offline replies stream like a model's."""
    pieces = _CHUNK.findall(text)
    return ["".join(pieces[i : i + words]) for i in range(0, len(pieces), words)] or [text]
