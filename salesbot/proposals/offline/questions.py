"""What the offline model asks when a proposal request misses something."""

from __future__ import annotations

from collections.abc import Sequence

from salesbot.kit.phrases.text import quote


def ask_client() -> str:
    return "Who is the client?"


def ask_location(examples: Sequence[str]) -> str:
    shown = list(examples[:6])
    more = f" (and {len(examples) - len(shown)} more)" if len(examples) > len(shown) else ""
    if not shown:
        return "Which location is it for?"
    return f"Which location is it for? For example: {', '.join(shown)}{more}."


def ask_start(location: str) -> str:
    return f"When should {location} start?"


def ask_durations(location: str) -> str:
    return f"How long should {location} run (for example 2 weeks, 4 weeks)?"


def ask_rates(location: str | None) -> str:
    if location is None:
        return "What are the net rates for each duration?"
    return f"What are the net rates for {location}, one for each duration?"


def ask_rates_mismatch(location: str, durations: int, rates: int) -> str:
    return (
        f"{location} has {durations} duration{'s' if durations != 1 else ''} but "
        f"{rates} rate{'s' if rates != 1 else ''}. What are the net rates for each duration?"
    )


def ask_production_fee(location: str) -> str:
    return f"What is the production fee for {location}? It's a static location."


def ask_package_rate() -> str:
    return "What is the combined net rate for the whole package?"


def ask_package_duration(location: str) -> str:
    return f"A package has one duration per location. How long should {location} run?"


def ask_more_locations() -> str:
    return "A combined package needs at least two locations. Which locations should it include?"


def bad_date(text: str) -> str:
    return f"I couldn't read the date {quote(text)}. Please write it like 'Jan 1st 2026'."
