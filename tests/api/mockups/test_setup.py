"""Photo and frame setup: upload, list, frames (validation, clamping), green detection, preview."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from tests.api.locations.support import upload
from tests.api.mockups.support import (
    LANDSCAPE,
    Crew,
    add_photo,
    centre,
    decode,
    jpeg,
    photo,
    photo_form,
    png_of,
    set_frames,
)

pytestmark = pytest.mark.services


async def test_setup_flow_upload_frames_detect_preview_delete(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    made = await add_photo(
        client, coordinator, "landmark", photo(400, 300, [LANDSCAPE]), time_of_day="night"
    )
    assert made["name"] == "the_landmark_1.jpg"
    assert (made["width"], made["height"]) == (400, 300)
    assert made["time_of_day"] == "night" and made["finish"] == "gold"
    assert made["frames"] == [] and made["frame_count"] == 0

    second = await add_photo(client, coordinator, "the landmark", photo(400, 300, [], seed=1))
    assert second["name"] == "the_landmark_2.jpg"

    # Green detection finds the screen: each corner within 2 px of where it was drawn.
    response = await client.post(
        f"/api/mockups/photos/{made['id']}/detect-green",
        json={"colour": "#00ff00", "tolerance": 90},
        headers=coordinator.headers,
    )
    assert response.status_code == 200, response.text
    found = response.json()["frames"]
    assert len(found) == 1
    for (x, y), (ex, ey) in zip(found[0]["points"], LANDSCAPE, strict=True):
        assert abs(x - ex) <= 2 and abs(y - ey) <= 2
    assert found[0]["settings"]["edge_smoother"] == 3  # defaults come with candidates

    # Corners in any order are stored top-left, top-right, bottom-right, bottom-left.
    shuffled = [LANDSCAPE[2], LANDSCAPE[0], LANDSCAPE[3], LANDSCAPE[1]]
    saved = await set_frames(client, coordinator, made["id"], [shuffled], {"overlay": 20})
    assert saved["frame_count"] == 1
    assert saved["frames"][0]["points"] == LANDSCAPE
    assert saved["frames"][0]["settings"]["overlay"] == 20

    listed = await client.get(
        "/api/mockups/photos", params={"location": "landmark"}, headers=catalogue.sales.headers
    )
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json()] == ["the_landmark_1.jpg", "the_landmark_2.jpg"]
    assert listed.json()[0]["frames"] == saved["frames"]
    other = await client.get(
        "/api/mockups/photos", params={"location": "jawhara"}, headers=catalogue.sales.headers
    )
    assert other.json() == []

    # The photo itself is served to anyone who makes mockups.
    image = await client.get(made["image_url"], headers=catalogue.sales.headers)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert decode(image.content).shape == (300, 400, 3)

    # Preview: the test poster replaces the green inside the frame, the rest stays.
    response = await client.post(
        "/api/mockups/preview",
        json={"photo_id": made["id"], "text": "Summer sale"},
        headers=coordinator.headers,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content[:3] == b"\xff\xd8\xff"
    shown = decode(response.content)
    assert shown.shape == (300, 400, 3)
    x, y = centre(LANDSCAPE)
    b, g, r = (int(v) for v in shown[y, x])
    assert not (g > 200 and r < 60 and b < 60), "the frame still shows the green screen"
    original = decode(jpeg(photo(400, 300, [LANDSCAPE])))
    assert np.abs(shown[280:, :].astype(int) - original[280:, :].astype(int)).mean() < 3

    # Deleting removes the photo and its image.
    response = await client.delete(f"/api/mockups/photos/{made['id']}", headers=coordinator.headers)
    assert response.status_code == 204
    assert (
        await client.get(f"/api/mockups/photos/{made['id']}", headers=coordinator.headers)
    ).status_code == 404
    gone = await client.get(f"/api/files/{made['file_id']}", headers=coordinator.headers)
    assert gone.status_code == 404
    left = await client.get("/api/mockups/photos", headers=coordinator.headers)
    assert [p["name"] for p in left.json()] == ["the_landmark_2.jpg"]


async def test_preview_with_unsaved_frames_and_a_given_creative(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    made = await add_photo(client, coordinator, "landmark", photo(400, 300, [LANDSCAPE]))
    red = await upload(client, coordinator, "red.png", png_of((255, 0, 0)), "image/png")
    response = await client.post(
        "/api/mockups/preview",
        json={
            "photo_id": made["id"],
            "frames": [{"points": LANDSCAPE}],
            "creative_file_id": red,
            "max_side": 256,
        },
        headers=coordinator.headers,
    )
    assert response.status_code == 200, response.text
    shown = decode(response.content)
    assert shown.shape == (192, 256, 3)  # scaled down to the requested longer side
    x, y = centre(LANDSCAPE)
    b, g, r = (int(v) for v in shown[int(y * 0.64), int(x * 0.64)])
    assert r > 200 and g < 50 and b < 50

    # Without saved or given frames there is nothing to preview.
    response = await client.post(
        "/api/mockups/preview", json={"photo_id": made["id"]}, headers=coordinator.headers
    )
    assert response.status_code == 422
    assert "Mark at least one frame" in response.json()["error"]["message"]


async def test_photo_from_an_uploaded_file_and_duplicates(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    file_id = await upload(
        client, coordinator, "IMG_0042.JPG", jpeg(photo(320, 200, [])), "image/jpeg"
    )
    body = {
        "file_id": file_id,
        "location": "jawhara tower",
        "time_of_day": "day",
        "finish": "Silver",
    }
    response = await client.post("/api/mockups/photos", json=body, headers=coordinator.headers)
    assert response.status_code == 201, response.text
    made = response.json()
    assert made["name"] == "jawhara_1.jpg" and made["finish"] == "silver"
    assert made["location_key"] == "jawhara" and made["file_id"] == file_id

    # The same image again for the same location is refused: photos are stored once.
    again = await client.post("/api/mockups/photos", json=body, headers=coordinator.headers)
    assert again.status_code == 409
    assert "already set up for The Jawhara as jawhara_1.jpg" in again.json()["error"]["message"]

    # Not an image, an unknown location, a bad tag.
    pdf = await upload(client, coordinator, "brief.txt", b"hello there\n", "text/plain")
    response = await client.post(
        "/api/mockups/photos", json={**body, "file_id": pdf}, headers=coordinator.headers
    )
    assert response.status_code == 422
    assert "JPEG, PNG or WebP" in response.json()["error"]["message"]
    response = await client.post(
        "/api/mockups/photos", json={**body, "location": "atlantis"}, headers=coordinator.headers
    )
    assert response.status_code == 404
    # domain.md's wording, `Unknown location 'X'. Did you mean: A, B?`, without suggestions.
    assert response.json()["error"]["message"] == "Unknown location 'atlantis'."
    response = await client.post(
        "/api/mockups/photos", json={**body, "time_of_day": "dusk"}, headers=coordinator.headers
    )
    assert response.status_code == 422
    assert "time_of_day" in response.json()["error"]["message"]


async def test_multipart_upload_is_checked_and_nothing_is_left_behind(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    image = jpeg(photo(200, 100, []))
    # A text file dressed as a JPEG is refused by the upload checks.
    body, header = photo_form(b"not really a jpeg", {"location": "landmark", "time_of_day": "day"})
    response = await client.post(
        "/api/mockups/photos", content=body, headers={**coordinator.headers, "Content-Type": header}
    )
    assert response.status_code in (415, 422), response.text
    # An unknown location after a good image: the uploaded image is removed again.
    body, header = photo_form(image, {"location": "atlantis", "time_of_day": "day"})
    response = await client.post(
        "/api/mockups/photos", content=body, headers={**coordinator.headers, "Content-Type": header}
    )
    assert response.status_code == 404
    files = await client.get("/api/files", headers=coordinator.headers)
    assert files.json()["items"] == []
    # Missing fields and unknown fields are named.
    body, header = photo_form(image, {"location": "landmark"})
    response = await client.post(
        "/api/mockups/photos", content=body, headers={**coordinator.headers, "Content-Type": header}
    )
    assert response.status_code == 422 and "time_of_day" in response.json()["error"]["message"]
    body, header = photo_form(image, {"location": "landmark", "time_of_day": "day", "angle": "3"})
    response = await client.post(
        "/api/mockups/photos", content=body, headers={**coordinator.headers, "Content-Type": header}
    )
    assert response.status_code == 422 and "angle" in response.json()["error"]["message"]
    # Neither JSON nor a form.
    response = await client.post(
        "/api/mockups/photos",
        content=b"photo",
        headers={**coordinator.headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415


async def test_frames_are_validated_and_clamped(client: httpx.AsyncClient, catalogue: Crew) -> None:
    coordinator = catalogue.coordinator
    made = await add_photo(client, coordinator, "landmark", photo(400, 300, [LANDSCAPE]))
    url = f"/api/mockups/photos/{made['id']}/frames"

    settings = {"brightness": 500, "saturation": -3, "edge_blur": 4, "depth": 17.5, "lighting": -80}
    response = await client.put(
        url,
        json={"frames": [{"points": LANDSCAPE, "settings": settings}]},
        headers=coordinator.headers,
    )
    assert response.status_code == 200, response.text
    stored = response.json()["frames"][0]["settings"]
    assert stored["brightness"] == 200
    assert stored["saturation"] == 0
    assert stored["edge_blur"] == 5  # forced odd
    assert stored["depth"] == 18  # half-up
    assert stored["lighting"] == -50
    assert stored["contrast"] == 100 and stored["edge_smoother"] == 3  # defaults

    async def refused(frames: object) -> str:
        response = await client.put(url, json={"frames": frames}, headers=coordinator.headers)
        assert response.status_code == 422, response.text
        message: str = response.json()["error"]["message"]
        return message

    message = await refused([{"points": LANDSCAPE, "settings": {"glow": 3}}])
    assert 'Unknown mockup setting "glow"' in message
    message = await refused([{"points": LANDSCAPE, "colour": "red"}])
    assert "colour" in message
    message = await refused([{"points": [[0, 0], [500, 0], [500, 100], [0, 100]]}])
    assert "outside the photo" in message
    message = await refused([{"points": [[0, 0], [10, 0], [20, 0], [30, 0]]}])
    assert "do not outline an area" in message
    message = await refused([{"points": LANDSCAPE[:3]}])
    assert "points" in message
    two = [{"points": LANDSCAPE}, {"points": LANDSCAPE, "settings": {"blur": 2}}]
    message = await refused(two)
    assert message.startswith("Frame 2: ") and '"blur"' in message

    # Refusals changed nothing; an empty list removes the frames.
    current = await client.get(f"/api/mockups/photos/{made['id']}", headers=coordinator.headers)
    assert current.json()["frames"][0]["settings"]["brightness"] == 200
    cleared = await client.put(url, json={"frames": []}, headers=coordinator.headers)
    assert cleared.json()["frame_count"] == 0


async def test_green_detection_with_another_colour_and_bad_input(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    coordinator = catalogue.coordinator
    magenta = photo(400, 300, [LANDSCAPE], screen=(255, 0, 255))
    made = await add_photo(client, coordinator, "landmark", magenta)
    url = f"/api/mockups/photos/{made['id']}/detect-green"
    default = await client.post(url, headers=coordinator.headers)
    assert default.status_code == 200 and default.json()["frames"] == []
    found = await client.post(url, json={"colour": "#ff00ff"}, headers=coordinator.headers)
    assert len(found.json()["frames"]) == 1
    bad = await client.post(url, json={"colour": "purple"}, headers=coordinator.headers)
    assert bad.status_code == 422
    assert "#00ff00" in bad.json()["error"]["message"]
    out_of_range = await client.post(url, json={"tolerance": 500}, headers=coordinator.headers)
    assert out_of_range.status_code == 422


async def test_only_coordinators_and_admins_set_up_photos(
    client: httpx.AsyncClient, catalogue: Crew
) -> None:
    made = await add_photo(client, catalogue.coordinator, "landmark", photo(400, 300, [LANDSCAPE]))
    frames = {"frames": [{"points": LANDSCAPE}]}
    photo_url = f"/api/mockups/photos/{made['id']}"
    for person in (catalogue.sales, catalogue.viewer):
        assert (
            await client.put(f"{photo_url}/frames", json=frames, headers=person.headers)
        ).status_code == 403
        assert (await client.delete(photo_url, headers=person.headers)).status_code == 403
        assert (
            await client.post(f"{photo_url}/detect-green", headers=person.headers)
        ).status_code == 403
        preview = await client.post(
            "/api/mockups/preview", json={"photo_id": made["id"]}, headers=person.headers
        )
        assert preview.status_code == 403
    body, header = photo_form(
        jpeg(photo(200, 100, [])), {"location": "landmark", "time_of_day": "day"}
    )
    response = await client.post(
        "/api/mockups/photos",
        content=body,
        headers={**catalogue.sales.headers, "Content-Type": header},
    )
    assert response.status_code == 403
    # Viewers cannot even list photos; salespeople can.
    assert (
        await client.get("/api/mockups/photos", headers=catalogue.viewer.headers)
    ).status_code == 403
    assert (
        await client.get("/api/mockups/photos", headers=catalogue.sales.headers)
    ).status_code == 200

    # A coordinator sets up their own company's locations only (The Landmark is Backlite's).
    viola = catalogue.coordinator_viola
    response = await client.put(f"{photo_url}/frames", json=frames, headers=viola.headers)
    assert response.status_code == 403
    assert "your company's locations" in response.json()["error"]["message"]
    await add_photo(client, viola, "uae21", photo(400, 300, [LANDSCAPE]))
    # Admins set up anything.
    response = await client.put(f"{photo_url}/frames", json=frames, headers=catalogue.admin.headers)
    assert response.status_code == 200
    assert (await client.delete(photo_url, headers=catalogue.admin.headers)).status_code == 204
    assert (await client.get("/api/mockups/photos")).status_code == 401
