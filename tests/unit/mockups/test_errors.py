import pytest

from salesbot.mockups.errors import MockupRejected, refused_on


def test_refused_on_passes_the_message_on_as_a_refusal() -> None:
    with pytest.raises(MockupRejected) as caught, refused_on(KeyError, ValueError):
        raise ValueError("The creative is not an image.")
    assert caught.value.message == "The creative is not an image."
    assert caught.value.code == "mockup_invalid"
    assert caught.value.__cause__ is None


def test_refused_on_lets_other_errors_through() -> None:
    with pytest.raises(RuntimeError), refused_on(ValueError):
        raise RuntimeError("a bug")
