"""The image service misbehaving: every failure is an `ImageProviderError` with a plain message,
and a mockup asked for with a description is still made (with the typographic poster)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from salesbot.mockups import images
from salesbot.mockups.images import (
    GoogleImages,
    ImageProviderError,
    OpenAIImages,
    provider_from_settings,
)
from salesbot.settings import Settings
from tests.api.locations.support import seed_catalogue
from tests.api.mockups.conftest import AppFactory
from tests.api.mockups.support import LANDSCAPE, make_crew, photo_with_frames
from tests.support.fake_images import MAGENTA, FakeImageService

NO_USABLE_IMAGE = "The image service returned no usable image."
COULD_NOT_MAKE = "The image service could not make the creative."


def openai_images(
    service: FakeImageService, model: str = "gpt-image-1", **kw: float
) -> OpenAIImages:
    return OpenAIImages(
        model, api_key="k", base_url=f"{service.url}/v1", timeout=kw.get("timeout", 30)
    )


def google_images(service: FakeImageService, model: str, timeout: float = 30) -> GoogleImages:
    return GoogleImages(model, api_key="k", base_url=f"{service.url}/v1beta", timeout=timeout)


async def test_an_answer_with_a_link_is_downloaded(image_service: FakeImageService) -> None:
    image_service.mode = "url"
    data = await openai_images(image_service).generate("a red car", "landscape")
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (96, 64) and image.getpixel((5, 5)) == MAGENTA


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("url_missing", "The image could not be fetched from the image service."),
        ("url_ftp", NO_USABLE_IMAGE),
        ("garbage", NO_USABLE_IMAGE),
        ("not_image", NO_USABLE_IMAGE),
        ("empty", "The image service returned no image."),
        ("error", COULD_NOT_MAKE),
    ],
)
async def test_openai_answers_without_a_usable_image_are_refused(
    image_service: FakeImageService, mode: str, message: str
) -> None:
    image_service.mode = mode
    with pytest.raises(ImageProviderError) as refused:
        await openai_images(image_service).generate("a red car", "landscape")
    assert str(refused.value) == message


async def test_a_linked_image_larger_than_the_limit_is_refused(
    image_service: FakeImageService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(images, "MAX_GENERATED_BYTES", 100)  # the served PNG is larger
    image_service.mode = "url"
    with pytest.raises(ImageProviderError, match="too large"):
        await openai_images(image_service).generate("a red car", "landscape")
    image_service.mode = "ok"  # inline (base64) images obey the same limit
    with pytest.raises(ImageProviderError) as refused:
        await openai_images(image_service).generate("a red car", "landscape")
    assert str(refused.value) == NO_USABLE_IMAGE


@pytest.mark.parametrize(
    ("model", "portrait", "landscape"),
    [
        ("dall-e-3", "1024x1792", "1792x1024"),
        ("dall-e-2", "1024x1024", "1024x1024"),
        ("gpt-image-1", "1024x1536", "1536x1024"),
    ],
)
async def test_openai_sizes_and_format_per_model(
    image_service: FakeImageService, model: str, portrait: str, landscape: str
) -> None:
    provider = openai_images(image_service, model)
    await provider.generate("a perfume bottle", "portrait")
    body = image_service.requests[-1][1]
    assert body["size"] == portrait
    # DALL·E answers with a link unless asked for base64; gpt-image models always inline it.
    assert body.get("response_format") == ("b64_json" if model.startswith("dall-e") else None)
    await provider.generate("a perfume bottle", "landscape")
    assert image_service.requests[-1][1]["size"] == landscape


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("no_image", "The image service returned no image."),
        ("not_json", COULD_NOT_MAKE),
        ("garbage", NO_USABLE_IMAGE),
        ("not_image", NO_USABLE_IMAGE),
        ("error", COULD_NOT_MAKE),
    ],
)
@pytest.mark.parametrize("model", ["imagen-4.0-generate-001", "gemini-2.5-flash-image"])
async def test_google_answers_without_a_usable_image_are_refused(
    image_service: FakeImageService, model: str, mode: str, message: str
) -> None:
    image_service.mode = mode
    with pytest.raises(ImageProviderError) as refused:
        await google_images(image_service, model).generate("a perfume bottle", "portrait")
    assert str(refused.value) == message


async def test_a_service_that_never_answers_times_out(image_service: FakeImageService) -> None:
    # The fake holds every request until the test ends, so the client's own timeout always
    # decides, however slow the machine is.
    image_service.mode = "hang"
    with pytest.raises(ImageProviderError) as openai_refused:
        await openai_images(image_service, timeout=1).generate("x", "portrait")
    assert str(openai_refused.value) == COULD_NOT_MAKE
    with pytest.raises(ImageProviderError) as google_refused:
        await google_images(image_service, "imagen-4", timeout=1).generate("x", "portrait")
    assert str(google_refused.value) == COULD_NOT_MAKE


def test_the_provider_is_chosen_from_the_settings() -> None:
    def provider(model: str | None) -> object:
        return provider_from_settings(
            Settings(
                _env_file=None, image_model=model, image_api_key="secret-key", image_timeout_s=7
            )
        )

    assert provider(None) is None and provider("  ") is None
    chosen = provider("openai:gpt-image-1")
    assert isinstance(chosen, OpenAIImages)
    assert (chosen.label, chosen.api_key, chosen.timeout) == ("openai:gpt-image-1", "secret-key", 7)
    google = provider("google:imagen-4.0-generate-001")
    assert isinstance(google, GoogleImages) and google.base_url == images.GOOGLE_BASE_URL
    for wrong in ("acme:model-1", "openai:", "gpt-image-1"):
        with pytest.raises(ImageProviderError, match="must look like openai:MODEL or google:MODEL"):
            provider(wrong)


# --- through the app -----------------------------------------------------------------------------


async def _describe(
    app_with: AppFactory, **overrides: object
) -> tuple[dict[str, object], dict[str, object]]:
    """Ask for a landmark mockup from a description; the mockup and its creative's file."""
    async with app_with(**overrides) as (app, client):
        crew = await make_crew(app)
        await seed_catalogue(client, crew.admin)
        await photo_with_frames(client, crew.coordinator, "landmark", [LANDSCAPE])
        response = await client.post(
            "/api/mockups",
            json={"location": "landmark", "prompt": "a red sports car"},
            headers=crew.sales.headers,
        )
        assert response.status_code == 201, response.text
        made = response.json()
        (creative_id,) = made["creative_file_ids"]
        card = await client.get(f"/api/files/{creative_id}", headers=crew.sales.headers)
        assert card.status_code == 200, card.text
        return made, card.json()


@pytest.mark.services
async def test_a_misconfigured_service_still_gives_a_poster_mockup(
    app_with: AppFactory, image_service: FakeImageService
) -> None:
    made, creative = await _describe(app_with, image_model="acme:painter")
    assert made["status"] == "done" and made["creative_source"] == "poster"
    assert creative["content_type"] == "image/png"
    assert image_service.requests == []


@pytest.mark.services
async def test_a_service_that_never_answers_still_gives_a_poster_mockup(
    app_with: AppFactory, image_service: FakeImageService
) -> None:
    image_service.mode = "hang"
    made, _ = await _describe(
        app_with,
        image_model="openai:gpt-image-1",
        image_base_url=f"{image_service.url}/v1",
        image_timeout_s=1,
    )
    assert made["status"] == "done" and made["creative_source"] == "poster"
    assert len(image_service.requests) >= 1  # it was asked, and did not answer in time


@pytest.mark.services
@pytest.mark.parametrize(
    ("fmt", "content_type", "suffix"),
    [("JPEG", "image/jpeg", ".jpg"), ("WEBP", "image/webp", ".webp"), ("GIF", "image/png", ".png")],
)
async def test_the_services_image_is_kept_in_its_format_or_made_a_png(
    app_with: AppFactory, image_service: FakeImageService, fmt: str, content_type: str, suffix: str
) -> None:
    image_service.fmt = fmt
    made, creative = await _describe(
        app_with, image_model="openai:gpt-image-1", image_base_url=f"{image_service.url}/v1"
    )
    assert made["status"] == "done" and made["creative_source"] == "ai"
    assert creative["content_type"] == content_type  # GIF is not kept: it becomes a PNG
    assert str(creative["name"]).endswith(suffix)
