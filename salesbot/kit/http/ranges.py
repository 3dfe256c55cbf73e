"""Single `Range: bytes=` requests (RFC 9110 §14.2)."""

from __future__ import annotations

import re

from salesbot.kit.errors import AppError

_RANGE = re.compile(r"bytes=(\d{0,19})-(\d{0,19})")


class RangeNotSatisfiable(AppError, status=416, code="range_not_satisfiable"):
    """The range starts beyond the end of the content."""


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """[start, end) for a single `bytes=` range; None to send everything."""
    match = _RANGE.fullmatch(header.strip()) if header else None
    if match is None:  # absent, another unit or several ranges: a full response is allowed
        return None
    first, last = match.groups()
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(size)
        return max(0, size - suffix), size
    start = int(first)
    if last and int(last) < start:
        return None  # an invalid range is ignored, not refused
    if start >= size:
        raise _unsatisfiable(size)
    return start, size if not last else min(int(last) + 1, size)


def content_range(start: int, end: int, size: int) -> str:
    """The Content-Range header value of [start, end) out of `size` bytes."""
    return f"bytes {start}-{end - 1}/{size}"


def _unsatisfiable(size: int) -> RangeNotSatisfiable:
    return RangeNotSatisfiable(
        "The requested range is outside the file.",
        headers={"Content-Range": f"bytes */{size}"},
    )
