"""A multipart/form-data body read as file parts whose bytes stream in as they arrive.

python-multipart's push parser is fed one received chunk at a time, so memory stays at about
one chunk however large the files are (unlike `request.form()`, which spools every file).
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from salesbot.kit.errors import AppError


class UnsupportedUpload(AppError, status=415, code="unsupported_media_type"):
    """The body is not multipart/form-data."""


class MalformedUpload(AppError, status=422, code="malformed_upload"):
    """The multipart body is broken, incomplete or has a part in the wrong field."""


class UploadInterrupted(AppError, status=400, code="upload_interrupted"):
    """The client went away before the body was complete."""


@dataclass
class FilePart:
    """One file of a multipart body; `chunks` yields its bytes as they arrive."""

    filename: str
    content_type: str | None
    chunks: AsyncIterable[bytes]


def form_boundary(content_type: str | None, field: str) -> bytes:
    """The boundary of a multipart/form-data body, or UnsupportedUpload."""
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary or len(boundary) > 200:
        raise UnsupportedUpload(
            f"Send files as multipart/form-data in a form field named '{field}'."
        )
    return boundary


class MultipartFiles:
    """The file parts of a multipart body whose files are all sent in form field `field`."""

    def __init__(self, body: AsyncIterator[bytes], boundary: bytes, field: str) -> None:
        self._body = body
        self._field = field
        self._events: deque[tuple[str, Any]] = deque()
        self._finished_body = False
        self._headers: list[tuple[bytes, bytes]] = []
        self._name = b""
        self._value = b""
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._on_part_begin,
                "on_header_field": self._on_header_field,
                "on_header_value": self._on_header_value,
                "on_header_end": self._on_header_end,
                "on_headers_finished": self._on_headers_finished,
                "on_part_data": self._on_part_data,
                "on_part_end": self._on_part_end,
                "on_end": self._on_end,
            },
        )

    def _on_part_begin(self) -> None:
        self._headers = []

    def _on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def _on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._headers.append((self._name.lower(), self._value))
        self._name = self._value = b""

    def _on_headers_finished(self) -> None:
        self._events.append(("part", self._headers))

    def _on_part_data(self, data: bytes, start: int, end: int) -> None:
        if end > start:
            self._events.append(("data", data[start:end]))

    def _on_part_end(self) -> None:
        self._events.append(("part_end", None))

    def _on_end(self) -> None:
        self._events.append(("end", None))

    async def _next(self) -> tuple[str, Any]:
        while not self._events:
            if self._finished_body:
                raise MalformedUpload("The upload ended before it was complete.")
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._finished_body = True
                continue
            try:
                self._parser.write(chunk)
            except MultipartParseError:
                raise MalformedUpload("The upload is not a valid multipart form.") from None
        return self._events.popleft()

    async def _part_data(self) -> AsyncIterator[bytes]:
        while True:
            event, value = await self._next()
            if event == "part_end":
                return
            if event != "data":
                raise MalformedUpload("The upload is not a valid multipart form.")
            yield value

    async def parts(self) -> AsyncIterator[FilePart]:
        while True:
            event, value = await self._next()
            if event == "end":
                return
            if event != "part":
                raise MalformedUpload("The upload is not a valid multipart form.")
            filename, content_type = self._file_part(value)
            data = self._part_data()
            yield FilePart(filename, content_type, data)
            # A consumer that stopped early leaves the rest of the part: skip it.
            async for _ in data:
                pass

    def _file_part(self, headers: list[tuple[bytes, bytes]]) -> tuple[str, str | None]:
        values = dict(headers)
        _, options = parse_options_header(values.get(b"content-disposition"))
        filename = options.get(b"filename")
        if options.get(b"name") != self._field.encode() or filename is None:
            raise MalformedUpload(f"Send each file in a form field named '{self._field}'.")
        declared = values.get(b"content-type")
        # Browsers send UTF-8 names; the header parser hands them over as latin-1 bytes.
        return (
            filename.decode("utf-8", errors="replace"),
            declared.decode("latin-1") if declared is not None else None,
        )
