"""The offline model's words: questions for missing fields, help and small talk."""

from __future__ import annotations

from collections.abc import Sequence

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

_MAX_QUOTE = 40


def quote(text: str) -> str:
    """User text shortened for an answer, so a huge message is never echoed back."""
    text = " ".join(text.split())
    if len(text) > _MAX_QUOTE:
        text = text[: _MAX_QUOTE - 1].rstrip() + "…"
    return f"'{text}'"


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


def join_questions(questions: Sequence[str]) -> str:
    """One question as it is; several as a short list."""
    unique = list(dict.fromkeys(questions))
    if len(unique) == 1:
        return unique[0]
    return "I need a few more details:\n" + "\n".join(f"- {q}" for q in unique)


def names(items: Sequence[str]) -> str:
    """`A`, `A or B`, `A, B or C`."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# --- proposals -------------------------------------------------------------------------------


def ask_client() -> str:
    return "Who is the client?"


def ask_location(examples: Sequence[str]) -> str:
    shown = list(examples[:6])
    more = f" (and {len(examples) - len(shown)} more)" if len(examples) > len(shown) else ""
    if not shown:
        return "Which location is it for?"
    return f"Which location is it for? For example: {', '.join(shown)}{more}."


def ask_which(candidates: Sequence[str]) -> str:
    return f"Which location did you mean: {names(candidates)}?"


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


def ask_amount_in_aed(text: str) -> str:
    return (
        f"Net rates are entered in AED (the proposal can then be shown in another currency). "
        f"What is {quote(text)} in AED?"
    )


def bad_date(text: str) -> str:
    return f"I couldn't read the date {quote(text)}. Please write it like 'Jan 1st 2026'."


# --- mockups ---------------------------------------------------------------------------------


def ask_mockup_location() -> str:
    return "Which location should the mockup show?"


def ask_creative() -> str:
    return (
        "What should the billboard show? Attach your creative, or describe it "
        "(for example 'a luxury watch on black')."
    )


# --- locations -------------------------------------------------------------------------------


def ask_location_to_find() -> str:
    return "Which location are you looking for?"


def ask_new_location_name() -> str:
    return "What is the new location called?"


def ask_display_type() -> str:
    return "Is it a digital or a static location?"


def ask_location_changes(location: str) -> str:
    return f"What should I change on {location} (for example 'upload fee 2500')?"


def confirm_delete(location: str) -> str:
    return f"Deleting {location} can't be undone. Reply 'yes' to confirm."


# --- booking orders --------------------------------------------------------------------------


def ask_attachment() -> str:
    return "Please attach the booking order (PDF, Excel or a photo) and I'll read it."


def ask_reason(action: str) -> str:
    return f"Why should it be {action}? The reason is recorded and sent to the sales person."


def ask_edit_field() -> str:
    return "Which field should I change (for example 'municipality fee to 8000')?"


def ask_edit_value(label: str) -> str:
    return f"What should the {label} be?"


def ask_booking_order_query() -> str:
    return "Which booking order? Give me its number (e.g. DPD-112652) or the client."


# --- history and conversations ---------------------------------------------------------------


def ask_search_query() -> str:
    return "What should I look for in your conversations?"
