"""The offline model's own words: help and small talk.

Each capability's questions for its missing fields live with its phrases (its `offline.py`).
"""

from __future__ import annotations

from datetime import date


def _first_of_month(today: date, ahead: int) -> date:
    month = today.month - 1 + ahead
    return date(today.year + month // 12, month % 12 + 1, 1)


def suggestions(today: date) -> list[str]:
    """Requests to start from, dated from today (next month's 1st), never a year gone by."""
    first, second = _first_of_month(today, 1), _first_of_month(today, 2)
    return [
        f"Make me a landmark proposal, start {first:%b} 1st {first.year}, durations 2 weeks, "
        "4 weeks, rates 1.5M, 2.8M, client Nike",
        f"Combined package for gateway and uae21, start {second:%b} 1st {second.year}, "
        "4 weeks, total 3M, client Adidas",
        "Mockup for landmark at night",
        "List locations",
    ]


def examples(today: date) -> tuple[str, ...]:
    first, second = _first_of_month(today, 1), _first_of_month(today, 2)
    return (
        f"make me a landmark proposal, start {first:%b} 1st {first.year}, durations 2 weeks, "
        "4 weeks, rates 1.5M, 2.8M, client Nike",
        f"combined package for gateway and uae21, start 1 {second:%b} {second.year}, "
        "4 weeks each, package rate 2M, client Adidas",
        "mockup for landmark at night with a luxury watch on black",
        "list locations / show digital screens",
        f"is the landmark free in {second:%B}?",
        "booking order for Viola, upload fee is 2000 (with the file attached)",
        "change municipality fee to 8000 / submit / approve / reject because ...",
        "proposal history for Nike",
        "search conversations for Nike",
    )


def _examples(today: date) -> str:
    return "\n".join(f"- {example}" for example in examples(today))


def greeting(today: date) -> str:
    return (
        "Hello! I can build proposals, mockups and booking orders for you. For example:\n"
        + _examples(today)
    )


def help_text(today: date) -> str:
    return "Here is what you can ask me:\n" + _examples(today)


def unknown(today: date) -> str:
    return (
        "Sorry, I didn't understand that. I can build proposals and packages, make mockups, "
        "list locations and handle booking orders. For example:\n" + _examples(today)
    )


def thanks() -> str:
    return "You're welcome! Anything else?"


def acknowledged() -> str:
    return "OK. What would you like to do next?"


def cancelled() -> str:
    return "OK, I've dropped that. What would you like to do instead?"


def nothing_to_confirm() -> str:
    return "There is nothing waiting for a confirmation. What would you like to do?"
