"""AI creatives through an image service: a fake one on 127.0.0.1 speaking the real wire formats."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from salesbot.mockups.images import GoogleImages, ImageProviderError, OpenAIImages
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import (
    LANDSCAPE,
    PORTRAIT_PAIR,
    centre,
    make_crew,
    output_image,
    photo_with_frames,
)
from tests.support.fake_images import FakeImageService

pytestmark = pytest.mark.services


async def test_ai_creative_from_an_openai_compatible_service(
    app_with: AppFactory, image_service: FakeImageService
) -> None:
    async with app_with(
        image_model="openai:gpt-image-1",
        image_base_url=f"{image_service.url}/v1",
        image_api_key="sk-test-key",
        job_in_process_worker=False,
    ) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "jawhara", PORTRAIT_PAIR, size=(480, 300))
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        sales = crew.sales

        response = await client.post(
            "/api/mockups",
            json={"location": "jawhara", "prompt": "a luxury watch on black"},
            headers=sales.headers,
        )
        assert response.status_code == 201, response.text
        made = response.json()
        assert made["creative_source"] == "ai" and len(made["creative_file_ids"]) == 1
        path, body, headers = image_service.requests[-1]
        assert path == "/v1/images/generations"
        assert headers["authorization"] == "Bearer sk-test-key"
        assert body["model"] == "gpt-image-1" and body["n"] == 1
        assert body["size"] == "1024x1536"  # portrait frames, portrait creative
        assert "a luxury watch on black" in body["prompt"]
        assert "portrait format" in body["prompt"] and "edge-to-edge" in body["prompt"]
        image = await output_image(client, sales, made)
        for quad in PORTRAIT_PAIR:
            b, g, r = (int(v) for v in image[centre(quad)[1], centre(quad)[0]])
            assert r > 200 and b > 200 and g < 60  # the service's magenta artwork

        landscape = await client.post(
            "/api/mockups",
            json={"location": "landmark", "prompt": "a red sports car"},
            headers=sales.headers,
        )
        assert landscape.status_code == 201
        assert image_service.requests[-1][1]["size"] == "1536x1024"
        assert "landscape format" in image_service.requests[-1][1]["prompt"]

        # "Show it on Jawhara": the same artwork, not a new call to the service.
        calls = len(image_service.requests)
        reuse = await client.post(
            "/api/mockups",
            json={"location": "jawhara", "reuse_previous": True},
            headers=sales.headers,
        )
        assert reuse.status_code == 201
        assert reuse.json()["creative_file_ids"] == landscape.json()["creative_file_ids"]
        assert len(image_service.requests) == calls

        # When the service fails the flow still works, with the typographic poster.
        image_service.mode = "error"
        fallback = await client.post(
            "/api/mockups",
            json={"location": "landmark", "prompt": "a red sports car"},
            headers=sales.headers,
        )
        assert fallback.status_code == 201, fallback.text
        assert fallback.json()["creative_source"] == "poster"
        assert fallback.json()["status"] == "done"


async def test_google_imagen_and_gemini_wire_formats(image_service: FakeImageService) -> None:
    imagen = GoogleImages(
        "imagen-4.0-generate-001",
        api_key="g-key",
        base_url=f"{image_service.url}/v1beta",
        timeout=10,
    )
    data = await imagen.generate("a perfume bottle", "portrait")
    assert Image.open(io.BytesIO(data)).size == (64, 96)
    path, body, headers = image_service.requests[-1]
    assert path == "/v1beta/models/imagen-4.0-generate-001:predict"
    assert headers["x-goog-api-key"] == "g-key"
    assert body == {
        "instances": [{"prompt": "a perfume bottle"}],
        "parameters": {"sampleCount": 1, "aspectRatio": "9:16"},
    }
    gemini = GoogleImages(
        "gemini-2.5-flash-image",
        api_key="g-key",
        base_url=f"{image_service.url}/v1beta",
        timeout=10,
    )
    data = await gemini.generate("a perfume bottle", "landscape")
    assert Image.open(io.BytesIO(data)).size == (96, 64)
    path, body, _ = image_service.requests[-1]
    assert path == "/v1beta/models/gemini-2.5-flash-image:generateContent"
    assert body["generationConfig"]["imageConfig"] == {"aspectRatio": "16:9"}
    assert body["contents"][0]["parts"][0]["text"] == "a perfume bottle"


async def test_provider_failures_are_reported_as_provider_errors(
    image_service: FakeImageService,
) -> None:
    openai_images = OpenAIImages(
        "gpt-image-1", api_key="k", base_url=f"{image_service.url}/v1", timeout=10
    )
    image_service.mode = "empty"
    with pytest.raises(ImageProviderError, match="no image"):
        await openai_images.generate("x", "landscape")
    image_service.mode = "error"
    with pytest.raises(ImageProviderError):
        await openai_images.generate("x", "landscape")
    google = GoogleImages("imagen-4", api_key="k", base_url=image_service.url, timeout=10)
    with pytest.raises(ImageProviderError):
        await google.generate("x", "portrait")
