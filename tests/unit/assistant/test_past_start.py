"""A start date that has passed: the offline model asks before producing, and the answer decides
(issue: "1 Jan 2026 has passed — did you mean 1 Jan 2027?")."""

from __future__ import annotations

from tests.unit.assistant.helpers import TODAY, answer, ask, only_proposal

# TODAY is 20 Nov 2025: 1 Mar 2025 has passed, 1 Mar 2026 has not.
PAST = "gateway proposal, start 1 Mar 2025, 2 weeks, rate 1M, client Nike"


def test_a_past_start_is_asked_about_before_anything_is_made() -> None:
    intent = ask(PAST)
    assert intent.tool == "create_separate_proposals"
    assert intent.missing == ("past_start",)
    assert intent.reply is not None
    assert intent.reply.startswith("1 Mar 2025 has passed — did you mean 1 Mar 2026?")
    assert "past_start_confirmed" not in intent.args


def test_yes_takes_the_suggested_date() -> None:
    intent = answer(ask(PAST), "yes")
    assert intent.missing == ()
    assert only_proposal(intent)["start_date"] == "2026-03-01"
    assert "past_start_confirmed" not in intent.args


def test_keeping_the_date_makes_it_with_the_past_date() -> None:
    for reply in ("keep the date", "no, keep it", "no"):
        intent = answer(ask(PAST), reply)
        assert intent.missing == (), reply
        assert only_proposal(intent)["start_date"] == "2025-03-01"
        assert intent.args["past_start_confirmed"] is True


def test_another_date_replaces_it_and_is_checked_again() -> None:
    fixed = answer(ask(PAST), "start 15 Mar 2026")
    assert fixed.missing == ()
    assert only_proposal(fixed)["start_date"] == "2026-03-15"
    still_past = answer(ask(PAST), "start 15 Mar 2025")
    assert still_past.missing == ("past_start",)
    assert still_past.reply is not None and "15 Mar 2025 has passed" in still_past.reply


def test_an_end_date_moves_with_the_start() -> None:
    intent = ask("gateway proposal from 1 Mar 2025 to 14 Mar 2025, rate 1M, client Nike")
    assert intent.missing == ("past_start",)
    moved = only_proposal(answer(intent, "yes"))
    assert (moved["start_date"], moved["end_date"]) == ("2026-03-01", "2026-03-14")


def test_today_and_later_are_not_questioned() -> None:
    assert (
        ask(f"gateway proposal, start {TODAY:%d %b %Y}, 2 weeks, rate 1M, client Nike").missing
        == ()
    )
    assert ask("gateway proposal, start 1 Mar 2026, 2 weeks, rate 1M, client Nike").missing == ()


def test_a_combined_package_is_asked_about_too() -> None:
    intent = ask(
        "combined package for gateway and uae21, start 1 Feb 2025, 4 weeks each, "
        "package rate 2M, production fee 5000, client Adidas"
    )
    assert intent.tool == "create_combined_proposal"
    assert intent.missing == ("past_start",)
    assert intent.reply is not None
    assert intent.reply.startswith("1 Feb 2025 has passed — did you mean 1 Feb 2026?")
    kept = answer(intent, "keep the date")
    assert kept.missing == () and kept.args["past_start_confirmed"] is True
