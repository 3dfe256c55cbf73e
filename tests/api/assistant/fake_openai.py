"""A local stand-in for an OpenAI-compatible server speaking the real chat-completions wire
protocol: JSON bodies, `text/event-stream` chunks with `data: [DONE]`, streamed tool-call
argument fragments, usage in the final chunk, HTTP errors and slow answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from salesbot.settings import Settings
from tests.conftest import Stack, make_settings

MODEL = "gpt-4.1-mini"
API_KEY = "sk-test-key"


@dataclass(frozen=True)
class Usage:
    prompt: int = 30
    completion: int = 5
    cached: int = 0
    reasoning: int = 0

    def wire(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt,
            "completion_tokens": self.completion,
            "total_tokens": self.prompt + self.completion,
            "prompt_tokens_details": {"cached_tokens": self.cached},
            "completion_tokens_details": {"reasoning_tokens": self.reasoning},
        }


@dataclass(frozen=True)
class Text:
    chunks: tuple[str, ...]
    usage: Usage = Usage()


@dataclass(frozen=True)
class ToolCall:
    name: str
    argument_chunks: tuple[str, ...]
    call_id: str = "call_1"
    usage: Usage = Usage()


@dataclass(frozen=True)
class Error:
    status: int
    message: str = "The server had an error while processing your request."


@dataclass(frozen=True)
class Silent:
    """Never answers (until the server closes): the client's own timeout decides, not a race."""


@dataclass(frozen=True)
class Gated:
    """Streams `reply`'s first `before` chunks, then holds the rest until `gate` is set: a run
    that is certainly still going while a test looks at it (no timing involved)."""

    reply: Text
    gate: threading.Event
    before: int = 1


Reply = Text | ToolCall | Error | Silent | Gated


@dataclass
class FakeOpenAI:
    url: str = ""
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    fallback: Reply = field(default_factory=lambda: Text(("OK",)))
    lock: threading.Lock = field(default_factory=threading.Lock)
    closing: threading.Event = field(default_factory=threading.Event)

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self.lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.replies.pop(0) if self.replies else self.fallback


def _chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_767_225_600,
        "model": MODEL,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _stream_events(reply: Text | ToolCall) -> Iterator[dict[str, Any]]:
    if isinstance(reply, Text):
        yield _chunk({"role": "assistant", "content": ""})
        for piece in reply.chunks:
            yield _chunk({"content": piece})
        yield _chunk({}, "stop")
    else:
        yield _chunk(
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "index": 0,
                        "id": reply.call_id,
                        "type": "function",
                        "function": {"name": reply.name, "arguments": ""},
                    }
                ],
            }
        )
        for piece in reply.argument_chunks:
            yield _chunk({"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        yield _chunk({}, "tool_calls")
    yield {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 1_767_225_600,
        "model": MODEL,
        "choices": [],
        "usage": reply.usage.wire(),
    }


def _completion(reply: Text | ToolCall) -> dict[str, Any]:
    if isinstance(reply, Text):
        message: dict[str, Any] = {"role": "assistant", "content": "".join(reply.chunks)}
        finish = "stop"
    else:
        message = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": reply.call_id,
                    "type": "function",
                    "function": {"name": reply.name, "arguments": "".join(reply.argument_chunks)},
                }
            ],
        }
        finish = "tool_calls"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_767_225_600,
        "model": MODEL,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": reply.usage.wire(),
    }


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _json(self, status: int, body: dict[str, Any]) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._json(404, {"error": {"message": "not found", "type": "invalid_request"}})
                return
            reply = fake.next_reply(body, {k.lower(): v for k, v in self.headers.items()})
            try:
                if isinstance(reply, Silent):
                    fake.closing.wait()
                    return
                if isinstance(reply, Error):
                    self._json(
                        reply.status,
                        {"error": {"message": reply.message, "type": "server_error", "code": None}},
                    )
                    return
                gated = reply if isinstance(reply, Gated) else None
                answer = gated.reply if gated is not None else reply
                assert not isinstance(answer, Gated)
                if not body.get("stream"):
                    self._json(200, _completion(answer))
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.end_headers()
                for number, event in enumerate(_stream_events(answer)):
                    if gated is not None and number == 1 + gated.before:  # after the role chunk
                        while not (gated.gate.wait(0.1) or fake.closing.is_set()):
                            pass
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (a timeout test)

    return Handler


@contextmanager
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.closing.set()  # lets a Silent handler go before the server stops
        server.shutdown()
        server.server_close()


def openai_settings(
    stack: Stack,
    data_dir: Path,
    fake: FakeOpenAI,
    *,
    api_key: str = API_KEY,
    timeout_s: float = 30.0,
) -> Settings:
    """Test settings whose model is `fake`'s, reached through the openai SDK and PydanticAI;
    no retries, so each scripted reply answers one call."""
    return make_settings(
        stack,
        data_dir,
        llm_model=f"openai:{MODEL}",
        llm_base_url=fake.url,
        llm_api_key=api_key,
        llm_timeout_s=timeout_s,
        llm_max_retries=0,
    )
