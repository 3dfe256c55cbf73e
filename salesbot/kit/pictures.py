"""Small copies of photos for documents: decoded once, stored, and placed without decoding again.

A billboard photo can be 8K; a slide needs about 1600 px. JPEG sources are reduced while they
are decoded (libjpeg's DCT scaling), so even a 46-megapixel photo costs a fraction of its size.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

SLIDE_MAX_SIDE = 1600
SLIDE_QUALITY = 82
MAX_SOURCE_PIXELS = 120_000_000


class PictureError(ValueError):
    """Bytes that are not an image that can be read."""


@dataclass(frozen=True)
class Picture:
    data: bytes  # JPEG
    width: int
    height: int


def reduced_jpeg(
    data: bytes, max_side: int = SLIDE_MAX_SIDE, quality: int = SLIDE_QUALITY
) -> Picture:
    """A JPEG copy of an image no larger than `max_side` (orientation applied, RGB)."""
    from PIL import Image, ImageOps, UnidentifiedImageError  # with the first picture, not at start

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_SOURCE_PIXELS:
                raise PictureError("The image has too many pixels.")
            if opened.format == "JPEG":
                # Decode at 1/2, 1/4 or 1/8 scale straight away when that still covers max_side.
                opened.draft("RGB", (max_side, max_side))
            image = ImageOps.exif_transpose(opened)
            image = image.convert("RGBA") if "A" in image.getbands() else image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, PictureError):
            raise
        raise PictureError("This file is not an image that can be read.") from exc
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True)
    return Picture(out.getvalue(), image.width, image.height)
