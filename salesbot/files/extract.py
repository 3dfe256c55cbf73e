"""Plain text from uploaded documents, bounded so a huge file cannot flood the assistant.

Blocking (file I/O and parsing): call it from a worker thread. Reading stops as soon as the
limit is reached, so the cost follows `limit`, not the file size, wherever the format allows.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

TRUNCATED_MARKER = "[truncated]"
DEFAULT_LIMIT = 20_000
EXTRACTABLE_KINDS = frozenset({"pdf", "docx", "xlsx", "pptx", "csv", "txt"})

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main}"  # expat's "ns}tag"
_XML_CHUNK = 64 * 1024
_TEXT_CHUNK = 64 * 1024


class ExtractionError(ValueError):
    """The text of a file could not be read."""


class _Full(Exception):
    """Raised inside a reader once the collector holds `limit` characters."""


class _Collector:
    """Accumulates text up to `limit` characters and remembers whether more was offered."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._parts: list[str] = []
        self._size = 0
        self.truncated = False

    def add(self, text: str) -> None:
        room = self.limit - self._size
        if len(text) > room:
            self._parts.append(text[:room])
            self._size = self.limit
            if text[room:].strip():  # trailing blank lines are not lost content
                self.truncated = True
                raise _Full
            return
        self._parts.append(text)
        self._size += len(text)

    def reset(self) -> None:
        self._parts.clear()
        self._size = 0
        self.truncated = False

    def result(self) -> str:
        text = "".join(self._parts).rstrip()
        return f"{text}\n{TRUNCATED_MARKER}" if self.truncated else text


def extract_text(path: Path, kind: str, limit: int = DEFAULT_LIMIT) -> str:
    """At most `limit` characters of text, followed by "\\n[truncated]" when there was more."""
    if limit < 1:
        raise ValueError("limit must be positive")
    reader = _READERS.get(kind)
    if reader is None:
        raise ExtractionError("Text cannot be read from this kind of file")
    out = _Collector(limit)
    try:
        with contextlib.suppress(_Full):  # the collector already holds all that was asked for
            reader(path, out)
    except ExtractionError:
        raise
    except Exception as exc:
        # Parsers of untrusted files fail in many ways (zip, XML, PDF, openpyxl errors...).
        raise ExtractionError("The text of this file could not be read") from exc
    return out.result()


def _pdf(path: Path, out: _Collector) -> None:
    from pypdf import PdfReader  # parsers load on first use: start-up stays fast

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise ExtractionError("This PDF is password-protected")
    for number, page in enumerate(reader.pages, start=1):
        if number > 1:
            out.add("\n\n")
        out.add(page.extract_text() or "")


def _refuse_dtd(*_: object) -> None:
    # A DTD is never needed in OOXML and is how entity-expansion attacks start.
    raise ExtractionError("The document contains a DTD, which is not allowed")


def _docx(path: Path, out: _Collector) -> None:
    """Text runs of word/document.xml, paragraphs on their own lines, streamed with expat."""
    parser = expat.ParserCreate(namespace_separator="}")
    in_text = False

    def start(tag: str, _attrs: dict[str, str]) -> None:
        nonlocal in_text
        if tag == _W + "t":
            in_text = True
        elif tag == _W + "tab":
            out.add("\t")
        elif tag in (_W + "br", _W + "cr"):
            out.add("\n")

    def end(tag: str) -> None:
        nonlocal in_text
        if tag == _W + "t":
            in_text = False
        elif tag == _W + "p":
            out.add("\n")

    def characters(data: str) -> None:
        if in_text:
            out.add(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    with zipfile.ZipFile(path) as archive, archive.open("word/document.xml") as xml:
        while chunk := xml.read(_XML_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _xlsx(path: Path, out: _Collector) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for number, sheet in enumerate(workbook.worksheets):
            out.add(f"{chr(10) if number else ''}## {sheet.title}\n")
            for row in sheet.iter_rows(values_only=True):
                cells = [_cell_text(value) for value in row]
                while cells and not cells[-1]:
                    cells.pop()
                if cells:
                    out.add("\t".join(cells) + "\n")
    finally:
        workbook.close()


def _shape_texts(shapes: Iterable[Any]) -> Iterator[str]:
    for shape in shapes:
        if getattr(shape, "has_text_frame", False):
            text: str = shape.text_frame.text
            if text.strip():
                yield text
        if getattr(shape, "has_table", False):
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)
        if hasattr(shape, "shapes"):  # a group: its children carry the text
            yield from _shape_texts(shape.shapes)


def _pptx(path: Path, out: _Collector) -> None:
    from pptx import Presentation

    presentation = Presentation(str(path))
    for number, slide in enumerate(presentation.slides, start=1):
        out.add(f"{chr(10) if number > 1 else ''}## Slide {number}\n")
        for text in _shape_texts(slide.shapes):
            out.add(text + "\n")


def _read_into(path: Path, out: _Collector, encoding: str) -> None:
    with path.open(encoding=encoding) as fh:
        out.add(fh.read(out.limit))
        # Past the limit only blank text may follow without marking truncation; the
        # collector raises _Full at the first non-blank character.
        while chunk := fh.read(_TEXT_CHUNK):
            out.add(chunk)


def _plain_text(path: Path, out: _Collector, *, latin1_fallback: bool) -> None:
    try:
        _read_into(path, out, "utf-8-sig")
    except UnicodeDecodeError:
        if not latin1_fallback:
            raise ExtractionError("The text of this file is not UTF-8") from None
        out.reset()
        _read_into(path, out, "latin-1")


def _csv(path: Path, out: _Collector) -> None:
    _plain_text(path, out, latin1_fallback=True)


def _txt(path: Path, out: _Collector) -> None:
    _plain_text(path, out, latin1_fallback=False)


_READERS = {
    "pdf": _pdf,
    "docx": _docx,
    "xlsx": _xlsx,
    "pptx": _pptx,
    "csv": _csv,
    "txt": _txt,
}
