"""The files service as other capabilities use it: generated files, attachments, reading."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from salesbot.auth.service import Principal, RoleGrant
from salesbot.files import service
from salesbot.files.extract import TRUNCATED_MARKER
from salesbot.files.models import FileRecord
from salesbot.kit.errors import NotFound, ValidationFailed
from tests.unit.files.samples import docx_bytes, image_bytes, pdf_bytes, xls_bytes, xlsx_bytes

from .conftest import People, Person, row_count, stored_files, upload


def principal(person: Person, role: str = "sales_person") -> Principal:
    return Principal(
        user_id=person.id,
        email="someone@example.com",
        name="Someone",
        roles=(RoleGrant(role),),
        permissions=frozenset({"files:read"}),
        auth_method="bearer",
    )


async def upload_records(
    app: FastAPI, client: httpx.AsyncClient, person: Person, *files: tuple[str, bytes]
) -> list[FileRecord]:
    response = await upload(client, person, *((name, data, None) for name, data in files))
    assert response.status_code == 201, response.text
    async with app.state.db.sessions() as session:
        return [
            await service.get_for(session, principal(person), uuid.UUID(item["id"]))
            for item in response.json()
        ]


async def test_store_generated_is_a_file_like_any_other(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    data = xlsx_bytes({"BO": [["Net", 1000]]})
    async with app.state.db.sessions() as session:
        record = await service.store_generated(
            session,
            app.state.storage,
            owner_id=people.owner.id,
            name="BL-0001 Nike.xlsx",
            data=data,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            company_id=people.company_id,
        )
        await session.commit()
    assert record.purpose == "generated" and record.kind == "xlsx" and record.size == len(data)
    assert record.storage_key == f"files/{record.created_at:%Y/%m}/{record.id}"
    assert await service.read_bytes(app.state.storage, record) == data
    card = service.file_card(record)
    assert card.download_url == f"/api/files/{record.id}/content"
    assert card.preview_url is None and card.name == "BL-0001 Nike.xlsx"
    # The company's coordinator may download it through the API; a stranger may not.
    url = card.download_url
    assert (await client.get(url, headers=people.coordinator.headers)).content == data
    assert (await client.get(url, headers=people.outsider.headers)).status_code == 404


async def test_a_generated_image_gets_a_preview(app: FastAPI, people: People):
    async with app.state.db.sessions() as session:
        record = await service.store_generated(
            session,
            app.state.storage,
            owner_id=people.owner.id,
            name="mockup.png",
            data=image_bytes("PNG"),
            content_type="image/png",
        )
        await session.commit()
    assert service.file_card(record).preview_url == f"/api/files/{record.id}/content?inline=1"


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        pytest.param("deck.pdf", b"<html>not a pdf</html>", "application/pdf", id="wrong-bytes"),
        pytest.param("deck.pdf", pdf_bytes(["x"]), "image/png", id="wrong-type"),
        pytest.param("deck.exe", b"MZ" + b"\0" * 100, "application/pdf", id="not-allowed"),
        pytest.param("deck.pdf", b"", "application/pdf", id="empty"),
    ],
)
async def test_store_generated_refuses_mismatched_files(
    app: FastAPI, people: People, name: str, data: bytes, content_type: str
):
    async with app.state.db.sessions() as session:
        with pytest.raises(service.GeneratedFileInvalid):
            await service.store_generated(
                session,
                app.state.storage,
                owner_id=people.owner.id,
                name=name,
                data=data,
                content_type=content_type,
            )
    assert stored_files(app) == []
    assert await row_count(app) == 0


async def test_read_bytes_is_bounded(app: FastAPI, client: httpx.AsyncClient, people: People):
    (record,) = await upload_records(app, client, people.owner, ("a.txt", b"x" * 2000))
    with pytest.raises(
        service.FileTooLargeToProcess,
        match=r"^This file is too large to process \(2 KB, limit 1 KB\)\.$",
    ):
        await service.read_bytes(app.state.storage, record, max_bytes=1024)
    assert await service.read_bytes(app.state.storage, record, max_bytes=2000) == b"x" * 2000


async def test_resolve_attachments_in_order_and_by_position(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    mine = await upload_records(app, client, people.owner, ("a.txt", b"a\n"), ("b.txt", b"b\n"))
    (theirs,) = await upload_records(app, client, people.other, ("c.txt", b"c\n"))
    async with app.state.db.sessions() as session:
        me = principal(people.owner)
        resolved = await service.resolve_attachments(
            session, me, [mine[1].id, mine[0].id, mine[1].id]
        )
        assert [r.id for r in resolved] == [mine[1].id, mine[0].id]
        with pytest.raises(ValidationFailed) as caught:
            await service.resolve_attachments(session, me, [mine[0].id, theirs.id, uuid.uuid4()])
    error = caught.value
    assert error.message == "Attachments 2, 3 could not be found; upload the file again."
    assert [d["field"] for d in error.details] == ["file_ids.1", "file_ids.2"]
    assert error.status_code == 422


async def test_too_many_attachments(app: FastAPI, people: People):
    async with app.state.db.sessions() as session:
        with pytest.raises(ValidationFailed, match="at most 10 files"):
            await service.resolve_attachments(
                session, principal(people.owner), [uuid.uuid4() for _ in range(11)]
            )


async def test_get_for_hides_files_from_others(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    (record,) = await upload_records(app, client, people.owner, ("a.txt", b"a\n"))
    async with app.state.db.sessions() as session:
        with pytest.raises(NotFound):
            await service.get_for(session, principal(people.other), record.id)
        admin = principal(people.admin, "admin")
        assert (await service.get_for(session, admin, record.id)).id == record.id
        with pytest.raises(NotFound):
            await service.share_with_company(session, uuid.uuid4(), people.company_id)


def png_with_alpha(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGBA", size, (10, 20, 30, 128)).save(buf, "PNG")
    return buf.getvalue()


async def test_attachment_parts_images_and_text(
    app: FastAPI, client: httpx.AsyncClient, people: People, tmp_path: Path
):
    small = image_bytes("PNG", (64, 48))
    records = await upload_records(
        app,
        client,
        people.owner,
        ("small.png", small),
        ("wide.jpg", image_bytes("JPEG", (3000, 1000))),
        ("clear.png", png_with_alpha((2500, 100))),
        ("old.bmp", image_bytes("BMP", (20, 10))),
        ("rates.pdf", pdf_bytes(["Rate card: Dubai Mall 1,000"])),
        ("brief.docx", docx_bytes(["Campaign for Nike"])),
        ("legacy.xls", xls_bytes()),
        ("long.txt", ("word " * 10_000).encode()),
    )
    work = tmp_path / "work"
    parts = await service.attachment_parts(
        app.state.storage, records, text_limit=1_000, tmp_dir=work
    )
    by_name = {p.name: p for p in parts}
    assert [p.file_id for p in parts] == [r.id for r in records]

    assert by_name["small.png"].image == small and by_name["small.png"].media_type == "image/png"
    assert by_name["small.png"].text is None
    for name, media_type, size in (
        ("wide.jpg", "image/jpeg", (2048, 683)),
        ("clear.png", "image/png", (2048, 82)),  # transparency survives as PNG
        ("old.bmp", "image/jpeg", (20, 10)),  # BMP is not a vision format
    ):
        part = by_name[name]
        assert part.media_type == media_type, name
        with Image.open(io.BytesIO(part.image or b"")) as shown:
            assert shown.size == size, name

    assert "Dubai Mall" in (by_name["rates.pdf"].text or "")
    assert by_name["brief.docx"].text == "Campaign for Nike"
    assert "cannot be read" in (by_name["legacy.xls"].text or "")
    long_text = by_name["long.txt"].text or ""
    assert long_text.endswith(TRUNCATED_MARKER) and len(long_text) <= 1_000 + 20
    assert by_name["rates.pdf"].image is None
    assert list(work.iterdir()) == []  # every spooled copy was removed
