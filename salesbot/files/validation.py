"""Upload validation: stream to a temp file, then prove the content is what its name claims.

Nothing here trusts the client: the declared MIME type is only recorded, the extension must
agree with what libmagic finds in the bytes, and each kind gets a structural check of its own.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import magic
from anyio import to_thread

from salesbot.files import content
from salesbot.kit.clamd import ClamdClient, ScannerUnavailable

KIB = 1024
MIB = 1024 * KIB
GIB = 1024 * MIB

DEFAULT_MAX_PIXELS = 50_000_000
MAX_FILENAME_LENGTH = 120
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_RATIO = 100  # office XML compresses 5-20x; bombs compress 1000x
MAX_ZIP_UNCOMPRESSED = 2 * GIB
MAX_FRAMES = 2_000  # animated GIF/WebP frames decoded per image
_WRITE_BATCH = MIB  # chunks are batched so a thread hop moves at least this much
_READ_CHUNK = 256 * KIB
_SNIFF_BYTES = MIB
_MAX_CONTENT_TYPES_PART = MIB
_OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


class FileRejected(ValueError):
    """An upload refused for a reason the uploader can act on; `code` is machine-readable.

    Codes: file_too_large, file_empty, file_type_not_allowed, file_invalid, image_too_large,
    file_active_content (scripts, launch actions, embedded files, appended data), file_infected
    (a virus or the EICAR test file), scan_unavailable (the configured scanner did not answer).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str  # what we serve it as, whatever the client claimed
    label: str
    sniffed: frozenset[str]  # libmagic answers that agree with this kind


_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# Some producers order zip entries so that libmagic only sees a plain zip; the structure
# check below then decides whether it really is the office file.
_ZIP = "application/zip"


def _kind(name: str, content_type: str, label: str, *sniffed: str) -> FileKind:
    return FileKind(name, content_type, label, frozenset(sniffed or (content_type,)))


KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        _kind("jpeg", "image/jpeg", "JPEG image"),
        _kind("png", "image/png", "PNG image"),
        _kind("gif", "image/gif", "GIF image"),
        _kind("webp", "image/webp", "WebP image"),
        _kind("bmp", "image/bmp", "BMP image", "image/bmp", "image/x-ms-bmp"),
        _kind("pdf", "application/pdf", "PDF document"),
        _kind("xlsx", _XLSX, "Excel workbook", _XLSX, _ZIP),
        _kind("xls", "application/vnd.ms-excel", "Excel 97-2003 workbook"),
        _kind("csv", "text/csv", "CSV file", "text/plain", "text/csv", "application/csv"),
        _kind("docx", _DOCX, "Word document", _DOCX, _ZIP),
        _kind("pptx", _PPTX, "PowerPoint presentation", _PPTX, _ZIP),
        _kind("txt", "text/plain", "text file", "text/plain"),
    )
}

EXTENSIONS: dict[str, str] = {
    "jpg": "jpeg",
    "jpeg": "jpeg",
    "png": "png",
    "gif": "gif",
    "webp": "webp",
    "bmp": "bmp",
    "pdf": "pdf",
    "xlsx": "xlsx",
    "xls": "xls",
    "csv": "csv",
    "docx": "docx",
    "pptx": "pptx",
    "txt": "txt",
}

_IMAGE_FORMATS = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "bmp": "BMP"}
_OFFICE_MAIN_PART = {
    "xlsx": "xl/workbook.xml",
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
}
# Text-like answers that are active content rather than text, even in a .txt or .csv.
_ACTIVE_TEXT = frozenset({"text/html", "text/xml", "text/javascript", "text/ecmascript"})

_DESCRIPTIONS = {
    "text/html": "HTML content",
    "text/xml": "XML content",
    "application/xml": "XML content",
    "image/svg+xml": "SVG image",
    "text/javascript": "JavaScript code",
    "application/javascript": "JavaScript code",
    "image/x-ms-bmp": "BMP image",
    "application/zip": "ZIP archive",
    "application/x-dosexec": "Windows program",
    "application/vnd.microsoft.portable-executable": "Windows program",
    "application/x-msdownload": "Windows program",
    "application/x-executable": "Linux program",
    "application/x-sharedlib": "Linux program",
    "application/x-pie-executable": "Linux program",
    "application/x-ole-storage": "password-protected or old-format Office file",
    "application/CDFV2": "password-protected or old-format Office file",
    "application/encrypted": "password-protected file",
    "application/msword": "Word 97-2003 document",
    "application/vnd.ms-powerpoint": "PowerPoint 97-2003 presentation",
    "application/gzip": "compressed archive",
    "application/x-7z-compressed": "compressed archive",
    "application/x-rar": "compressed archive",
    "application/x-tar": "compressed archive",
    "application/json": "JSON data",
}


@dataclass(frozen=True)
class ValidatedFile:
    """An accepted upload waiting in a temp file that the caller now owns and must move."""

    path: Path
    filename: str
    kind: str
    content_type: str
    size: int
    sha256: str
    declared_type: str | None = None  # recorded for the log only, never trusted
    text_encoding: str | None = None  # csv/txt: utf-8, utf-8-sig or latin-1
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class _Findings:
    text_encoding: str | None = None
    width: int | None = None
    height: int | None = None


_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*]')
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(r"\s+")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def sanitise_filename(name: str) -> str:
    """A display-safe file name: no path, `..`, control or format characters; ≤ 120 chars."""
    # Whitespace controls (tab, CR/LF) become spaces; other Cc such as NUL go, and so does Cf,
    # which holds the right-to-left override used to fake extensions.
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if ch.isspace() or unicodedata.category(ch) not in _DROPPED_CATEGORIES
    )
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME_CHARS.sub("_", name)
    name = _DOTS.sub(".", name)
    # Leading dots would hide the file; trailing dots and spaces are dropped by Windows.
    name = _SPACES.sub(" ", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and len(ext) <= 10:
            keep = MAX_FILENAME_LENGTH - len(ext) - 1
            name = f"{stem[:keep].rstrip(' .') or 'file'}.{ext}"
        else:
            name = name[:MAX_FILENAME_LENGTH].rstrip(" .")
    return name or "file"


def extension_of(filename: str) -> str:
    stem, dot, ext = filename.rpartition(".")
    return ext.lower() if dot and stem else ""


def kind_for_filename(filename: str) -> FileKind:
    """The allowed kind named by the (sanitised) file name's extension, else FileRejected."""
    ext = extension_of(filename)
    if not ext:
        raise FileRejected(
            "file_type_not_allowed", "File type not allowed: the name has no extension"
        )
    kind = EXTENSIONS.get(ext)
    if kind is None:
        raise FileRejected("file_type_not_allowed", f"File type not allowed: .{ext[:10]} files")
    return KINDS[kind]


def format_size(n_bytes: int, *, round_up: bool = True) -> str:
    """`262144000` → `250 MB`; one decimal when needed, rounded away from the limit."""
    for unit, scale in (("GB", GIB), ("MB", MIB), ("KB", KIB)):
        if n_bytes >= scale:
            tenths = -(-n_bytes * 10 // scale) if round_up else n_bytes * 10 // scale
            whole, fraction = divmod(tenths, 10)
            return f"{whole}.{fraction} {unit}" if fraction else f"{whole} {unit}"
    return f"{n_bytes} bytes"


def _megapixels(pixels: int, *, round_up: bool) -> str:
    tenths = -(-pixels * 10 // 1_000_000) if round_up else pixels * 10 // 1_000_000
    whole, fraction = divmod(tenths, 10)
    return f"{whole}.{fraction}" if fraction else str(whole)


def _too_large(limit: int, size: int | None = None) -> FileRejected:
    shown = format_size(size) if size is not None else f"over {format_size(limit, round_up=False)}"
    return FileRejected(
        "file_too_large", f"File too large: {shown}, limit {format_size(limit, round_up=False)}"
    )


def _clean_declared_type(declared_type: str | None) -> str | None:
    if declared_type is None:
        return None
    printable = "".join(ch for ch in declared_type[:100] if ch.isprintable())
    return printable or None


async def receive_upload(
    stream: AsyncIterable[bytes],
    filename: str,
    declared_type: str | None,
    tmp_dir: Path,
    max_bytes: int,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    declared_size: int | None = None,
    scanner: ClamdClient | None = None,
) -> ValidatedFile:
    """Spool `stream` to a temp file in `tmp_dir` and validate it; FileRejected if refused.

    With a `scanner`, clamd scans the file after the content checks. The temp file is removed
    on every failure (rejection, stream error, cancellation); on success it is handed to the
    caller in the result.
    """
    name = sanitise_filename(filename)
    kind = kind_for_filename(name)
    if declared_size is not None and declared_size > max_bytes:
        raise _too_large(max_bytes, declared_size)
    await to_thread.run_sync(lambda: tmp_dir.mkdir(parents=True, exist_ok=True))
    # Created on the loop thread: a cancelled worker thread could otherwise lose the name.
    fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-", suffix=".part")
    path = Path(tmp_name)
    try:
        size, digest = await _spool(stream, os.fdopen(fd, "wb"), max_bytes)
        if size == 0:
            raise FileRejected("file_empty", "The file is empty")
        found = await to_thread.run_sync(_inspect, path, kind, extension_of(name), max_pixels)
        if scanner is not None:
            await _scan(scanner, path)
    except BaseException:
        # Synchronous on purpose: after a cancellation no further await would run.
        path.unlink(missing_ok=True)  # noqa: ASYNC240
        raise
    return ValidatedFile(
        path=path,
        filename=name,
        kind=kind.name,
        content_type=kind.content_type,
        size=size,
        sha256=digest,
        declared_type=_clean_declared_type(declared_type),
        text_encoding=found.text_encoding,
        width=found.width,
        height=found.height,
    )


async def _scan(scanner: ClamdClient, path: Path) -> None:
    try:
        signature = await scanner.scan_file(path)
    except ScannerUnavailable as exc:
        raise FileRejected(
            "scan_unavailable",
            "The virus scanner is not answering, so the file was not stored; "
            "please try again in a few minutes",
        ) from exc
    if signature is not None:
        shown = "".join(ch for ch in signature[:80] if ch.isprintable())
        raise FileRejected(
            "file_infected", f"The virus scanner found {shown} in this file; it was not stored"
        )


async def _spool(stream: AsyncIterable[bytes], fh: BinaryIO, max_bytes: int) -> tuple[int, str]:
    """Write the stream out, hashing as it goes; stop at the first byte over the limit."""
    hasher = hashlib.sha256()
    total = 0
    pending: list[bytes] = []
    pending_size = 0
    with fh:
        async for chunk in stream:
            total += len(chunk)
            if total > max_bytes:
                raise _too_large(max_bytes)
            pending.append(chunk)
            pending_size += len(chunk)
            if pending_size >= _WRITE_BATCH:
                await to_thread.run_sync(_write, fh, hasher, b"".join(pending))
                pending.clear()
                pending_size = 0
        if pending:
            await to_thread.run_sync(_write, fh, hasher, b"".join(pending))
    return total, hasher.hexdigest()


def _write(fh: BinaryIO, hasher: hashlib._Hash, data: bytes) -> None:
    hasher.update(data)
    fh.write(data)


@functools.cache
def _sniffer() -> magic.Magic:
    """One shared libmagic handle (python-magic serialises calls on it with a lock)."""
    sniffer = magic.Magic(mime=True)
    # libmagic reads the file itself, up to this many bytes: far more than the 2 KB that
    # misreads zip-based and text formats, far less than its 7 MiB default per upload.
    sniffer.setparam(magic.MAGIC_PARAM_BYTES_MAX, _SNIFF_BYTES)
    return sniffer


def _inspect(path: Path, kind: FileKind, ext: str, max_pixels: int) -> _Findings:
    """Sniff the bytes on disk, check they agree with the extension, then check the kind."""
    try:
        sniffed = str(_sniffer().from_file(str(path)))
    except magic.MagicException as exc:
        raise FileRejected("file_invalid", "The file could not be read") from exc
    if not _agrees(kind, sniffed):
        described = _describe(sniffed, path)
        raise FileRejected(
            "file_type_not_allowed", f"File type not allowed: {described} in a .{ext} file"
        )
    if kind.name in _IMAGE_FORMATS:
        return _check_image(path, kind, max_pixels)
    if kind.name in _OFFICE_MAIN_PART:
        _check_office_zip(path, kind)
    elif kind.name in ("csv", "txt"):
        return _Findings(text_encoding=_check_text(path, kind))
    elif kind.name == "pdf":
        _check_header(path, b"%PDF-", kind)
        _check_pdf(path, kind)
    elif kind.name == "xls":
        _check_header(path, _OLE2_SIGNATURE, kind)
    return _Findings()


def _agrees(kind: FileKind, sniffed: str) -> bool:
    if kind.name in ("csv", "txt"):
        # libmagic sometimes guesses a programming language for plain text (text/x-c...).
        return sniffed in kind.sniffed or (
            sniffed.startswith("text/") and sniffed not in _ACTIVE_TEXT
        )
    return sniffed in kind.sniffed


def _describe(sniffed: str, path: Path) -> str:
    for kind in KINDS.values():
        if sniffed == kind.content_type:
            return kind.label
    if sniffed in _DESCRIPTIONS:
        return _DESCRIPTIONS[sniffed]
    with path.open("rb") as fh:
        head = fh.read(4)
    if head.startswith(b"MZ"):
        return "Windows program"
    if head == b"\x7fELF":
        return "Linux program"
    major = sniffed.split("/", 1)[0]
    if major in ("image", "video", "audio"):
        return f"{major} file"
    return "unrecognised content"


def _invalid(kind: FileKind, reason: str) -> FileRejected:
    return FileRejected("file_invalid", f"The {kind.label} {reason}")


def _check_header(path: Path, signature: bytes, kind: FileKind) -> None:
    with path.open("rb") as fh:
        if fh.read(len(signature)) != signature:
            raise _invalid(kind, "is damaged: its header is missing")


def _check_image(path: Path, kind: FileKind, max_pixels: int) -> _Findings:
    from PIL import Image, ImageSequence  # with the first image upload, not at start-up

    limit = f"limit {_megapixels(max_pixels, round_up=False)} megapixels"
    try:
        # Image.open parses the header only; nothing is decoded before the pixel check.
        with Image.open(path, formats=[_IMAGE_FORMATS[kind.name]]) as image:
            width, height = image.size
            if width * height > max_pixels:
                shown = _megapixels(width * height, round_up=True)
                raise FileRejected(
                    "image_too_large", f"Image too large: {shown} megapixels, {limit}"
                )
            # Decoding every pixel of every frame finds truncated and corrupt data that a
            # header or checksum check alone lets through.
            for frame_count, _frame in enumerate(ImageSequence.Iterator(image), start=1):
                if frame_count > MAX_FRAMES:
                    raise _invalid(kind, f"has too many frames (over {MAX_FRAMES:,})")
                image.load()
        end = content.image_end(path, kind.name)
    except Image.DecompressionBombError as exc:
        # Pillow's own guard fires at twice its MAX_IMAGE_PIXELS, far above ours.
        floor = 2 * (Image.MAX_IMAGE_PIXELS or max_pixels)
        shown = _megapixels(floor, round_up=False)
        raise FileRejected(
            "image_too_large", f"Image too large: over {shown} megapixels, {limit}"
        ) from exc
    except FileRejected:
        raise
    except Exception as exc:
        # Pillow reports broken images with many exception types (OSError, SyntaxError...).
        raise _invalid(kind, "is damaged or incomplete") from exc
    if end < path.stat().st_size:
        # A second file glued after the image (a "polyglot"): shown as a picture, run as code.
        raise FileRejected(
            "file_active_content",
            f"The {kind.label} has extra data hidden after the picture and was not stored; "
            "save the picture again (for example as a new export) and upload that",
        )
    return _Findings(width=width, height=height)


def _check_pdf(path: Path, kind: FileKind) -> None:
    try:
        reason = content.pdf_active_content(path)
    except content.PdfUnreadable as exc:
        if str(exc) == "password":
            message = "is password-protected; remove the password and upload it again"
            raise _invalid(kind, message) from exc
        raise _invalid(kind, "is damaged and cannot be read") from exc
    if reason:
        raise FileRejected(
            "file_active_content",
            f"The PDF document contains {reason}, which is not allowed in uploads; save it "
            "again without it (for example with Print to PDF) and upload that",
        )


def _unsafe_member(name: str) -> bool:
    normal = name.replace("\\", "/")
    return (
        not normal
        or normal.startswith("/")
        or re.match(r"[A-Za-z]:", normal) is not None
        or "\x00" in normal
        or ".." in normal.split("/")
    )


def _check_office_zip(path: Path, kind: FileKind) -> None:
    """A sane OOXML package: bounded entries and expansion, safe names, the expected parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_ENTRIES:
                raise _invalid(kind, f"has too many parts (over {MAX_ZIP_ENTRIES:,})")
            names: set[str] = set()
            compressed = uncompressed = 0
            for member in members:
                if _unsafe_member(member.filename) or member.filename in names:
                    raise _invalid(kind, "contains unsafe or duplicate part names")
                if member.flag_bits & 0x1:
                    raise _invalid(kind, "is password-protected")
                names.add(member.filename)
                compressed += member.compress_size
                uncompressed += member.file_size
            # zipfile never inflates an entry past its declared size, so these totals bound
            # what any reader of this file will ever unpack.
            if uncompressed > MAX_ZIP_UNCOMPRESSED or uncompressed > MAX_ZIP_RATIO * max(
                compressed, 1
            ):
                raise _invalid(kind, "expands to an unsafe size (possible zip bomb)")
            main_part = _OFFICE_MAIN_PART[kind.name]
            if "[Content_Types].xml" not in names or main_part not in names:
                raise _invalid(kind, "is damaged or is not really this kind of file")
            content_types = archive.getinfo("[Content_Types].xml")
            if content_types.file_size > _MAX_CONTENT_TYPES_PART:
                raise _invalid(kind, "is damaged or is not really this kind of file")
            archive.read(content_types)  # proves the archive inflates and its CRC holds
    except FileRejected:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError) as exc:
        raise _invalid(kind, "is damaged or incomplete") from exc


def _check_text(path: Path, kind: FileKind) -> str:
    """Valid UTF-8 (BOM allowed) without NUL; a csv may fall back to latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    is_utf8 = True
    with path.open("rb") as fh:
        starts_with_bom = fh.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8
        fh.seek(0)
        while chunk := fh.read(_READ_CHUNK):
            if b"\x00" in chunk:
                raise _invalid(kind, "contains binary data, not text")
            if is_utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    is_utf8 = False
        if is_utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                is_utf8 = False
    problem = content.text_problem(path)
    if problem == "binary":
        raise _invalid(kind, "contains binary data, not text")
    if problem == "eicar":
        raise FileRejected(
            "file_infected",
            f"The {kind.label} contains a virus test signature (EICAR) and was not stored",
        )
    if is_utf8:
        return "utf-8-sig" if starts_with_bom else "utf-8"
    if kind.name == "csv":
        return "latin-1"
    raise _invalid(kind, "is not UTF-8 text; save it as UTF-8 and upload it again")
