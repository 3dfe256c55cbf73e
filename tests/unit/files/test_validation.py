import asyncio
import hashlib
import io
import os
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from salesbot.files.validation import (
    DEFAULT_MAX_PIXELS,
    FileRejected,
    ValidatedFile,
    receive_upload,
)

from .samples import (
    docx_bytes,
    image_bytes,
    pdf_bytes,
    png_header_only,
    pptx_bytes,
    stream_of,
    xls_bytes,
    xlsx_bytes,
    zip_bomb_xlsx,
)

MIB = 1024 * 1024
LIMIT = 10 * MIB


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path / "uploads"


async def upload(
    data: bytes,
    name: str,
    tmp_dir: Path,
    *,
    declared: str | None = None,
    max_bytes: int = LIMIT,
    **kwargs: Any,
) -> ValidatedFile:
    return await receive_upload(stream_of(data), name, declared, tmp_dir, max_bytes, **kwargs)


async def rejected(data: bytes, name: str, tmp_dir: Path, **kwargs) -> FileRejected:
    """Upload, expect a rejection, and check that nothing was left behind."""
    with pytest.raises(FileRejected) as info:
        await upload(data, name, tmp_dir, **kwargs)
    assert not tmp_dir.exists() or list(tmp_dir.iterdir()) == []
    return info.value


# --- accepted: one real file of every allowed kind ---------------------------------------

ACCEPTED = [
    ("photo.jpg", lambda: image_bytes("JPEG"), "jpeg", "image/jpeg"),
    ("photo.JPEG", lambda: image_bytes("JPEG"), "jpeg", "image/jpeg"),
    ("board.png", lambda: image_bytes("PNG"), "png", "image/png"),
    ("anim.gif", lambda: image_bytes("GIF"), "gif", "image/gif"),
    ("site.webp", lambda: image_bytes("WEBP"), "webp", "image/webp"),
    ("scan.bmp", lambda: image_bytes("BMP"), "bmp", "image/bmp"),
    ("rate card.pdf", lambda: pdf_bytes(["Rate card 2025"]), "pdf", "application/pdf"),
    (
        "inventory.xlsx",
        lambda: xlsx_bytes({"Sites": [["Name", "Rate"], ["Dubai Mall", 1000]]}),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("legacy.xls", xls_bytes, "xls", "application/vnd.ms-excel"),
    ("sites.csv", lambda: b"name,city\nDubai Mall,Dubai\n", "csv", "text/csv"),
    (
        "brief.docx",
        lambda: docx_bytes(["Campaign brief"]),
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "deck.pptx",
        lambda: pptx_bytes([["Proposal"]]),
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("notes.txt", lambda: "Client wants Q3 \u2014 Dubaï\n".encode(), "txt", "text/plain"),
]


@pytest.mark.parametrize(("name", "build", "kind", "content_type"), ACCEPTED)
async def test_each_allowed_kind_is_accepted(tmp_dir: Path, name, build, kind, content_type):
    data = build()
    result = await upload(data, name, tmp_dir, declared="application/octet-stream")
    assert result.kind == kind
    assert result.content_type == content_type
    assert result.filename == name
    assert result.size == len(data)
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.path.parent == tmp_dir
    assert result.path.read_bytes() == data
    assert list(tmp_dir.iterdir()) == [result.path]


async def test_images_report_their_dimensions(tmp_dir: Path):
    result = await upload(image_bytes("PNG", (40, 30)), "a.png", tmp_dir)
    assert (result.width, result.height) == (40, 30)


@pytest.mark.parametrize(
    ("data", "name", "encoding"),
    [
        (b"a,b\n1,2\n", "a.csv", "utf-8"),
        (b"\xef\xbb\xbfname,city\nJos\xc3\xa9,Dubai\n", "bom.csv", "utf-8-sig"),
        ("name,city\nJosé,Dubaï\n".encode("latin-1"), "latin.csv", "latin-1"),
        (b"\xef\xbb\xbfhello\n", "bom.txt", "utf-8-sig"),
    ],
)
async def test_text_encodings(tmp_dir: Path, data, name, encoding):
    result = await upload(data, name, tmp_dir)
    assert result.text_encoding == encoding


async def test_the_declared_type_is_recorded_but_not_trusted(tmp_dir: Path):
    result = await upload(image_bytes("PNG"), "a.png", tmp_dir, declared="text/html")
    assert result.content_type == "image/png"
    assert result.declared_type == "text/html"


async def test_the_stored_name_is_sanitised(tmp_dir: Path):
    result = await upload(b"hello", "../../etc/pass\x00wd.txt", tmp_dir)
    assert result.filename == "passwd.txt"


# --- hostile inputs: each refused, nothing left in the temp dir ---------------------------


async def test_html_renamed_pdf(tmp_dir: Path):
    html = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    error = await rejected(html, "invoice.pdf", tmp_dir, declared="application/pdf")
    assert error.code == "file_type_not_allowed"
    assert error.message == "File type not allowed: HTML content in a .pdf file"


async def test_svg_with_script_renamed_png(tmp_dir: Path):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    error = await rejected(svg, "logo.png", tmp_dir, declared="image/png")
    assert error.code == "file_type_not_allowed"
    assert error.message == "File type not allowed: SVG image in a .png file"


async def test_exe_renamed_xlsx(tmp_dir: Path):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000
    error = await rejected(exe, "rates.xlsx", tmp_dir)
    assert error.code == "file_type_not_allowed"
    assert error.message == "File type not allowed: Windows program in a .xlsx file"


async def test_zip_bomb_renamed_xlsx(tmp_dir: Path, tmp_path: Path):
    bomb = tmp_path / "bomb.zip"
    zip_bomb_xlsx(bomb)
    error = await rejected(bomb.read_bytes(), "rates.xlsx", tmp_dir)
    assert error.code == "file_invalid"
    assert "zip bomb" in error.message


async def test_huge_png_is_refused_from_its_header(tmp_dir: Path):
    data = png_header_only(30_000, 30_000)
    assert len(data) < 200  # no pixels were ever allocated
    error = await rejected(data, "billboard.png", tmp_dir)
    assert error.code == "image_too_large"
    assert error.message.startswith("Image too large: over ")
    assert error.message.endswith("megapixels, limit 50 megapixels")


async def test_png_over_our_cap_but_under_pillows(tmp_dir: Path):
    error = await rejected(png_header_only(10_000, 6_000), "big.png", tmp_dir)
    assert error.code == "image_too_large"
    assert error.message == "Image too large: 60 megapixels, limit 50 megapixels"


async def test_the_pixel_cap_is_configurable(tmp_dir: Path):
    data = image_bytes("PNG", (1500, 1000))
    error = await rejected(data, "a.png", tmp_dir, max_pixels=1_000_000)
    assert error.message == "Image too large: 1.5 megapixels, limit 1 megapixels"
    assert (await upload(data, "a.png", tmp_dir, max_pixels=1_500_000)).width == 1500
    assert DEFAULT_MAX_PIXELS == 50_000_000


async def test_empty_file(tmp_dir: Path):
    error = await rejected(b"", "empty.pdf", tmp_dir)
    assert error.code == "file_empty"
    assert error.message == "The file is empty"


async def test_one_byte_over_the_limit(tmp_dir: Path):
    data = b"x" * (2 * MIB + 1)
    error = await rejected(data, "big.txt", tmp_dir, max_bytes=2 * MIB)
    assert error.code == "file_too_large"
    assert error.message == "File too large: over 2 MB, limit 2 MB"
    result = await upload(data[:-1], "big.txt", tmp_dir, max_bytes=2 * MIB)
    assert result.size == 2 * MIB


async def test_a_declared_size_over_the_limit_is_refused_before_reading(tmp_dir: Path):
    pulled = 0

    async def counting() -> AsyncIterator[bytes]:
        nonlocal pulled
        pulled += 1
        yield b"x"

    with pytest.raises(FileRejected) as info:
        await receive_upload(
            counting(), "big.pdf", None, tmp_dir, 200 * MIB, declared_size=250 * MIB
        )
    assert info.value.message == "File too large: 250 MB, limit 200 MB"
    assert pulled == 0


async def test_reading_stops_at_the_first_chunk_over_the_limit(tmp_dir: Path):
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"y" * 1000

    with pytest.raises(FileRejected):
        await receive_upload(endless(), "a.txt", None, tmp_dir, 10_500)
    assert pulled == 11
    assert list(tmp_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.exe", "File type not allowed: .exe files"),
        ("page.html", "File type not allowed: .html files"),
        ("image.svg", "File type not allowed: .svg files"),
        ("noextension", "File type not allowed: the name has no extension"),
        (".pdf", "File type not allowed: the name has no extension"),
        ("a.pdf\x00.exe", "File type not allowed: .exe files"),
        ("../../", "File type not allowed: the name has no extension"),
    ],
)
async def test_names_without_an_allowed_extension(tmp_dir: Path, name, message):
    error = await rejected(b"%PDF-1.4\n", name, tmp_dir)
    assert error.code == "file_type_not_allowed"
    assert error.message == message


async def test_a_300_character_name_is_shortened_keeping_the_extension(tmp_dir: Path):
    result = await upload(b"hello", "n" * 300 + ".txt", tmp_dir)
    assert result.filename == "n" * 116 + ".txt"


async def test_a_traversal_name_cannot_place_the_temp_file(tmp_dir: Path, tmp_path: Path):
    result = await upload(b"hello", "../../../../tmp/evil.txt", tmp_dir)
    assert result.filename == "evil.txt"
    assert result.path.parent == tmp_dir
    assert not (tmp_path / "evil.txt").exists()


async def test_a_lying_mime_header_does_not_help(tmp_dir: Path):
    error = await rejected(
        b"#!/bin/sh\nrm -rf /\n" * 10, "doc.pdf", tmp_dir, declared="application/pdf"
    )
    assert error.code == "file_type_not_allowed"


async def test_a_stream_failing_midway_leaves_nothing(tmp_dir: Path):
    async def broken() -> AsyncIterator[bytes]:
        yield b"%PDF-1.4\n" + b"x" * (3 * MIB)
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await receive_upload(broken(), "a.pdf", None, tmp_dir, LIMIT)
    assert list(tmp_dir.iterdir()) == []


async def test_a_cancelled_upload_leaves_nothing(tmp_dir: Path):
    written = asyncio.Event()

    async def stalled() -> AsyncIterator[bytes]:
        yield b"x" * (2 * MIB)  # enough to be written out before the stall
        yield b"y"
        written.set()
        await asyncio.Event().wait()
        yield b"never"

    task = asyncio.create_task(receive_upload(stalled(), "a.txt", None, tmp_dir, LIMIT))
    await written.wait()
    assert len(list(tmp_dir.iterdir())) == 1
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert list(tmp_dir.iterdir()) == []


@pytest.mark.parametrize(
    ("data", "name", "described"),
    [
        (lambda: image_bytes("JPEG"), "a.png", "JPEG image in a .png file"),
        (lambda: image_bytes("PNG"), "a.pdf", "PNG image in a .pdf file"),
        (lambda: docx_bytes(["x"]), "a.xlsx", "Word document in a .xlsx file"),
        (lambda: xlsx_bytes({"S": [[1]]}), "a.docx", "Excel workbook in a .docx file"),
        (lambda: pdf_bytes(["x"]), "a.txt", "PDF document in a .txt file"),
        (xls_bytes, "a.xlsx", "Excel 97-2003 workbook in a .xlsx file"),
        (lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 100, "a.pdf", "Linux program in a .pdf file"),
    ],
)
async def test_extension_must_agree_with_content(tmp_dir: Path, data, name, described):
    error = await rejected(data(), name, tmp_dir)
    assert error.code == "file_type_not_allowed"
    assert error.message == f"File type not allowed: {described}"


async def test_html_in_a_txt_is_refused(tmp_dir: Path):
    error = await rejected(b"<html><body>hi</body></html>", "a.txt", tmp_dir)
    assert error.message == "File type not allowed: HTML content in a .txt file"


async def test_text_with_nul_bytes_is_refused(tmp_dir: Path):
    early = b"name,city\n" * 200 + b"a\x00b\n"
    error = await rejected(early, "a.csv", tmp_dir)
    assert error.message == "File type not allowed: unrecognised content in a .csv file"
    # Past what libmagic looks at, the text check itself must find the NUL.
    late = b"name,city\n" * (300 * 1024) + b"a\x00b\n"
    error = await rejected(late, "a.csv", tmp_dir)
    assert error.message == "The CSV file contains binary data, not text"


async def test_invalid_utf8_far_into_a_txt_is_found(tmp_dir: Path):
    data = b"plain ascii line\n" * (200 * 1024) + "Café".encode("latin-1")
    error = await rejected(data, "a.txt", tmp_dir)
    assert error.code == "file_invalid"


async def test_latin1_is_refused_for_txt(tmp_dir: Path):
    error = await rejected("Café in Dubaï\n".encode("latin-1"), "a.txt", tmp_dir)
    assert error.code == "file_invalid"
    assert error.message == (
        "The text file is not UTF-8 text; save it as UTF-8 and upload it again"
    )


async def test_truncated_png_is_refused(tmp_dir: Path):
    data = image_bytes("PNG", (64, 64))
    error = await rejected(data[:-20], "a.png", tmp_dir)
    assert error.code == "file_invalid"
    assert error.message == "The PNG image is damaged or incomplete"


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("entries", "reason"),
    [
        ({"[Content_Types].xml": b"<Types/>", "hello.txt": b"hi"}, "not really"),
        ({"[Content_Types].xml": b"<Types/>", "word/other.xml": b"<x/>"}, "not really"),
        (
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<x/>",
                "../../evil.sh": b"x",
            },
            "unsafe",
        ),
        (
            {
                "[Content_Types].xml": b"<Types/>",
                "word/document.xml": b"<x/>",
                "/etc/cron.d/x": b"x",
            },
            "unsafe",
        ),
    ],
)
async def test_broken_office_packages_are_refused(tmp_dir: Path, entries, reason):
    error = await rejected(_zip(entries), "a.docx", tmp_dir)
    assert error.code == "file_invalid"
    assert reason in error.message


async def test_office_package_with_too_many_entries(tmp_dir: Path, monkeypatch):
    monkeypatch.setattr("salesbot.files.validation.MAX_ZIP_ENTRIES", 5)
    entries = {"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<x/>"}
    entries.update({f"word/media/{i}.bin": os.urandom(10) for i in range(5)})
    error = await rejected(_zip(entries), "a.docx", tmp_dir)
    assert error.message == "The Word document has too many parts (over 5)"


async def test_truncated_office_file_is_refused(tmp_dir: Path):
    data = docx_bytes(["hello"])
    error = await rejected(data[: len(data) // 2], "a.docx", tmp_dir)
    assert error.message == "The Word document is damaged or incomplete"


@pytest.mark.parametrize("prefix", [b"\n", b"\xef\xbb\xbf"])
async def test_pdf_must_start_with_its_header(tmp_dir: Path, prefix):
    # libmagic still calls these PDFs; the explicit header check refuses them.
    error = await rejected(prefix + pdf_bytes(["x"]), "a.pdf", tmp_dir)
    assert error.message == "The PDF document is damaged: its header is missing"


async def test_pdf_with_leading_junk_is_not_a_pdf(tmp_dir: Path):
    error = await rejected(b"\n\n" + pdf_bytes(["x"]), "a.pdf", tmp_dir)
    assert error.message == "File type not allowed: unrecognised content in a .pdf file"
