"""A fake AI image service on 127.0.0.1 speaking the real wire formats.

It answers OpenAI's `POST /v1/images/generations` and Google's `:predict` (Imagen) and
`:generateContent` (Gemini), and serves `GET /files/...` for answers that carry a URL instead of
the image. `mode` chooses how it misbehaves; `hold` makes it hang until the test ends.
"""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

MAGENTA = (255, 0, 255)


def image_bytes(rgb: tuple[int, int, int], size: tuple[int, int], fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, rgb).save(buffer, fmt)
    return buffer.getvalue()


@dataclass
class FakeImageService:
    """Modes: ok | error | empty | url | url_missing | url_ftp | garbage | not_image | not_json |
    no_image (Google answers without one) | hang; `fmt` is the image format it returns."""

    port: int = 0
    mode: str = "ok"
    fmt: str = "PNG"
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def artwork(self, body: dict[str, Any]) -> bytes:
        portrait = "portrait" in json.dumps(body) or "9:16" in json.dumps(body)
        return image_bytes(MAGENTA, (64, 96) if portrait else (96, 64), self.fmt)

    def encoded(self, body: dict[str, Any]) -> str:
        if self.mode == "garbage":
            return "this is not base64 !!"
        if self.mode == "not_image":
            return base64.b64encode(b"plain text, not a picture").decode()
        return base64.b64encode(self.artwork(body)).decode()

    def answer(self, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        if self.mode == "error":
            return 500, {"error": {"message": "the model is overloaded", "type": "server_error"}}
        if path.endswith("/images/generations"):
            if self.mode == "empty":
                return 200, {"created": 1_700_000_000, "data": []}
            if self.mode in ("url", "url_missing", "url_ftp"):
                name = {"url": "art.png", "url_missing": "missing.png"}.get(self.mode)
                link = f"{self.url}/files/{name}" if name else "ftp://images.example/art.png"
                return 200, {"created": 1_700_000_000, "data": [{"url": link}]}
            return 200, {"created": 1_700_000_000, "data": [{"b64_json": self.encoded(body)}]}
        if self.mode == "no_image":
            return 200, {"candidates": [{"content": {"parts": [{"text": "I cannot draw that"}]}}]}
        if path.endswith(":predict"):
            encoded = self.encoded(body)
            return 200, {"predictions": [{"bytesBase64Encoded": encoded, "mimeType": "image/png"}]}
        if path.endswith(":generateContent"):
            part = {"inlineData": {"mimeType": "image/png", "data": self.encoded(body)}}
            return 200, {"candidates": [{"content": {"parts": [{"text": "here"}, part]}}]}
        return 404, {"error": {"message": "no such route"}}


@contextmanager
def fake_image_service() -> Iterator[FakeImageService]:
    fake = FakeImageService()

    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/files/art.png":
                self._send(200, fake.artwork({}), "image/png")
            else:
                self._send(404, b"not found", "text/plain")

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            body = json.loads(raw or b"{}")
            fake.requests.append((self.path, body, {k.lower(): v for k, v in self.headers.items()}))
            if fake.mode == "hang":
                fake.release.wait(120)  # until the test ends: the client's timeout fires first
                return
            if fake.mode == "not_json":
                self._send(200, b"<html>maintenance</html>", "text/html")
                return
            status, answer = fake.answer(self.path.split("?")[0], body)
            self._send(status, json.dumps(answer).encode(), "application/json")

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_port
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
