"""Deep content checks of an upload: active PDF content, image ends, binary in text, EICAR.

Each check reads the temp file the validator spooled and answers with the reason to refuse it
(written for the uploader), or None. Nothing here loads a whole large file into memory: PDFs are
walked from their catalogue without reading page contents, images are checked segment by segment.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

if TYPE_CHECKING:
    from pypdf.generic import DictionaryObject

_CHUNK = 256 * 1024

# --- PDF ---------------------------------------------------------------------------------------

# Names whose presence anywhere in the document structure means active or embedded content.
_PDF_REFUSED_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts programs",
    "/EmbeddedFile": "embedded files",
    "/EmbeddedFiles": "embedded files",
    "/RichMedia": "embedded media (Flash)",
}
_PDF_REFUSED_ACTIONS = {
    "/JavaScript": "JavaScript",
    "/Launch": "an action that starts programs",
    "/ImportData": "an action that imports data",
    "/SubmitForm": "a form that sends data away",
    "/GoToE": "embedded files",
}
_PDF_REFUSED_TYPES = {"/EmbeddedFile": "embedded files", "/RichMedia": "embedded media (Flash)"}
# Page contents, fonts, images and appearance streams cannot carry actions: never read them
# (they are most of a PDF's bytes). `/Parent` only leads back up to what was walked already.
_PDF_SKIPPED_KEYS = frozenset(
    {"/Contents", "/Resources", "/AP", "/Thumb", "/Metadata", "/Parent", "/Font"}
)
PDF_MAX_OBJECTS = 200_000


class PdfUnreadable(Exception):
    """The PDF's structure cannot be read (damaged, or encrypted with a password)."""


def pdf_active_content(path: Path) -> str | None:
    """What active content the PDF carries ("JavaScript", ...), or None when it has none."""
    # pypdf loads with the first PDF checked, not with the app (start-up time).
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        # An open file, not the path: given a path, pypdf reads the whole file into memory.
        with path.open("rb") as fh:
            reader = PdfReader(fh, strict=False)
            if reader.is_encrypted and not reader.decrypt(""):
                raise PdfUnreadable("password")
            root = reader.trailer.get("/Root")
            return _pdf_walk(reader.trailer, _opening_action(root))
    except (PdfReadError, FileNotDecryptedError, ValueError, KeyError, TypeError) as exc:
        raise PdfUnreadable(type(exc).__name__) from exc
    except (RecursionError, NotImplementedError, AttributeError, OSError) as exc:
        raise PdfUnreadable(type(exc).__name__) from exc


def _opening_action(root: Any) -> str | None:
    """An /OpenAction that is an action (not just a page to show) is refused outright."""
    from pypdf.generic import DictionaryObject, IndirectObject

    if isinstance(root, IndirectObject):
        root = root.get_object()
    if not isinstance(root, DictionaryObject):
        raise PdfUnreadable("no catalogue")
    action = root.get("/OpenAction")
    if isinstance(action, IndirectObject):
        action = action.get_object()
    if isinstance(action, DictionaryObject) and action.get("/S") != "/GoTo":
        return _pdf_dict_reason(action) or "an action that runs when it is opened"
    return None


def _pdf_walk(start: Any, found: str | None) -> str | None:
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    if found:
        return found
    seen: set[tuple[int, int]] = set()
    stack: list[Any] = [start]
    visited = 0
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            ref = (node.idnum, node.generation)
            if ref in seen:
                continue
            seen.add(ref)
            node = node.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise PdfUnreadable("too many objects")
        if isinstance(node, DictionaryObject):
            reason = _pdf_dict_reason(node)
            if reason:
                return reason
            stack.extend(v for k, v in node.items() if k not in _PDF_SKIPPED_KEYS)
        elif isinstance(node, ArrayObject):
            stack.extend(node)
    return None


def _pdf_dict_reason(node: DictionaryObject) -> str | None:
    from pypdf.generic import NameObject

    for key in node:
        if key in _PDF_REFUSED_KEYS:
            return _PDF_REFUSED_KEYS[key]
    action = node.get("/S")
    if isinstance(action, NameObject) and action in _PDF_REFUSED_ACTIONS:
        return _PDF_REFUSED_ACTIONS[action]
    for key in ("/Type", "/Subtype"):
        kind = node.get(key)
        if isinstance(kind, NameObject) and kind in _PDF_REFUSED_TYPES:
            return _PDF_REFUSED_TYPES[kind]
    return None


# --- images: where the image ends ------------------------------------------------------------


class ImageEndUnknown(Exception):
    """The image's structure ends before its end marker (truncated or malformed)."""


def image_end(path: Path, kind: str) -> int:
    """The offset just past the image's last byte, by its own structure (ImageEndUnknown else)."""
    with path.open("rb") as fh:
        try:
            return _ENDS[kind](fh)
        except (struct.error, IndexError, ValueError) as exc:
            raise ImageEndUnknown(kind) from exc


def _read(fh: BinaryIO, size: int) -> bytes:
    data = fh.read(size)
    if len(data) != size:
        raise ImageEndUnknown("short read")
    return data


def _png_end(fh: BinaryIO) -> int:
    _read(fh, 8)
    while True:
        length, kind = struct.unpack(">I4s", _read(fh, 8))
        fh.seek(length + 4, 1)  # data and CRC (Pillow's decode checks the CRCs)
        if kind == b"IEND":
            _read(fh, 0)
            return fh.tell()
        if length > 2**31:
            raise ImageEndUnknown("chunk length")


def _jpeg_end(fh: BinaryIO) -> int:
    if _read(fh, 2) != b"\xff\xd8":
        raise ImageEndUnknown("no SOI")
    while True:
        marker = _read(fh, 2)
        while marker[1] == 0xFF:  # fill bytes before a marker
            marker = marker[1:] + _read(fh, 1)
        if marker[0] != 0xFF:
            raise ImageEndUnknown("not a marker")
        code = marker[1]
        if code == 0xD9:
            return fh.tell()
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            continue
        (length,) = struct.unpack(">H", _read(fh, 2))
        fh.seek(length - 2, 1)
        if code == 0xDA:
            _skip_entropy_coded(fh)


def _skip_entropy_coded(fh: BinaryIO) -> None:
    """Move to the first real marker after a scan (0xFF00 stuffing and RSTn are scan data)."""
    while True:
        start = fh.tell()
        block = fh.read(_CHUNK)
        if len(block) < 2:
            raise ImageEndUnknown("scan without end")
        at = 0
        while (at := block.find(b"\xff", at)) != -1 and at + 1 < len(block):
            follower = block[at + 1]
            if follower == 0x00 or follower == 0xFF or 0xD0 <= follower <= 0xD7:
                at += 1
                continue
            fh.seek(start + at)
            return
        # Resume one byte early so a 0xFF at the block's end is seen with its follower.
        fh.seek(start + len(block) - 1)


def _gif_end(fh: BinaryIO) -> int:
    header = _read(fh, 13)
    flags = header[10]
    if flags & 0x80:
        fh.seek(3 * (2 ** ((flags & 7) + 1)), 1)
    while True:
        block = _read(fh, 1)[0]
        if block == 0x3B:
            return fh.tell()
        if block == 0x21:
            _read(fh, 1)
        elif block == 0x2C:
            descriptor = _read(fh, 9)
            if descriptor[8] & 0x80:
                fh.seek(3 * (2 ** ((descriptor[8] & 7) + 1)), 1)
            _read(fh, 1)  # LZW minimum code size
        else:
            raise ImageEndUnknown("unknown block")
        while size := _read(fh, 1)[0]:
            fh.seek(size, 1)


def _webp_end(fh: BinaryIO) -> int:
    riff, size, webp = struct.unpack("<4sI4s", _read(fh, 12))
    if riff != b"RIFF" or webp != b"WEBP":
        raise ImageEndUnknown("not RIFF WEBP")
    return 8 + int(size) + (int(size) & 1)


def _bmp_end(fh: BinaryIO) -> int:
    magic, size = struct.unpack("<2sI", _read(fh, 6))
    if magic != b"BM":
        raise ImageEndUnknown("not BMP")
    # Some writers leave the size at 0: then the decoder's own checks are all there is.
    return int(size) if size else fh.seek(0, 2)


_ENDS = {"png": _png_end, "jpeg": _jpeg_end, "gif": _gif_end, "webp": _webp_end, "bmp": _bmp_end}


# --- text ----------------------------------------------------------------------------------

# The EICAR anti-virus test file: harmless, but every scanner flags it, and so do we.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
# C0 controls that never appear in text people write: tab, newlines, form feed and the old
# DOS end-of-file mark (0x1A) are allowed; NUL and the rest (terminal escapes...) are binary.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x19\x1b-\x1f\x7f]")


def text_problem(path: Path) -> str | None:
    """ "binary" when the text holds control bytes, "eicar" for the test virus, else None."""
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            if _BINARY.search(chunk):
                return "binary"
            window = tail + chunk
            if EICAR in window:
                return "eicar"
            tail = window[-(len(EICAR) - 1) :]
    return None
