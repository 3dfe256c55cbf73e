"""POST /api/files: happy paths, and every hostile input refused with nothing left behind."""

from __future__ import annotations

import hashlib
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Scope

from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.unit.files.samples import image_bytes, pdf_bytes, png_header_only, zip_bomb_xlsx

from .conftest import MULTIPART_TYPE, People, multipart, row_count, stored_files, upload

HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 2000


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    # A small limit so "one byte over" stays cheap; every other sample is far below it.
    return make_settings(stack, tmp_path / "data", max_upload_mb=1)


async def assert_nothing_kept(app: FastAPI) -> None:
    assert stored_files(app) == []
    assert await row_count(app) == 0


async def test_several_files_in_one_upload(app: FastAPI, client: httpx.AsyncClient, people: People):
    png = image_bytes("PNG", (40, 30))
    pdf = pdf_bytes(["Rate card"])
    csv = b"location,rate\nDubai Mall,1000\n"
    response = await upload(
        client,
        people.owner,
        ("billboard.png", png, "image/png"),
        ("rates.pdf", pdf, "application/pdf"),
        ("rates.csv", csv, "text/csv"),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [f["name"] for f in body] == ["billboard.png", "rates.pdf", "rates.csv"]
    assert [f["kind"] for f in body] == ["png", "pdf", "csv"]
    assert [f["size"] for f in body] == [len(png), len(pdf), len(csv)]
    assert [f["sha256"] for f in body] == [hashlib.sha256(d).hexdigest() for d in (png, pdf, csv)]
    assert {f["purpose"] for f in body} == {"upload"}
    assert body[0]["preview_url"] == f"/api/files/{body[0]['id']}/content?inline=1"
    assert body[1]["preview_url"] is None
    assert body[1]["download_url"] == f"/api/files/{body[1]['id']}/content"
    # Stored under server-generated keys, temp files gone.
    kept = stored_files(app)
    assert sorted(Path(k).name for k in kept) == sorted(f["id"] for f in body)
    assert all(k.startswith("files/") for k in kept)
    assert await row_count(app) == 3
    for item, data in zip(body, (png, pdf, csv), strict=True):
        download = await client.get(item["download_url"], headers=people.owner.headers)
        assert download.status_code == 200
        assert download.content == data


@pytest.mark.parametrize(
    ("name", "data", "declared", "status", "code", "message"),
    [
        pytest.param(
            "invoice.pdf",
            HTML,
            "application/pdf",
            415,
            "file_type_not_allowed",
            "File type not allowed: HTML content in a .pdf file",
            id="html-renamed-pdf",
        ),
        pytest.param(
            "logo.png",
            SVG,
            "image/png",
            415,
            "file_type_not_allowed",
            "File type not allowed: SVG image in a .png file",
            id="svg-with-script-renamed-png",
        ),
        pytest.param(
            "rates.xlsx",
            EXE,
            None,
            415,
            "file_type_not_allowed",
            "File type not allowed: Windows program in a .xlsx file",
            id="exe-renamed-xlsx",
        ),
        pytest.param(
            "brochure.jpg",
            HTML,
            "image/jpeg",
            415,
            "file_type_not_allowed",
            "File type not allowed: HTML content in a .jpg file",
            id="lying-mime-header",
        ),
        pytest.param(
            "empty.pdf",
            b"",
            "application/pdf",
            422,
            "file_empty",
            "The file is empty",
            id="empty",
        ),
        pytest.param(
            "notes.txt",
            b"x" * (1024 * 1024 + 1),
            "text/plain",
            413,
            "file_too_large",
            "File too large: over 1 MB, limit 1 MB",
            id="one-byte-over-the-limit",
        ),
        pytest.param(
            "report.pdf\x00.exe",
            pdf_bytes(["x"]),
            "application/pdf",
            415,
            "file_type_not_allowed",
            "File type not allowed: .exe files",
            id="nul-in-name-hides-exe",
        ),
        pytest.param(
            "../../../home/app/.bashrc",
            b"echo pwned\n",
            "text/plain",
            415,
            "file_type_not_allowed",
            "File type not allowed: the name has no extension",
            id="dot-dot-path-without-extension",
        ),
        pytest.param(
            "a" * 300,
            b"hello\n",
            "text/plain",
            415,
            "file_type_not_allowed",
            "File type not allowed: the name has no extension",
            id="300-char-name-without-extension",
        ),
    ],
)
async def test_hostile_uploads_are_refused_and_leave_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    people: People,
    name: str,
    data: bytes,
    declared: str | None,
    status: int,
    code: str,
    message: str,
):
    response = await upload(client, people.owner, (name, data, declared))
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["code"], error["message"]) == (code, message)
    assert error["details"]["index"] == 0
    await assert_nothing_kept(app)


async def test_zip_bomb_renamed_xlsx(
    app: FastAPI, client: httpx.AsyncClient, people: People, tmp_path: Path
):
    bomb = tmp_path / "bomb.xlsx"
    zip_bomb_xlsx(bomb, inflated_mib=40)
    assert bomb.stat().st_size < 1024 * 1024  # under the limit: the ratio check must catch it
    response = await upload(client, people.owner, ("rates.xlsx", bomb.read_bytes(), None))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "file_invalid"
    assert error["message"] == "The Excel workbook expands to an unsafe size (possible zip bomb)"
    await assert_nothing_kept(app)


async def test_decompression_bomb_png(app: FastAPI, client: httpx.AsyncClient, people: People):
    response = await upload(
        client, people.owner, ("billboard.png", png_header_only(30_000, 30_000), "image/png")
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "image_too_large"
    assert error["message"].startswith("Image too large: over ")
    assert error["message"].endswith("megapixels, limit 50 megapixels")
    await assert_nothing_kept(app)


async def test_one_bad_file_refuses_the_whole_upload(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    good = image_bytes("PNG")
    response = await upload(
        client,
        people.owner,
        ("one.png", good, "image/png"),
        ("two.png", good, "image/png"),
        ("invoice.pdf", HTML, "application/pdf"),
    )
    assert response.status_code == 415
    assert response.json()["error"]["details"] == {"index": 2, "name": "invoice.pdf"}
    await assert_nothing_kept(app)  # the two good files stored first were removed again


@pytest.mark.parametrize(
    ("raw_name", "safe_name"),
    [
        pytest.param("../../../etc/cron.d/rates.csv", "rates.csv", id="dot-dot-path"),
        pytest.param("..\\..\\windows\\rates.csv", "rates.csv", id="backslash-path"),
        pytest.param("ra\x00tes.csv", "rates.csv", id="nul"),
        pytest.param("r" * 300 + ".csv", "r" * 116 + ".csv", id="300-chars"),
    ],
)
async def test_hostile_names_are_sanitised_and_never_reach_storage(
    app: FastAPI, client: httpx.AsyncClient, people: People, raw_name: str, safe_name: str
):
    response = await upload(client, people.owner, (raw_name, b"a,b\n1,2\n", "text/csv"))
    assert response.status_code == 201, response.text
    item = response.json()[0]
    assert item["name"] == safe_name
    assert "\x00" not in item["original_name"] and len(item["original_name"]) <= 255
    files_dir = Path(app.state.settings.files_dir).resolve()
    kept = stored_files(app)
    assert len(kept) == 1 and kept[0].endswith(item["id"])  # stored under the id, not the name
    assert (files_dir / kept[0]).resolve().is_relative_to(files_dir)


async def test_the_declared_type_is_ignored_for_real_content(
    client: httpx.AsyncClient, people: People
):
    png = image_bytes("PNG")
    response = await upload(client, people.owner, ("photo.png", png, "text/html"))
    assert response.status_code == 201
    assert response.json()[0]["content_type"] == "image/png"
    download = await client.get(response.json()[0]["download_url"], headers=people.owner.headers)
    assert download.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        pytest.param(
            b'{"files": []}', "application/json", 415, "unsupported_media_type", id="json"
        ),
        pytest.param(
            multipart(("a.txt", b"hi", None), field="attachment"),
            MULTIPART_TYPE,
            422,
            "malformed_upload",
            id="wrong-field",
        ),
        pytest.param(
            b"--salesbot-test-boundary-7d1f--\r\n", MULTIPART_TYPE, 422, "no_files", id="no-files"
        ),
        pytest.param(
            multipart(("a.txt", b"hi", None))[:-40],
            MULTIPART_TYPE,
            422,
            "malformed_upload",
            id="truncated-body",
        ),
        pytest.param(b"garbage", "multipart/form-data", 415, "unsupported_media_type", id="no-bnd"),
    ],
)
async def test_malformed_requests(
    app: FastAPI,
    client: httpx.AsyncClient,
    people: People,
    body: bytes,
    content_type: str,
    status: int,
    code: str,
):
    response = await client.post(
        "/api/files", content=body, headers={**people.owner.headers, "Content-Type": content_type}
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    await assert_nothing_kept(app)


async def test_too_many_files_in_one_request(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    files = [(f"n{i}.txt", b"note\n", "text/plain") for i in range(21)]
    response = await upload(client, people.owner, *files)
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "Too many files in one upload (limit 20)."
    await assert_nothing_kept(app)


async def test_uploading_needs_a_signed_in_user_with_the_permission(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    body = multipart(("a.txt", b"hi\n", None))
    anonymous = await client.post(
        "/api/files", content=body, headers={"Content-Type": MULTIPART_TYPE}
    )
    assert anonymous.status_code == 401
    viewer = await client.post(
        "/api/files",
        content=body,
        headers={**people.viewer.headers, "Content-Type": MULTIPART_TYPE},
    )
    assert viewer.status_code == 403
    await assert_nothing_kept(app)


def asgi_scope(people: People) -> Scope:
    headers = [(b"content-type", MULTIPART_TYPE.encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in people.owner.headers.items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/files",
        "raw_path": b"/api/files",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }


def two_files_body() -> tuple[bytes, int]:
    """A complete first file, then a second one: returns the body and where the second starts."""
    first = multipart(("first.txt", b"complete\n", "text/plain"))
    first = first[: first.rindex(b"--salesbot")]  # drop the closing boundary
    second = multipart(("second.txt", b"y" * 600_000, "text/plain"))
    return first + second, len(first) + 300


async def test_client_disconnect_mid_upload_leaves_nothing(app: FastAPI, people: People):
    body, cut = two_files_body()
    messages: list[Message] = [
        {"type": "http.request", "body": body[: cut // 2], "more_body": True},
        {"type": "http.request", "body": body[cut // 2 : cut + 200_000], "more_body": True},
    ]
    received = 0
    in_flight: list[str] = []

    async def receive() -> Message:
        nonlocal received
        received += 1
        if messages:
            return messages.pop(0)
        in_flight.extend(stored_files(app))
        return {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    await app(asgi_scope(people), receive, send)
    assert received == 3  # the whole partial body was read before the disconnect arrived
    # Mid-upload: the first file was in storage and the second was being spooled.
    assert sorted(p.split("/")[0].split("-")[0] for p in in_flight) == ["files", "upload"]
    assert sent[0]["status"] == 400  # nobody is listening, but it is not a server error
    await assert_nothing_kept(app)  # the complete first file was removed again


async def test_cancelled_request_mid_upload_leaves_nothing(app: FastAPI, people: People):
    body, cut = two_files_body()
    chunks = [body[: cut // 2], body[cut // 2 : cut + 200_000]]
    stalled = anyio.Event()

    async def receive() -> Message:
        if chunks:
            return {"type": "http.request", "body": chunks.pop(0), "more_body": True}
        stalled.set()
        await anyio.sleep_forever()  # the client stops sending; the server gives up on it
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        return None

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(app, asgi_scope(people), receive, send)
        await stalled.wait()
        in_flight = sorted(p.split("/")[0].split("-")[0] for p in stored_files(app))
        assert in_flight == ["files", "upload"]  # one file stored, one being spooled
        tasks.cancel_scope.cancel()
    await assert_nothing_kept(app)
