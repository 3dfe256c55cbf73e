"""Choosing the billboard photo for a mockup (pure: standard library only).

Rules (spec §3, Generation): filters `time_of_day` and `finish` narrow the location's photos; a
photo the user names wins; 1 creative fills every frame, N creatives fill N frames in order and
only photos with exactly N frames qualify; among several matches one is picked at random.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar


class PhotoLike(Protocol):
    """What selection needs to know about a photo (ORM rows and dataclasses both fit)."""

    @property
    def name(self) -> str: ...

    @property
    def time_of_day(self) -> str: ...

    @property
    def finish(self) -> str: ...

    @property
    def frame_count(self) -> int: ...


P = TypeVar("P", bound=PhotoLike)
T = TypeVar("T")


class PhotoSelectionError(ValueError):
    """No photo can be used for the request."""


class NoMatchingPhotoError(PhotoSelectionError):
    """No photo passes the filters, or the named photo does not exist."""


class FrameCountError(PhotoSelectionError):
    """The number of creatives fits no photo's number of frames."""


def _or_list(numbers: Sequence[int]) -> str:
    """[1] → "1", [2, 3] → "2 or 3", [2, 3, 4] → "2, 3 or 4"."""
    words = [str(n) for n in numbers]
    if len(words) == 1:
        return words[0]
    return f"{', '.join(words[:-1])} or {words[-1]}"


def frame_count_message(frame_counts: Iterable[int], creatives: int) -> str:
    """`This location's photos have 2 or 3 frames; you sent 4 creatives. Send 1, 2 or 3.`"""
    counts = sorted({n for n in frame_counts if n > 0})
    if not counts:
        return "This location's photos have no frames marked yet; ask a coordinator to set them up."
    noun = "frame" if counts == [1] else "frames"
    sent = f"{creatives} creative{'' if creatives == 1 else 's'}"
    options = sorted({1, *counts})
    return (
        f"This location's photos have {_or_list(counts)} {noun}; you sent {sent}. "
        f"Send {_or_list(options)}."
    )


def qualifies(frame_count: int, creatives: int) -> bool:
    """1 creative fits any photo with frames; N creatives need exactly N frames."""
    if frame_count < 1:
        return False
    return creatives == 1 or frame_count == creatives


def assign_creatives(frame_count: int, creatives: Sequence[T]) -> list[T]:
    """The creative for each frame, in frame order."""
    if not creatives:
        raise PhotoSelectionError("Attach at least one creative.")
    if len(creatives) == 1:
        return [creatives[0]] * frame_count
    if len(creatives) != frame_count:
        raise FrameCountError(frame_count_message([frame_count], len(creatives)))
    return list(creatives)


def _matches(value: str, wanted: str | None) -> bool:
    return wanted is None or value.strip().casefold() == wanted.strip().casefold()


def _no_match_message(time_of_day: str | None, finish: str | None) -> str:
    """E.g. "This location has no night photos with a gold finish." """
    kind = f"{time_of_day.strip()[:20]} " if time_of_day else ""
    with_finish = f" with a {finish.strip()[:30]} finish" if finish else ""
    return f"This location has no {kind}photos{with_finish}."


def choose_photo(
    photos: Sequence[P],
    creatives: int,
    rng: random.Random,
    *,
    time_of_day: str | None = None,
    finish: str | None = None,
    name: str | None = None,
) -> P:
    """The photo to use for `creatives` creatives; `rng` makes the random pick testable."""
    if creatives < 1:
        raise PhotoSelectionError("Attach at least one creative.")
    if not photos:
        raise NoMatchingPhotoError("This location has no mockup photos yet.")
    if name is not None and name.strip():
        wanted = name.strip().casefold()
        named = [p for p in photos if p.name.casefold() == wanted]
        if not named:
            # Allow the name without its extension ("Jawhara_2" for "Jawhara_2.jpg").
            named = [p for p in photos if p.name.casefold().rsplit(".", 1)[0] == wanted]
        if not named:
            shown = name.strip()[:60]
            raise NoMatchingPhotoError(f'This location has no photo named "{shown}".')
        photo = named[0]
        if not qualifies(photo.frame_count, creatives):
            raise FrameCountError(frame_count_message([photo.frame_count], creatives))
        return photo
    filtered = [
        p for p in photos if _matches(p.time_of_day, time_of_day) and _matches(p.finish, finish)
    ]
    if not filtered:
        raise NoMatchingPhotoError(_no_match_message(time_of_day, finish))
    usable = [p for p in filtered if qualifies(p.frame_count, creatives)]
    if not usable:
        raise FrameCountError(frame_count_message((p.frame_count for p in filtered), creatives))
    # Sorted first, so the same seed always picks the same photo whatever the input order.
    usable.sort(key=lambda p: p.name)
    return rng.choice(usable)
