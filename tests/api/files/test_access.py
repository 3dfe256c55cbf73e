"""Reading, listing and deleting files: who may, ranges, safe headers, no existence leaks."""

from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest
from fastapi import FastAPI

from salesbot.files import service
from salesbot.settings import Settings
from tests.conftest import Stack, make_settings
from tests.unit.files.samples import image_bytes, pdf_bytes

from .conftest import People, Person, row_count, stored_files, upload

TEXT = ("0123456789" * 1024).encode()  # 10,240 bytes
UPLOADS_PER_MINUTE = 8


@pytest.fixture
def settings(stack: Stack, tmp_path: Path) -> Settings:
    return make_settings(stack, tmp_path / "data", rate_limit_upload=f"{UPLOADS_PER_MINUTE}/minute")


async def upload_one(
    client: httpx.AsyncClient, person: Person, name: str = "notes.txt", data: bytes = TEXT
) -> dict[str, object]:
    response = await upload(client, person, (name, data, None))
    assert response.status_code == 201, response.text
    item: dict[str, object] = response.json()[0]
    return item


async def test_someone_elses_file_is_404_everywhere(client: httpx.AsyncClient, people: People):
    item = await upload_one(client, people.owner)
    never_existed = uuid.uuid4()
    for suffix in ("", "/content"):
        theirs = await client.get(f"/api/files/{item['id']}{suffix}", headers=people.other.headers)
        unknown = await client.get(
            f"/api/files/{never_existed}{suffix}", headers=people.other.headers
        )
        assert theirs.status_code == unknown.status_code == 404
        # Exactly what a file that never existed gets: nothing confirms it exists.
        assert theirs.json() == unknown.json()
    deleted = await client.delete(f"/api/files/{item['id']}", headers=people.other.headers)
    assert deleted.status_code == 404
    still = await client.get(f"/api/files/{item['id']}", headers=people.owner.headers)
    assert still.status_code == 200


async def test_company_roles_read_files_shared_with_their_company(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    item = await upload_one(client, people.owner, "bo.pdf", pdf_bytes(["Booking order"]))
    path = f"/api/files/{item['id']}/content"
    assert (await client.get(path, headers=people.coordinator.headers)).status_code == 404
    async with app.state.db.sessions() as session:
        await service.share_with_company(session, uuid.UUID(str(item["id"])), people.company_id)
        await session.commit()
    expected = {
        "owner": 200,
        "coordinator": 200,  # coordinator of the file's company
        "admin": 200,
        "outsider": 404,  # coordinator of another company
        "other": 404,
        "viewer": 404,
    }
    for who, status in expected.items():
        person: Person = getattr(people, who)
        assert (await client.get(path, headers=person.headers)).status_code == status, who
    # Reading is not deleting: only the owner or an admin may delete.
    refused = await client.delete(f"/api/files/{item['id']}", headers=people.coordinator.headers)
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("range_header", "status", "start", "end"),
    [
        pytest.param("bytes=0-9", 206, 0, 10, id="first-ten"),
        pytest.param("bytes=10000-", 206, 10000, 10240, id="open-ended"),
        pytest.param("bytes=-100", 206, 10140, 10240, id="suffix"),
        pytest.param("bytes=10200-99999", 206, 10200, 10240, id="clamped"),
        pytest.param("bytes=0-0,5-6", 200, 0, 10240, id="multi-range-ignored"),
        pytest.param("items=0-9", 200, 0, 10240, id="other-unit-ignored"),
        pytest.param("bytes=9-3", 200, 0, 10240, id="invalid-ignored"),
    ],
)
async def test_range_requests(
    client: httpx.AsyncClient, people: People, range_header: str, status: int, start: int, end: int
):
    item = await upload_one(client, people.owner)
    response = await client.get(
        str(item["download_url"]), headers={**people.owner.headers, "Range": range_header}
    )
    assert response.status_code == status
    assert response.content == TEXT[start:end]
    assert response.headers["content-length"] == str(end - start)
    assert response.headers["accept-ranges"] == "bytes"
    if status == 206:
        assert response.headers["content-range"] == f"bytes {start}-{end - 1}/{len(TEXT)}"
    else:
        assert "content-range" not in response.headers


@pytest.mark.parametrize("range_header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
async def test_unsatisfiable_ranges(client: httpx.AsyncClient, people: People, range_header: str):
    item = await upload_one(client, people.owner)
    response = await client.get(
        str(item["download_url"]), headers={**people.owner.headers, "Range": range_header}
    )
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(TEXT)}"
    assert response.json()["error"]["code"] == "range_not_satisfiable"


async def test_content_disposition_of_a_hostile_name(client: httpx.AsyncClient, people: People):
    hostile = 'Q4 "Prop;osal"; filename=evil.html \u202egnp.\u00fcber na\u00efve.pdf'
    item = await upload_one(client, people.owner, hostile, pdf_bytes(["x"]))
    response = await client.get(str(item["download_url"]), headers=people.owner.headers)
    header = response.headers["content-disposition"]
    assert header.startswith('attachment; filename="')
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert all(ch.isalnum() or ch in " ._()+-" for ch in fallback)
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert ";" not in encoded and '"' not in encoded and " " not in encoded
    assert unquote(encoded) == item["name"]
    assert "\u202e" not in str(item["name"]) and '"' not in str(item["name"])
    assert str(item["name"]).endswith(".pdf")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-type"] == "application/pdf"


async def test_inline_only_for_images_and_pdf(client: httpx.AsyncClient, people: People):
    png = await upload_one(client, people.owner, "photo.png", image_bytes("PNG"))
    pdf = await upload_one(client, people.owner, "deck.pdf", pdf_bytes(["x"]))
    csv = await upload_one(client, people.owner, "rates.csv", b"a,b\n1,2\n")
    for item, disposition in ((png, "inline"), (pdf, "inline"), (csv, "attachment")):
        response = await client.get(
            f"/api/files/{item['id']}/content?inline=1", headers=people.owner.headers
        )
        assert response.status_code == 200
        assert response.headers["content-disposition"].split(";")[0] == disposition
    plain = await client.get(str(png["download_url"]), headers=people.owner.headers)
    assert plain.headers["content-disposition"].startswith("attachment;")
    assert png["preview_url"] == f"/api/files/{png['id']}/content?inline=1"


async def test_metadata(client: httpx.AsyncClient, people: People):
    item = await upload_one(client, people.owner)
    response = await client.get(f"/api/files/{item['id']}", headers=people.owner.headers)
    assert response.status_code == 200
    assert response.json() == item
    assert item["kind"] == "txt" and item["content_type"] == "text/plain"


async def test_listing_is_own_files_newest_first_in_pages(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    names = [f"note{i}.txt" for i in range(3)]
    for name in names:
        await upload_one(client, people.owner, name)
    await upload_one(client, people.other, "theirs.txt")
    async with app.state.db.sessions() as session:
        generated = await service.store_generated(
            session,
            app.state.storage,
            owner_id=people.owner.id,
            name="Proposal.pdf",
            data=pdf_bytes(["Proposal"]),
            content_type="application/pdf",
        )
        await session.commit()

    first = await client.get("/api/files?limit=3", headers=people.owner.headers)
    assert first.status_code == 200
    page = first.json()
    assert [f["name"] for f in page["items"]] == ["Proposal.pdf", "note2.txt", "note1.txt"]
    assert page["has_more"] is True
    second = await client.get(
        "/api/files",
        params={"limit": 3, "cursor": page["next_cursor"]},
        headers=people.owner.headers,
    )
    assert [f["name"] for f in second.json()["items"]] == ["note0.txt"]
    assert second.json() == {
        "items": second.json()["items"],
        "next_cursor": None,
        "has_more": False,
    }

    only_generated = await client.get("/api/files?purpose=generated", headers=people.owner.headers)
    assert [f["id"] for f in only_generated.json()["items"]] == [str(generated.id)]
    assert only_generated.json()["items"][0]["purpose"] == "generated"
    bad = await client.get("/api/files?cursor=not-a-cursor", headers=people.owner.headers)
    assert bad.status_code == 422


async def test_delete_removes_the_bytes_and_hides_the_row(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    item = await upload_one(client, people.owner)
    assert len(stored_files(app)) == 1
    response = await client.delete(f"/api/files/{item['id']}", headers=people.owner.headers)
    assert response.status_code == 204
    assert stored_files(app) == []
    assert await row_count(app) == 1  # soft delete: the row stays for the record
    for path in (f"/api/files/{item['id']}", f"/api/files/{item['id']}/content"):
        assert (await client.get(path, headers=people.owner.headers)).status_code == 404
    listing = await client.get("/api/files", headers=people.owner.headers)
    assert listing.json()["items"] == []
    again = await client.delete(f"/api/files/{item['id']}", headers=people.owner.headers)
    assert again.status_code == 404


async def test_admin_may_delete_any_file(app: FastAPI, client: httpx.AsyncClient, people: People):
    item = await upload_one(client, people.owner)
    response = await client.delete(f"/api/files/{item['id']}", headers=people.admin.headers)
    assert response.status_code == 204
    assert stored_files(app) == []


async def test_viewer_reads_own_files_only_and_cannot_delete(
    client: httpx.AsyncClient, people: People
):
    assert (await client.get("/api/files", headers=people.viewer.headers)).status_code == 200
    item = await upload_one(client, people.owner)
    response = await client.delete(f"/api/files/{item['id']}", headers=people.viewer.headers)
    assert response.status_code == 403  # no files:delete permission at all


async def test_uploads_are_rate_limited_per_user(
    app: FastAPI, client: httpx.AsyncClient, people: People
):
    for _ in range(UPLOADS_PER_MINUTE):
        assert (await upload(client, people.owner, ("a.txt", b"a\n", None))).status_code == 201
    refused = await upload(client, people.owner, ("a.txt", b"a\n", None))
    assert refused.status_code == 429
    assert "retry-after" in refused.headers
    # Another person has their own allowance.
    assert (await upload(client, people.other, ("a.txt", b"a\n", None))).status_code == 201
