"""Image input/output for mockups: decoding photos and creatives, AI image providers, demo photos.

Photos decode straight to BGR with OpenCV (EXIF orientation applied, one full-size array);
creatives through Pillow (any allowed format, transparency kept, huge ones reduced while
decoding). AI creatives come from an OpenAI-compatible images API (the openai SDK) or Google's
Imagen / Gemini image API, chosen by `SALESBOT_IMAGE_MODEL` ("openai:gpt-image-1",
"google:imagen-4.0-generate-001").
"""

from __future__ import annotations

import base64
import binascii
import io
import math
from dataclasses import dataclass
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from salesbot.kit.logging import get_logger
from salesbot.mockups.frames import Quad
from salesbot.mockups.poster import Orientation
from salesbot.settings import Settings

log = get_logger(__name__)

# Beyond this a creative only costs memory: the compositor caps its prepared copy at 16 MP.
CREATIVE_MAX_PIXELS = 16_000_000
MAX_GENERATED_BYTES = 40 * 1024 * 1024
_EXIF_ORIENTATION = 274
_ROTATED = (5, 6, 7, 8)
GOOGLE_BASE_URL = "https://generativelanguage.googleapis.com/v1beta"


class ImageDecodeError(ValueError):
    """Bytes that are not a usable image."""


class ImageProviderError(Exception):
    """The image service could not make a creative (not configured, down, refused)."""


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str  # Pillow's name: JPEG, PNG, WEBP...


def probe(data: bytes) -> ImageInfo:
    """Size (as displayed, EXIF rotation applied) and format, from the header only."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            orientation = image.getexif().get(_EXIF_ORIENTATION)
            fmt = str(image.format or "")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageDecodeError("This file is not an image that can be read.") from exc
    if orientation in _ROTATED:
        width, height = height, width
    return ImageInfo(width, height, fmt)


def _check_pixels(info: ImageInfo, max_pixels: int, what: str) -> None:
    if info.width * info.height > max_pixels:
        raise ImageDecodeError(
            f"The {what} is too large ({info.width}×{info.height}); "
            f"the limit is {max_pixels // 1_000_000} megapixels."
        )


def decode_photo(data: bytes, max_pixels: int) -> NDArray[np.uint8]:
    """A billboard photo as a BGR array (EXIF orientation applied)."""
    info = probe(data)
    _check_pixels(info, max_pixels, "photo")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        # Formats OpenCV lacks (GIF) still open through Pillow.
        return np.ascontiguousarray(_pillow_array(data, keep_alpha=False))
    return np.asarray(image, dtype=np.uint8)


def decode_creative(data: bytes, max_pixels: int) -> NDArray[np.uint8]:
    """A creative as BGR, or BGRA when it has transparency; reduced to at most 16 MP."""
    info = probe(data)
    _check_pixels(info, max_pixels, "creative")
    return _pillow_array(data, keep_alpha=True, limit=CREATIVE_MAX_PIXELS)


def _pillow_array(data: bytes, *, keep_alpha: bool, limit: int | None = None) -> NDArray[np.uint8]:
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image: Image.Image = opened
            if limit is not None and image.format == "JPEG":
                # JPEG decodes at 1/2, 1/4 or 1/8 scale for free: never inflate a huge one fully.
                scale = math.sqrt(limit / max(1, image.width * image.height))
                if scale < 1:
                    image.draft("RGB", (int(image.width * scale), int(image.height * scale)))
            image.seek(0)
            image = ImageOps.exif_transpose(image)
            alpha = keep_alpha and (
                "A" in image.getbands() or "transparency" in image.info or image.mode == "P"
            )
            image = image.convert("RGBA" if alpha else "RGB")
            if limit is not None and image.width * image.height > limit:
                scale = math.sqrt(limit / (image.width * image.height))
                size = (max(1, int(image.width * scale)), max(1, int(image.height * scale)))
                image = image.resize(size, Image.Resampling.LANCZOS)
            array = np.asarray(image, dtype=np.uint8)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageDecodeError("This file is not an image that can be read.") from exc
    order = [2, 1, 0, 3] if array.shape[2] == 4 else [2, 1, 0]
    return np.ascontiguousarray(array[:, :, order])


def png_bytes(image: NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
    if not ok:
        raise ImageDecodeError("The image could not be encoded.")
    return bytes(data.tobytes())


def downscale(photo: NDArray[np.uint8], max_side: int) -> tuple[NDArray[np.uint8], float]:
    """The photo shrunk so its longer side is at most `max_side`, and the factor used."""
    height, width = photo.shape[:2]
    scale = min(1.0, max_side / max(width, height))
    if scale >= 1.0:
        return photo, 1.0
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = cv2.resize(photo, size, interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8), size[0] / width


# --- AI image providers ------------------------------------------------------------------------


class ImageProvider(Protocol):
    label: str

    async def generate(self, prompt: str, orientation: Orientation) -> bytes:
        """Image bytes (PNG, JPEG or WebP) for the prompt, in the orientation asked for."""
        ...


def _checked(data: bytes) -> bytes:
    if not data or len(data) > MAX_GENERATED_BYTES:
        raise ImageProviderError("The image service returned no usable image.")
    try:
        probe(data)
    except ImageDecodeError as exc:
        raise ImageProviderError("The image service returned no usable image.") from exc
    return data


def _b64(value: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageProviderError("The image service returned no usable image.") from exc


class OpenAIImages:
    """The OpenAI images API (or any server speaking it, via `base_url`)."""

    def __init__(
        self, model: str, *, api_key: str | None, base_url: str | None, timeout: float
    ) -> None:
        self.model = model
        self.label = f"openai:{model}"
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout

    def _size(self, orientation: Orientation) -> str:
        if self.model.startswith("dall-e-2"):
            return "1024x1024"
        if self.model.startswith("dall-e"):
            return "1024x1792" if orientation == "portrait" else "1792x1024"
        return "1024x1536" if orientation == "portrait" else "1536x1024"

    async def generate(self, prompt: str, orientation: Orientation) -> bytes:
        options: dict[str, Any] = {
            "model": self.model,
            "prompt": prompt,
            "size": self._size(orientation),
            "n": 1,
        }
        if self.model.startswith("dall-e"):
            options["response_format"] = "b64_json"  # gpt-image models always answer in base64
        import openai  # the SDK takes seconds to import: only when images are generated

        try:
            client = openai.AsyncOpenAI(
                api_key=self.api_key or "unset",
                base_url=self.base_url,
                timeout=self.timeout,
                max_retries=1,
            )
            async with client:
                result = await client.images.generate(**options)
        except openai.OpenAIError as exc:
            log.warning("image_provider_failed", provider=self.label, error=type(exc).__name__)
            raise ImageProviderError("The image service could not make the creative.") from exc
        items = getattr(result, "data", None) or []
        if not items:
            raise ImageProviderError("The image service returned no image.")
        first = items[0]
        if first.b64_json:
            return _checked(_b64(first.b64_json))
        if first.url:
            return _checked(await _download(first.url, self.timeout))
        raise ImageProviderError("The image service returned no image.")


async def _download(url: str, timeout_s: float) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ImageProviderError("The image service returned no usable image.")
    import httpx  # httpx pulls in rich and pygments (its CLI): loaded on first use

    try:
        async with (
            httpx.AsyncClient(timeout=timeout_s, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            response.raise_for_status()
            buffer = bytearray()
            async for chunk in response.aiter_bytes():
                buffer += chunk
                if len(buffer) > MAX_GENERATED_BYTES:
                    raise ImageProviderError("The image service returned an image too large.")
            return bytes(buffer)
    except httpx.HTTPError as exc:
        raise ImageProviderError("The image could not be fetched from the image service.") from exc


class GoogleImages:
    """Google's Imagen (`:predict`) or Gemini image models (`:generateContent`)."""

    def __init__(
        self, model: str, *, api_key: str | None, base_url: str | None, timeout: float
    ) -> None:
        self.model = model
        self.label = f"google:{model}"
        self.api_key = api_key
        self.base_url = (base_url or GOOGLE_BASE_URL).rstrip("/")
        self.timeout = timeout

    def _request(self, prompt: str, orientation: Orientation) -> tuple[str, dict[str, Any]]:
        ratio = "9:16" if orientation == "portrait" else "16:9"
        if self.model.startswith("imagen"):
            body: dict[str, Any] = {
                "instances": [{"prompt": prompt}],
                "parameters": {"sampleCount": 1, "aspectRatio": ratio},
            }
            return f"{self.base_url}/models/{self.model}:predict", body
        body = {
            "contents": [{"parts": [{"text": prompt}]}],
            "generationConfig": {
                "responseModalities": ["IMAGE"],
                "imageConfig": {"aspectRatio": ratio},
            },
        }
        return f"{self.base_url}/models/{self.model}:generateContent", body

    async def generate(self, prompt: str, orientation: Orientation) -> bytes:
        url, body = self._request(prompt, orientation)
        headers = {"x-goog-api-key": self.api_key or ""}
        import httpx

        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(url, json=body, headers=headers)
            response.raise_for_status()
            payload = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("image_provider_failed", provider=self.label, error=type(exc).__name__)
            raise ImageProviderError("The image service could not make the creative.") from exc
        encoded = _google_image(payload)
        if encoded is None:
            raise ImageProviderError("The image service returned no image.")
        return _checked(_b64(encoded))


def _google_image(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return None
    for prediction in payload.get("predictions") or []:
        if isinstance(prediction, dict) and isinstance(prediction.get("bytesBase64Encoded"), str):
            return str(prediction["bytesBase64Encoded"])
    for candidate in payload.get("candidates") or []:
        parts = ((candidate or {}).get("content") or {}).get("parts") or []
        for part in parts:
            inline = (part or {}).get("inlineData") or (part or {}).get("inline_data") or {}
            if isinstance(inline.get("data"), str):
                return str(inline["data"])
    return None


def provider_from_settings(settings: Settings) -> ImageProvider | None:
    """The configured image service, or None (offline: creatives are typographic posters)."""
    spec = (settings.image_model or "").strip()
    if not spec:
        return None
    vendor, _, model = spec.partition(":")
    key = settings.image_api_key.get_secret_value() if settings.image_api_key else None
    options = {
        "api_key": key,
        "base_url": settings.image_base_url,
        "timeout": settings.image_timeout_s,
    }
    if vendor == "openai" and model:
        return OpenAIImages(model, **options)  # type: ignore[arg-type]
    if vendor == "google" and model:
        return GoogleImages(model, **options)  # type: ignore[arg-type]
    raise ImageProviderError(
        "SALESBOT_IMAGE_MODEL must look like openai:MODEL or google:MODEL; "
        "using the built-in poster instead."
    )


# --- demo photos -------------------------------------------------------------------------------


def _gradient(
    height: int, width: int, top: tuple[int, int, int], bottom: tuple[int, int, int]
) -> NDArray[np.uint8]:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    column = (1 - t) * np.array(top, np.float32) + t * np.array(bottom, np.float32)
    return np.ascontiguousarray(
        np.broadcast_to(column[:, None, :], (height, width, 3)).astype(np.uint8)
    )


def render_demo_photo(width: int, height: int, screens: list[Quad], *, night: bool) -> bytes:
    """A synthetic street scene (JPEG): sky, towers, a road and billboards with green screens.

    Each screen quad is drawn bright green inside a dark steel surround on a pole, so the
    green-screen detector finds it and mockups look like a real billboard photo.
    """
    sky_top, sky_bottom = (
        ((18, 14, 30), (70, 40, 52)) if night else ((235, 190, 120), (250, 232, 205))
    )
    image = _gradient(height, width, sky_top, sky_bottom)  # BGR
    horizon = int(height * 0.72)
    rng = np.random.default_rng(7)
    for _ in range(14):
        w = int(rng.integers(width // 16, width // 7))
        x = int(rng.integers(-w // 2, width))
        top = int(rng.integers(int(height * 0.2), int(height * 0.55)))
        shade = int(rng.integers(30, 60)) if night else int(rng.integers(120, 175))
        cv2.rectangle(image, (x, top), (x + w, horizon), (shade + 8, shade + 4, shade), -1)
        if night:
            for wy in range(top + 12, horizon - 8, 22):
                for wx in range(x + 8, x + w - 8, 18):
                    if rng.random() < 0.35:
                        cv2.rectangle(image, (wx, wy), (wx + 7, wy + 10), (90, 200, 240), -1)
    road = (40, 40, 44) if night else (95, 98, 100)
    cv2.rectangle(image, (0, horizon), (width, height), road, -1)
    for x in range(0, width, width // 10):
        cv2.line(
            image,
            (x, height - height // 10),
            (x + width // 20, height - height // 10),
            (200, 200, 200),
            3,
        )
    for quad in screens:
        pts = np.array(quad, dtype=np.float64)
        centre_x = float(pts[:, 0].mean())
        bottom = float(pts[:, 1].max())
        pole_w = max(6, int((pts[:, 0].max() - pts[:, 0].min()) * 0.05))
        cv2.rectangle(
            image,
            (int(centre_x - pole_w), int(bottom)),
            (int(centre_x + pole_w), horizon + height // 20),
            (60, 60, 64),
            -1,
        )
        border = max(4, int((pts[:, 1].max() - pts[:, 1].min()) * 0.04))
        centre = pts.mean(axis=0)
        outer = centre + (pts - centre) * (1 + 2 * border / max(1.0, float(np.ptp(pts[:, 1]))))
        cv2.fillConvexPoly(image, np.rint(outer).astype(np.int32), (38, 36, 34), cv2.LINE_AA)
        cv2.fillConvexPoly(image, np.rint(pts).astype(np.int32), (0, 255, 0), cv2.LINE_AA)
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ImageDecodeError("The demo photo could not be encoded.")
    return bytes(data.tobytes())
