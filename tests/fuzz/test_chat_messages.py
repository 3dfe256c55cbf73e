"""Chat messages as people really type them — huge numbers, walls of one symbol, Arabic and
English mixed, typos, slashes between rates — never end a turn with an SSE `error` event: the
offline model answers or asks (#15 item 9). Against the real server, with the demo catalogue."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fuzz.conftest import FuzzWorld

pytestmark = [pytest.mark.fuzz, pytest.mark.slow]

VOCABULARY = (
    "make proposal quotation landmark gateway jawhara uae21 start next monday mid-March "
    "Jan 1st 2027 05/11/2027 weeks 2 4 rates 1.5M 900K 1.5M/900K 2,800,000 $400k €300k AED "
    "USD client clinet Nike combined package rate mockup booking order submit approve it yes "
    "no عرض سعر للعميل اسبوعين شهر في , . / : and the ??? !!!"
)
WORDS = st.sampled_from(VOCABULARY.split())
NASTY = st.sampled_from(
    [
        "9" * 5000,
        "#" * 10_000,
        "proposal landmark 2 weeks rate " + "1" * 2000 + " client Nike",
        "عرض سعر للعميل Nike landmark اسبوعين 1.5M",
        "landmark proposal, 2 weeks, 1.5M/900K/300K, clinet Nike",
        "\u202e\u0000\ufeff" * 50,
    ]
)
MESSAGES = st.one_of(
    st.lists(WORDS, min_size=1, max_size=30).map(" ".join), NASTY, st.text(min_size=1, max_size=400)
)


def _events(stream: str) -> list[str]:
    return [
        line[len("event:") :].strip() for line in stream.splitlines() if line.startswith("event:")
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=MESSAGES)
def test_no_chat_message_ends_in_an_error_event(fuzz_world: FuzzWorld, message: str) -> None:
    if not message.strip():
        return  # the API refuses blank messages with a 422 before any stream starts
    with httpx.Client(base_url=fuzz_world.base_url, timeout=120) as client:
        response = client.post(
            "/api/chat",
            json={"message": message[:10_000]},
            headers={**fuzz_world.headers["sales"], "Accept": "text/event-stream"},
        )
    assert response.status_code == 200, response.text[:500]
    events = _events(response.text)
    assert "error" not in events, response.text[-2000:]
    assert events[0] == "message_start" and events[-1] == "message_end"
