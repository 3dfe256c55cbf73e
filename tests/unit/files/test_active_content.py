"""Hostile uploads: active PDF content, polyglot and truncated images, binary or EICAR in text,
and the clamd hook (against a local server speaking INSTREAM)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from salesbot.files.content import EICAR
from salesbot.files.validation import FileRejected, receive_upload
from salesbot.kit.clamd import ClamdClient
from tests.support.fake_clamd import fake_clamd
from tests.unit.files.samples import image_bytes, pdf_bytes, stream_of

LIMIT = 50 * 1024 * 1024


@pytest.fixture
def tmp_dir(tmp_path: Path) -> Path:
    return tmp_path / "tmp"


async def rejected(data: bytes, name: str, tmp_dir: Path, **kwargs: object) -> FileRejected:
    with pytest.raises(FileRejected) as caught:
        await receive_upload(stream_of(data), name, None, tmp_dir, LIMIT, **kwargs)  # type: ignore[arg-type]
    assert list(tmp_dir.iterdir()) == []  # nothing left behind
    return caught.value


async def accepted(data: bytes, name: str, tmp_dir: Path, **kwargs: object) -> None:
    result = await receive_upload(stream_of(data), name, None, tmp_dir, LIMIT, **kwargs)  # type: ignore[arg-type]
    result.path.unlink()


# --- PDF -------------------------------------------------------------------------------------


def _name(value: str) -> NameObject:
    return NameObject(value)


def _action(kind: str, **entries: object) -> DictionaryObject:
    action = DictionaryObject({_name("/S"): _name(kind)})
    for key, value in entries.items():
        action[_name(f"/{key}")] = value
    return action


def _edited(change) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(["Rate card"])))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _names_javascript(writer: PdfWriter) -> None:
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject("app.alert(1)")))
    tree = DictionaryObject({_name("/Names"): ArrayObject([TextStringObject("init"), script])})
    writer._root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): tree})


def _annotation(writer: PdfWriter, annotation: DictionaryObject) -> None:
    annotation.update(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Rect"): ArrayObject([FloatObject(0), FloatObject(0)] * 2),
        }
    )
    page = writer.pages[0]
    page[_name("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _link(action: DictionaryObject):
    return lambda w: _annotation(
        w, DictionaryObject({_name("/Subtype"): _name("/Link"), _name("/A"): action})
    )


def _open_action(action: object):
    def change(writer: PdfWriter) -> None:
        writer._root_object[_name("/OpenAction")] = action

    return change


HOSTILE_PDFS = {
    "javascript in the names tree": (_names_javascript, "JavaScript"),
    "javascript on opening": (
        _open_action(_action("/JavaScript", JS=TextStringObject("app.alert(1)"))),
        "JavaScript",
    ),
    "launch on opening": (
        _open_action(_action("/Launch", F=TextStringObject("calc.exe"))),
        "starts programs",
    ),
    "uri on opening": (
        _open_action(_action("/URI", URI=TextStringObject("https://evil.example"))),
        "runs when it is opened",
    ),
    "launch from a link": (
        _link(_action("/Launch", F=TextStringObject("cmd.exe"))),
        "starts programs",
    ),
    "javascript from a link": (
        _link(_action("/JavaScript", JS=TextStringObject("x"))),
        "JavaScript",
    ),
    "embedded file": (lambda w: w.add_attachment("invoice.exe", b"MZ\x90\x00"), "embedded files"),
    "rich media": (
        lambda w: _annotation(w, DictionaryObject({_name("/Subtype"): _name("/RichMedia")})),
        "embedded media",
    ),
}


@pytest.mark.parametrize("case", list(HOSTILE_PDFS), ids=list(HOSTILE_PDFS))
async def test_pdfs_with_active_content_are_refused(tmp_dir: Path, case: str) -> None:
    change, reason = HOSTILE_PDFS[case]
    error = await rejected(_edited(change), "rates.pdf", tmp_dir)
    assert error.code == "file_active_content"
    assert error.message.startswith("The PDF document contains ")
    assert reason in error.message
    assert "not allowed" in error.message


def _raw_pdf(catalog_extra: bytes) -> bytes:
    """A minimal hand-written PDF whose catalogue carries `catalog_extra` (names as given)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


async def test_escaped_names_do_not_hide_javascript_from_the_parser(tmp_dir: Path) -> None:
    # `/J#61vaScript` is `/JavaScript` to every PDF reader but not to a byte search.
    hidden = _raw_pdf(b"/AA << /O << /S /J#61vaScript /J#53 (app.alert(1)) >> >>")
    assert b"/JavaScript" not in hidden and b"/JS" not in hidden
    error = await rejected(hidden, "hidden.pdf", tmp_dir)
    assert error.code == "file_active_content"
    assert "JavaScript" in error.message


async def test_plain_pdfs_and_page_destinations_are_accepted(tmp_dir: Path) -> None:
    await accepted(pdf_bytes(["Rate card", "Page two"]), "rates.pdf", tmp_dir)
    await accepted(_raw_pdf(b"/OpenAction [3 0 R /Fit]"), "fit.pdf", tmp_dir)
    goto = _edited(_open_action(_action("/GoTo", D=ArrayObject([NumberObject(0), _name("/Fit")]))))
    await accepted(goto, "goto.pdf", tmp_dir)


async def test_a_pdf_locked_with_a_password_is_refused_but_an_owner_lock_is_not(
    tmp_dir: Path,
) -> None:
    def locked(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes(["secret"])))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    error = await rejected(locked("open-sesame"), "locked.pdf", tmp_dir)
    assert error.message == (
        "The PDF document is password-protected; remove the password and upload it again"
    )
    await accepted(locked(""), "printable.pdf", tmp_dir)


async def test_a_pdf_without_structure_is_refused(tmp_dir: Path) -> None:
    error = await rejected(b"%PDF-1.7\n" + b"0" * 4096, "junk.pdf", tmp_dir)
    assert error.message == "The PDF document is damaged and cannot be read"


# --- images ----------------------------------------------------------------------------------

IMAGES = [("PNG", "png"), ("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp"), ("BMP", "bmp")]
ZIP_PAYLOAD = b"PK\x03\x04" + b"\x14\x00" * 20 + b"payload.js"


@pytest.mark.parametrize(("fmt", "ext"), IMAGES)
async def test_data_after_the_image_end_is_refused(tmp_dir: Path, fmt: str, ext: str) -> None:
    picture = image_bytes(fmt, (120, 80))
    await accepted(picture, f"photo.{ext}", tmp_dir)
    error = await rejected(picture + ZIP_PAYLOAD, f"photo.{ext}", tmp_dir)
    assert error.code == "file_active_content"
    assert "extra data hidden after the picture" in error.message


@pytest.mark.parametrize(("fmt", "ext"), IMAGES)
async def test_truncated_images_are_refused(tmp_dir: Path, fmt: str, ext: str) -> None:
    picture = image_bytes(fmt, (120, 80))
    error = await rejected(picture[: len(picture) * 3 // 4], f"photo.{ext}", tmp_dir)
    assert error.code == "file_invalid"
    assert error.message.endswith("is damaged or incomplete")


async def test_progressive_jpeg_with_restart_markers_and_animated_gif_are_accepted(
    tmp_dir: Path,
) -> None:
    noise = Image.effect_noise((256, 192), 60).convert("RGB")
    progressive = io.BytesIO()
    noise.save(progressive, "JPEG", progressive=True, quality=90)
    await accepted(progressive.getvalue(), "p.jpg", tmp_dir)
    restarts = io.BytesIO()
    noise.save(restarts, "JPEG", restart_marker_blocks=1, quality=90)
    await accepted(restarts.getvalue(), "r.jpg", tmp_dir)
    frames = [Image.new("P", (32, 32), i) for i in range(3)]
    animated = io.BytesIO()
    frames[0].save(animated, "GIF", save_all=True, append_images=frames[1:], duration=100)
    await accepted(animated.getvalue(), "a.gif", tmp_dir)
    cut = animated.getvalue()
    assert (await rejected(cut[: len(cut) - 30], "a.gif", tmp_dir)).code == "file_invalid"


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "label"), [("a.csv", "CSV file"), ("a.txt", "text file")])
async def test_the_eicar_test_file_is_refused_in_text(tmp_dir: Path, name: str, label: str) -> None:
    error = await rejected(EICAR + b"\r\n", name, tmp_dir)
    assert error.code == "file_infected"
    assert (
        error.message == f"The {label} contains a virus test signature (EICAR) and was not stored"
    )
    # Far into the file and across the checker's read boundary too.
    filler = b"client,amount\n" * (256 * 1024 // 14) + b"x" * 3
    assert (
        await rejected(filler[: 256 * 1024 - 30] + EICAR, name, tmp_dir)
    ).code == "file_infected"


# Past what libmagic sniffs (1 MiB), so the text check itself must find what follows.
LATE = b"name,city\n" * (120 * 1024)


@pytest.mark.parametrize("control", [b"\x1b[2J", b"\x07", b"\x01\x02\x03", b"\x7f"])
async def test_control_bytes_make_text_binary(tmp_dir: Path, control: bytes) -> None:
    error = await rejected(LATE + b"A," + control + b"Dubai\n", "a.csv", tmp_dir)
    assert error.message == "The CSV file contains binary data, not text"


async def test_ordinary_text_controls_are_fine(tmp_dir: Path) -> None:
    await accepted(b"name\tcity\r\nA\tDubai\r\n", "a.txt", tmp_dir)
    await accepted(LATE + b"A\tDubai\f\r\n\x1a", "a.csv", tmp_dir)


# --- the clamd hook --------------------------------------------------------------------------


def _png_with_comment(comment: bytes) -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", comment.decode("latin-1"))
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG", pnginfo=info)
    return out.getvalue()


async def test_clamd_scans_every_upload_and_its_finding_refuses_it(tmp_dir: Path) -> None:
    clean = image_bytes("PNG", (64, 48))
    infected = _png_with_comment(EICAR)  # a valid picture our own checks let through
    with fake_clamd() as clamd:
        scanner = ClamdClient.from_url(clamd.url)
        await accepted(clean, "clean.png", tmp_dir, scanner=scanner)
        error = await rejected(infected, "infected.png", tmp_dir, scanner=scanner)
    assert error.code == "file_infected"
    assert error.message == (
        "The virus scanner found Eicar-Signature in this file; it was not stored"
    )
    assert clamd.streams == [clean, infected]  # each file streamed whole, INSTREAM-framed
    assert clamd.protocol_errors == []


async def test_a_silent_scanner_refuses_rather_than_lets_through(tmp_dir: Path) -> None:
    with fake_clamd() as clamd:
        url = clamd.url
    error = await rejected(
        image_bytes("PNG"), "a.png", tmp_dir, scanner=ClamdClient.from_url(url, timeout_s=10)
    )
    assert error.code == "scan_unavailable"
    assert "virus scanner is not answering" in error.message
