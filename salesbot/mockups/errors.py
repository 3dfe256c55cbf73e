"""Mockup refusals and the messages several mockup modules give."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from salesbot.kit.errors import ValidationFailed

PHOTO_NOT_FOUND = "Mockup photo not found."
MOCKUP_NOT_FOUND = "Mockup not found."
NOTHING_TO_REUSE = (
    "There is no recent creative to reuse (creatives are remembered for 30 minutes). "
    "Attach your creative or describe the artwork."
)
UNEXPECTED = "Something went wrong while making the mockup; please try again."
NOT_AN_IMAGE = "A creative must be an image (JPEG, PNG, WebP…); {name} is not."


class MockupRejected(ValidationFailed):
    """The request cannot become a mockup; the message says why, for the salesperson."""

    code = "mockup_invalid"


@contextmanager
def refused_on(*errors: type[Exception]) -> Iterator[None]:
    """Raise these errors (from image, file or drawing code) as `MockupRejected`.

    Their messages are written for the user already, so they are passed on as they are.
    """
    try:
        yield
    except errors as exc:
        raise MockupRejected(str(exc)) from None
