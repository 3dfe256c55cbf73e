"""Opening PowerPoint decks from bytes: the one check that an uploaded .pptx is usable."""

from __future__ import annotations

import io
import zipfile
from typing import Any


class TemplateError(ValueError):
    """An uploaded template deck cannot be used."""


def open_deck(pptx: bytes) -> Any:
    """A python-pptx Presentation from bytes; TemplateError when it is not a usable deck."""
    from pptx import Presentation  # python-pptx loads on first use: start-up stays fast
    from pptx.exc import PackageNotFoundError

    try:
        prs = Presentation(io.BytesIO(pptx))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        raise TemplateError(
            "The template deck could not be opened; please upload it again as a .pptx file"
        ) from None
    if not len(prs.slide_layouts):
        raise TemplateError("The template deck has no slide layouts")
    return prs
