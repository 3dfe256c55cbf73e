import random
from dataclasses import dataclass

import pytest

from salesbot.mockups.selection import (
    FrameCountError,
    NoMatchingPhotoError,
    PhotoSelectionError,
    assign_creatives,
    choose_photo,
    frame_count_message,
)


@dataclass(frozen=True)
class Photo:
    name: str
    time_of_day: str
    finish: str
    frame_count: int


PHOTOS = [
    Photo("Jawhara_1.jpg", "day", "gold", 2),
    Photo("Jawhara_2.jpg", "night", "gold", 3),
    Photo("Jawhara_3.jpg", "night", "silver", 2),
    Photo("Jawhara_4.jpg", "day", "silver", 3),
]


def test_the_spec_message_for_too_many_creatives():
    with pytest.raises(FrameCountError) as info:
        choose_photo(PHOTOS, 4, random.Random(1))
    assert str(info.value) == (
        "This location's photos have 2 or 3 frames; you sent 4 creatives. Send 1, 2 or 3."
    )


@pytest.mark.parametrize(
    ("counts", "creatives", "expected"),
    [
        ([1], 2, "This location's photos have 1 frame; you sent 2 creatives. Send 1."),
        ([2], 3, "This location's photos have 2 frames; you sent 3 creatives. Send 1 or 2."),
        (
            [4, 2, 3, 3],
            5,
            "This location's photos have 2, 3 or 4 frames; you sent 5 creatives. "
            "Send 1, 2, 3 or 4.",
        ),
        (
            [1, 3],
            2,
            "This location's photos have 1 or 3 frames; you sent 2 creatives. Send 1 or 3.",
        ),
    ],
)
def test_the_message_generalises_to_other_counts(counts, creatives, expected):
    assert frame_count_message(counts, creatives) == expected


def test_one_creative_fills_every_frame_and_n_fill_n_in_order():
    assert assign_creatives(3, ["a"]) == ["a", "a", "a"]
    assert assign_creatives(3, ["a", "b", "c"]) == ["a", "b", "c"]
    with pytest.raises(FrameCountError, match="you sent 2 creatives"):
        assign_creatives(3, ["a", "b"])
    with pytest.raises(PhotoSelectionError, match="at least one"):
        assign_creatives(3, [])


def test_only_photos_with_exactly_n_frames_qualify_for_n_creatives():
    for seed in range(30):
        assert choose_photo(PHOTOS, 3, random.Random(seed)).frame_count == 3
        assert choose_photo(PHOTOS, 2, random.Random(seed)).frame_count == 2


def test_one_creative_can_use_any_photo_and_the_pick_is_random_but_seeded():
    picks = {choose_photo(PHOTOS, 1, random.Random(seed)).name for seed in range(60)}
    assert picks == {p.name for p in PHOTOS}
    first = choose_photo(PHOTOS, 1, random.Random(42))
    assert choose_photo(list(reversed(PHOTOS)), 1, random.Random(42)) == first


def test_filters_narrow_the_choice_case_insensitively():
    for seed in range(20):
        photo = choose_photo(PHOTOS, 1, random.Random(seed), time_of_day="Night", finish="GOLD")
        assert photo.name == "Jawhara_2.jpg"
    nights = {
        choose_photo(PHOTOS, 1, random.Random(s), time_of_day="night").name for s in range(40)
    }
    assert nights == {"Jawhara_2.jpg", "Jawhara_3.jpg"}


def test_filters_then_frame_counts():
    with pytest.raises(FrameCountError) as info:
        choose_photo(PHOTOS, 2, random.Random(0), time_of_day="night", finish="gold")
    assert str(info.value) == (
        "This location's photos have 3 frames; you sent 2 creatives. Send 1 or 3."
    )


def test_a_named_photo_wins():
    for seed in range(10):
        photo = choose_photo(PHOTOS, 1, random.Random(seed), name="jawhara_4")
        assert photo.name == "Jawhara_4.jpg"
    assert choose_photo(PHOTOS, 2, random.Random(0), name="Jawhara_3.jpg").name == "Jawhara_3.jpg"
    with pytest.raises(FrameCountError, match="have 3 frames"):
        choose_photo(PHOTOS, 2, random.Random(0), name="Jawhara_2")
    with pytest.raises(NoMatchingPhotoError, match='no photo named "Jawhara_9"'):
        choose_photo(PHOTOS, 1, random.Random(0), name="Jawhara_9")


def test_no_matching_photos():
    with pytest.raises(NoMatchingPhotoError, match="no night photos with a bronze finish"):
        choose_photo(PHOTOS, 1, random.Random(0), time_of_day="night", finish="bronze")
    with pytest.raises(NoMatchingPhotoError, match="no mockup photos yet"):
        choose_photo([], 1, random.Random(0))
    unset = [Photo("X_1.jpg", "day", "gold", 0)]
    with pytest.raises(FrameCountError, match="no frames marked yet"):
        choose_photo(unset, 1, random.Random(0))
    with pytest.raises(PhotoSelectionError, match="at least one"):
        choose_photo(PHOTOS, 0, random.Random(0))
