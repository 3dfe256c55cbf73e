"""Composition slots and the in-process creative store: the bounds they promise."""

from __future__ import annotations

import threading

from hypothesis import given
from hypothesis import strategies as st

from salesbot.mockups.creatives import POSTER_LONG_SIDE, poster_size
from salesbot.mockups.memory import LocalStore
from salesbot.mockups.slots import CompositionSlots, composition_slots


def test_slots_admit_at_most_their_limit() -> None:
    slots = CompositionSlots(2)
    assert slots.try_acquire() and slots.try_acquire()
    assert not slots.try_acquire()
    assert not slots.acquire(timeout=0.01)
    assert slots.in_use == 2 and slots.peak == 2
    freed = threading.Event()

    def waiter() -> None:
        assert slots.acquire(timeout=30)
        freed.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    slots.release()
    thread.join(30)
    assert freed.is_set() and slots.in_use == 2
    slots.release()
    slots.release()
    assert slots.in_use == 0


def test_the_process_shares_one_set_of_slots_per_limit() -> None:
    assert composition_slots(3) is composition_slots(3)
    assert composition_slots(3) is not composition_slots(4)


def test_local_store_keeps_the_newest_entries() -> None:
    store = LocalStore(max_entries=3)
    for key in "abcd":
        store.put(key, key.upper())
    assert store.get("a") is None
    store.put("b", "B2")  # refreshed: now the newest
    store.put("e", "E")
    assert store.get("c") is None and store.get("b") == "B2" and store.get("e") == "E"
    store.delete("e")
    assert store.get("e") is None


@given(st.floats(1, 20_000), st.floats(1, 20_000))
def test_posters_take_the_frame_shape(width: float, height: float) -> None:
    w, h = poster_size(width, height)
    assert max(w, h) == POSTER_LONG_SIDE and min(w, h) >= 256
    if height > width * 1.01:
        assert h > w
    elif width > height * 1.01:
        assert w > h
