"""Generation: 1 and N creatives, the frame-count rule, offline posters, history and access."""

from __future__ import annotations

import httpx
import pytest

from tests.api.locations.support import download
from tests.api.mockups.support import (
    LANDSCAPE,
    PORTRAIT_PAIR,
    Crew,
    centre,
    creative,
    decode,
    output_image,
    photo_with_frames,
)

pytestmark = pytest.mark.services

TRIPLE = [
    [[20.0, 40.0], [120.0, 40.0], [120.0, 200.0], [20.0, 200.0]],
    [[150.0, 40.0], [250.0, 40.0], [250.0, 200.0], [150.0, 200.0]],
    [[280.0, 40.0], [380.0, 40.0], [380.0, 200.0], [280.0, 200.0]],
]


def _rgb(image: object, point: tuple[int, int]) -> tuple[int, int, int]:
    b, g, r = (int(v) for v in image[point[1], point[0]])  # type: ignore[index]
    return r, g, b


async def test_one_creative_fills_the_frame(client: httpx.AsyncClient, catalogue: Crew) -> None:
    await photo_with_frames(client, catalogue.coordinator, "landmark", [LANDSCAPE])
    sales = catalogue.sales
    red = await creative(client, sales, (255, 0, 0))
    response = await client.post(
        "/api/mockups", json={"location": "landmark", "file_ids": [red]}, headers=sales.headers
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["status"] == "done" and made["progress"] == 100
    assert made["location_key"] == "the_landmark" and made["photo_name"] == "the_landmark_1.jpg"
    assert made["creative_source"] == "upload" and made["creative_file_ids"] == [red]
    assert made["file"]["content_type"] == "image/jpeg"
    assert made["file"]["name"].startswith("the_landmark_mockup_")
    image = await output_image(client, sales, made)
    assert image.shape == (300, 400, 3)
    r, g, b = _rgb(image, centre(LANDSCAPE))
    assert r > 200 and g < 60 and b < 60
    r, g, b = _rgb(image, (10, 290))  # far outside the frame: the photo's own grey-blue
    assert abs(r - 90) < 15 and abs(g - 110) < 15 and abs(b - 130) < 15

    # The owner sees it in the history and by id; another salesperson does not.
    listed = await client.get("/api/mockups", headers=sales.headers)
    assert [m["id"] for m in listed.json()["items"]] == [made["id"]]
    assert (await client.get(made["status_url"], headers=sales.headers)).status_code == 200
    stranger = await client.get(made["status_url"], headers=catalogue.coordinator.headers)
    assert stranger.status_code == 404
    others = await client.get("/api/mockups", headers=catalogue.coordinator.headers)
    assert others.json()["items"] == []


async def test_n_creatives_fill_n_frames_in_order(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    await photo_with_frames(
        client, catalogue.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300)
    )
    sales = catalogue.sales
    red = await creative(client, sales, (255, 0, 0))
    blue = await creative(client, sales, (0, 0, 255))
    response = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "file_ids": [red, blue], "format": "png"},
        headers=sales.headers,
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["file"]["content_type"] == "image/png"
    image = await output_image(client, sales, made)
    left, right = (centre(q) for q in PORTRAIT_PAIR)
    assert _rgb(image, left)[0] > 200 and _rgb(image, left)[2] < 60
    assert _rgb(image, right)[2] > 200 and _rgb(image, right)[0] < 60

    # One creative fills both frames.
    response = await client.post(
        "/api/mockups", json={"location": "jawhara", "file_ids": [blue]}, headers=sales.headers
    )
    image = await output_image(client, sales, response.json())
    assert _rgb(image, left)[2] > 200 and _rgb(image, right)[2] > 200


async def test_frame_count_rule_and_messages(client: httpx.AsyncClient, catalogue: Crew) -> None:
    coordinator = catalogue.coordinator
    await photo_with_frames(client, coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300))
    await photo_with_frames(client, coordinator, "jawhara", TRIPLE, seed=3)
    sales = catalogue.sales
    ids = [await creative(client, sales, (40 * i, 0, 0)) for i in range(1, 5)]

    response = await client.post(
        "/api/mockups", json={"location": "jawhara", "file_ids": ids}, headers=sales.headers
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "frame_count"
    assert error["message"] == (
        "This location's photos have 2 or 3 frames; you sent 4 creatives. Send 1, 2 or 3."
    )
    # 3 creatives choose the 3-frame photo, 2 the 2-frame one.
    response = await client.post(
        "/api/mockups", json={"location": "jawhara", "file_ids": ids[:3]}, headers=sales.headers
    )
    assert response.status_code == 201 and response.json()["photo_name"] == "jawhara_2.jpg"
    response = await client.post(
        "/api/mockups", json={"location": "jawhara", "file_ids": ids[:2]}, headers=sales.headers
    )
    assert response.status_code == 201 and response.json()["photo_name"] == "jawhara_1.jpg"

    # A named photo with the wrong number of frames gets the rule for that photo.
    photos = (await client.get("/api/mockups/photos", headers=sales.headers)).json()
    pair = next(p for p in photos if p["frame_count"] == 2)
    response = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "file_ids": ids[:3], "photo_id": pair["id"]},
        headers=sales.headers,
    )
    assert response.json()["error"]["message"] == (
        "This location's photos have 2 frames; you sent 3 creatives. Send 1 or 2."
    )
    response = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "file_ids": ids[:1], "photo": "jawhara_1"},
        headers=sales.headers,
    )
    assert response.status_code == 201 and response.json()["photo_name"] == "jawhara_1.jpg"


async def test_filters_and_locations_without_photos(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    await photo_with_frames(client, coordinator, "landmark", [LANDSCAPE], time_of_day="day")
    await photo_with_frames(
        client, coordinator, "landmark", [LANDSCAPE], time_of_day="night", finish="silver", seed=5
    )
    sales = catalogue.sales
    red = await creative(client, sales, (255, 0, 0))

    async def post(**body: object) -> httpx.Response:
        return await client.post(
            "/api/mockups",
            json={"location": "landmark", "file_ids": [red], **body},
            headers=sales.headers,
        )

    night = await post(time_of_day="night")
    assert night.json()["photo_name"] == "the_landmark_2.jpg"
    assert night.json()["time_of_day"] == "night"
    gold = await post(finish="GOLD")
    assert gold.json()["photo_name"] == "the_landmark_1.jpg"
    missing = await post(time_of_day="night", finish="gold")
    assert missing.status_code == 422
    assert missing.json()["error"]["message"] == (
        "This location has no night photos with a gold finish."
    )
    bare = await client.post(
        "/api/mockups", json={"location": "uae21", "file_ids": [red]}, headers=sales.headers
    )
    assert bare.status_code == 422
    assert bare.json()["error"]["message"] == "This location has no mockup photos yet."
    unknown = await client.post(
        "/api/mockups", json={"location": "atlantis", "file_ids": [red]}, headers=sales.headers
    )
    assert unknown.status_code == 404


async def test_prompt_without_an_image_service_makes_a_poster(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    await photo_with_frames(
        client, catalogue.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300)
    )
    sales = catalogue.sales
    response = await client.post(
        "/api/mockups",
        json={"location": "jawhara", "prompt": "A luxury watch on black, gold type"},
        headers=sales.headers,
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["creative_source"] == "poster"
    assert made["prompt"] == "A luxury watch on black, gold type"
    assert len(made["creative_file_ids"]) == 1
    # The poster is kept as the user's file, in the frames' portrait shape.
    poster = decode(
        await download(client, sales, f"/api/files/{made['creative_file_ids'][0]}/content")
    )
    height, width = poster.shape[:2]
    assert height > width
    # A dark poster now covers the green screens.
    image = await output_image(client, sales, made)
    for quad in PORTRAIT_PAIR:
        r, g, b = _rgb(image, centre(quad))
        assert g < 150, (r, g, b)


async def test_creatives_must_be_readable_images(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    await photo_with_frames(client, catalogue.coordinator, "landmark", [LANDSCAPE])
    sales = catalogue.sales
    from tests.api.locations.support import upload

    text = await upload(client, sales, "notes.txt", b"just words\n", "text/plain")
    response = await client.post(
        "/api/mockups", json={"location": "landmark", "file_ids": [text]}, headers=sales.headers
    )
    assert response.status_code == 422
    assert "notes.txt is not" in response.json()["error"]["message"]
    # Someone else's creative cannot be used.
    theirs = await creative(client, catalogue.coordinator, (0, 255, 255))
    response = await client.post(
        "/api/mockups", json={"location": "landmark", "file_ids": [theirs]}, headers=sales.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "attachment_not_found"
    # Viewers cannot make mockups.
    response = await client.post(
        "/api/mockups",
        json={"location": "landmark", "prompt": "x"},
        headers=catalogue.viewer.headers,
    )
    assert response.status_code == 403
    # Nothing given and nothing remembered.
    response = await client.post(
        "/api/mockups", json={"location": "landmark"}, headers=sales.headers
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "no_previous_creative"
