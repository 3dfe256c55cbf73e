"""The offline model's own words: help and small talk.

Each capability's questions for its missing fields live with its phrases (its `offline.py`).
"""

from __future__ import annotations

EXAMPLES = (
    "make me a landmark proposal, start Jan 1st 2026, durations 2 weeks, 4 weeks, "
    "rates 1.5M, 2.8M, client Nike",
    "combined package for gateway and uae21, start 1 Feb 2026, 4 weeks each, "
    "package rate 2M, client Adidas",
    "mockup for landmark at night with a luxury watch on black",
    "list locations / show digital screens",
    "booking order for Viola, upload fee is 2000 (with the file attached)",
    "change municipality fee to 8000 / submit / approve / reject because ...",
    "proposal history for Nike",
    "search conversations for Nike",
)


def _examples() -> str:
    return "\n".join(f"- {example}" for example in EXAMPLES)


def greeting() -> str:
    return (
        "Hello! I can build proposals, mockups and booking orders for you. For example:\n"
        + _examples()
    )


def help_text() -> str:
    return "Here is what you can ask me:\n" + _examples()


def unknown() -> str:
    return (
        "Sorry, I didn't understand that. I can build proposals and packages, make mockups, "
        "list locations and handle booking orders. For example:\n" + _examples()
    )


def thanks() -> str:
    return "You're welcome! Anything else?"


def acknowledged() -> str:
    return "OK. What would you like to do next?"


def cancelled() -> str:
    return "OK, I've dropped that. What would you like to do instead?"


def nothing_to_confirm() -> str:
    return "There is nothing waiting for a confirmation. What would you like to do?"
