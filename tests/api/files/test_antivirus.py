"""POST /api/files with SALESBOT_CLAMD_URL: every upload is scanned before anything is stored."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from salesbot.files.content import EICAR
from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.support.fake_clamd import FakeClamd, fake_clamd
from tests.unit.files.samples import image_bytes, pdf_bytes

from .conftest import People, row_count, stored_files, upload


@pytest.fixture
def clamd() -> Iterator[FakeClamd]:
    with fake_clamd() as server:
        yield server


@pytest.fixture
def settings(stack: Stack, tmp_path: Path, clamd: FakeClamd) -> Settings:
    return make_settings(stack, tmp_path / "data", clamd_url=clamd.url)


def _infected_png() -> bytes:
    info = PngInfo()
    info.add_text("Comment", EICAR.decode("latin-1"))
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(out, "PNG", pnginfo=info)
    return out.getvalue()


async def test_a_file_the_scanner_flags_is_refused_and_nothing_is_kept(
    app: FastAPI, client: httpx.AsyncClient, people: People, clamd: FakeClamd
) -> None:
    clean, infected = pdf_bytes(["Rates"]), _infected_png()
    response = await upload(
        client,
        people.owner,
        ("rates.pdf", clean, "application/pdf"),
        ("billboard.png", infected, "image/png"),
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "file_infected"
    assert error["message"] == (
        "The virus scanner found Eicar-Signature in this file; it was not stored"
    )
    assert error["details"] == {"index": 1, "name": "billboard.png"}
    assert clamd.streams == [clean, infected]
    assert stored_files(app) == []
    assert await row_count(app) == 0

    ok = await upload(client, people.owner, ("rates.pdf", clean, "application/pdf"))
    assert ok.status_code == 201, ok.text


async def test_a_scanner_that_does_not_answer_refuses_with_503(
    people: People, app: FastAPI, client: httpx.AsyncClient
) -> None:
    with fake_clamd() as gone:
        url = gone.url  # closed again: nothing listens there any more
    app.state.settings = app.state.settings.model_copy(update={"clamd_url": url})
    response = await upload(client, people.owner, ("a.png", image_bytes("PNG"), "image/png"))
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "scan_unavailable"
    assert stored_files(app) == []
    assert await row_count(app) == 0
