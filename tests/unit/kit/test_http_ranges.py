"""Single byte ranges: what is served, what is ignored, what is refused."""

from __future__ import annotations

import pytest

from salesbot.kit.http.ranges import RangeNotSatisfiable, byte_range, content_range


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-9", (0, 10)),
        ("bytes=5-", (5, 100)),
        ("bytes=-10", (90, 100)),
        ("bytes=-500", (0, 100)),
        ("bytes=90-500", (90, 100)),
        ("bytes=9-3", None),  # invalid: ignored, the whole file is sent
        ("bytes=0-1,5-6", None),  # several ranges: a full response is allowed
        ("items=0-1", None),
        ("bytes=-", None),
    ],
)
def test_byte_range(header: str | None, expected: tuple[int, int] | None) -> None:
    assert byte_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=-0"])
def test_unsatisfiable_range_names_the_size(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable) as caught:
        byte_range(header, 100)
    assert caught.value.status_code == 416
    assert caught.value.headers == {"Content-Range": "bytes */100"}


def test_content_range() -> None:
    assert content_range(0, 10, 100) == "bytes 0-9/100"
