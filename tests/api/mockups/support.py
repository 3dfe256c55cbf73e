"""People, synthetic photos and creatives, and request helpers for the mockups API tests."""

from __future__ import annotations

import asyncio
import io
import uuid
from dataclasses import dataclass
from typing import Any

import cv2
import httpx
import numpy as np
from fastapi import FastAPI
from numpy.typing import NDArray
from PIL import Image

from salesbot.users.models import Company, RoleAssignment, User
from tests.api.locations.support import Person, upload
from tests.support.auth import bearer

BOUNDARY = "salesbot-mockups-boundary-9d1e"
GREEN = (0, 255, 0)  # RGB

# A landscape screen on a 400×300 photo and two portrait screens on a 480×300 photo.
LANDSCAPE = [[100.0, 60.0], [300.0, 70.0], [296.0, 190.0], [104.0, 200.0]]
PORTRAIT_PAIR = [
    [[60.0, 40.0], [180.0, 46.0], [176.0, 250.0], [64.0, 256.0]],
    [[300.0, 46.0], [420.0, 40.0], [416.0, 256.0], [304.0, 250.0]],
]


@dataclass(frozen=True)
class Crew:
    admin: Person
    sales: Person
    coordinator: Person  # Backlite's coordinator
    coordinator_viola: Person
    viewer: Person
    backlite_id: uuid.UUID
    viola_id: uuid.UUID


async def make_crew(app: FastAPI) -> Crew:
    """Two companies and the accounts the mockup rules distinguish (bearer tokens only)."""
    async with app.state.db.sessions() as session:
        backlite = Company(code="backlite", name="Backlite", bo_prefix="BL", accent_color="#2b59c3")
        viola = Company(code="viola", name="Viola", bo_prefix="VL", accent_color="#7b3fa0")
        session.add_all([backlite, viola])
        await session.flush()
        made: dict[str, uuid.UUID] = {}
        for key, role, company in (
            ("admin", "admin", None),
            ("sales", "sales_person", None),
            ("coordinator", "coordinator", backlite.id),
            ("coordinator_viola", "coordinator", viola.id),
            ("viewer", "viewer", None),
        ):
            user = User(email=f"{key}@example.com", name=key.title(), password_hash=None)
            user.roles = [RoleAssignment(role=role, company_id=company)]
            session.add(user)
            await session.flush()
            made[key] = user.id
        await session.commit()
        ids = (backlite.id, viola.id)
    people = {key: Person(uid, bearer(app, uid)) for key, uid in made.items()}
    return Crew(**people, backlite_id=ids[0], viola_id=ids[1])


def photo(
    width: int,
    height: int,
    screens: list[list[list[float]]],
    *,
    background: tuple[int, int, int] = (90, 110, 130),
    screen: tuple[int, int, int] = GREEN,
    seed: int = 0,
) -> NDArray[np.uint8]:
    """A BGR photo: a textured background with flat screen-coloured quads."""
    rng = np.random.default_rng(seed)
    image = np.empty((height, width, 3), np.uint8)
    image[:] = background[::-1]
    noise = rng.integers(-6, 7, size=(height, width, 1))
    image = np.clip(image.astype(np.int16) + noise, 0, 255).astype(np.uint8)
    for quad in screens:
        cv2.fillConvexPoly(image, np.rint(np.array(quad)).astype(np.int32), screen[::-1])
    return np.asarray(image, dtype=np.uint8)


def jpeg(image: NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return bytes(data.tobytes())


def png_of(rgb: tuple[int, int, int], size: tuple[int, int] = (120, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, rgb).save(buffer, "PNG")
    return buffer.getvalue()


def decode(data: bytes) -> NDArray[np.uint8]:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None, "not an image"
    return np.asarray(image, np.uint8)


def centre(quad: list[list[float]]) -> tuple[int, int]:
    xs, ys = zip(*quad, strict=True)
    return int(sum(xs) / 4), int(sum(ys) / 4)


def photo_form(
    data: bytes, fields: dict[str, str], *, name: str = "photo.jpg", ctype: str = "image/jpeg"
) -> tuple[bytes, str]:
    parts = b""
    for key, value in fields.items():
        parts += (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
        ).encode()
    parts += (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {ctype}\r\n\r\n"
    ).encode()
    parts += data + f"\r\n--{BOUNDARY}--\r\n".encode()
    return parts, f"multipart/form-data; boundary={BOUNDARY}"


async def add_photo(
    client: httpx.AsyncClient,
    person: Person,
    location: str,
    image: NDArray[np.uint8],
    *,
    time_of_day: str = "day",
    finish: str = "gold",
) -> dict[str, Any]:
    """Upload a photo through the multipart route; its JSON."""
    body, header = photo_form(
        jpeg(image), {"location": location, "time_of_day": time_of_day, "finish": finish}
    )
    response = await client.post(
        "/api/mockups/photos", content=body, headers={**person.headers, "Content-Type": header}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def set_frames(
    client: httpx.AsyncClient,
    person: Person,
    photo_id: str,
    quads: list[list[list[float]]],
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    frames = [{"points": quad, "settings": settings or {}} for quad in quads]
    response = await client.put(
        f"/api/mockups/photos/{photo_id}/frames", json={"frames": frames}, headers=person.headers
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def photo_with_frames(
    client: httpx.AsyncClient,
    person: Person,
    location: str,
    quads: list[list[list[float]]],
    *,
    size: tuple[int, int] = (400, 300),
    time_of_day: str = "day",
    finish: str = "gold",
    seed: int = 0,
) -> dict[str, Any]:
    image = photo(*size, quads, seed=seed)
    made = await add_photo(client, person, location, image, time_of_day=time_of_day, finish=finish)
    return await set_frames(client, person, made["id"], quads)


async def creative(client: httpx.AsyncClient, person: Person, rgb: tuple[int, int, int]) -> str:
    """Upload a flat-colour PNG creative; its file id."""
    return await upload(
        client, person, f"creative-{rgb[0]}-{rgb[1]}-{rgb[2]}.png", png_of(rgb), "image/png"
    )


async def wait_done(
    client: httpx.AsyncClient, person: Person, mockup: dict[str, Any], timeout_s: float = 300
) -> dict[str, Any]:
    """Poll a queued mockup's status URL (the API's own protocol) until it is done or failed;
    the deadline only guards against a hang, so a loaded machine does not trip it."""
    current: dict[str, Any] = mockup
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                response = await client.get(mockup["status_url"], headers=person.headers)
                assert response.status_code == 200, response.text
                current = response.json()
                if current["status"] in ("done", "failed"):
                    return current
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"mockup {mockup['id']} never finished: {current}") from None


async def output_image(
    client: httpx.AsyncClient, person: Person, mockup: dict[str, Any]
) -> NDArray[np.uint8]:
    assert mockup["file"] is not None, mockup
    response = await client.get(mockup["file"]["download_url"], headers=person.headers)
    assert response.status_code == 200, response.text
    return decode(response.content)
