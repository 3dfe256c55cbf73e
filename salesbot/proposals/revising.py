"""A follow-up edit of a proposal ("make it 4 weeks instead", "add jawhara", "make it combined
at 3M"): the previous version's request with only the named fields changed, and a line per
change for the reply ("Duration 2 weeks → 4 weeks"). Pure: no I/O; locations come resolved.

What cannot be guessed is asked (`NeedsMore`): the rates of an added location, the package
rate when a proposal becomes a package. What cannot be done is refused (`ProposalError`).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from salesbot.kit.money import group_thousands
from salesbot.kit.parse import ParseError, parse_date, read_amount
from salesbot.proposals.inputs import BASE_CURRENCY, ProposalError

Item = dict[str, Any]


@dataclass(frozen=True)
class Changes:
    """The fields the user changed; everything else stays as the previous version had it.

    Locations are catalogue keys (resolved by the service); `location` narrows a duration,
    rate, date or fee change to one of them.
    """

    client_name: str | None = None
    currency: str | None = None
    payment_terms: str | None = None
    start_date: str | None = None
    durations: Sequence[str] = ()
    net_rates: Sequence[str] = ()
    production_fee: str | None = None
    combined_net_rate: str | None = None
    kind: str | None = None  # "combined" | "separate"
    location: str | None = None
    add: Sequence[str] = ()
    remove: Sequence[str] = ()


@dataclass(frozen=True)
class Place:
    """What the edit needs to know of a location: its name and whether it is static."""

    name: str
    static: bool = False


class NeedsMore(ProposalError):
    """The edit needs one more value from the user (`need`: net_rates, production_fee,
    combined_net_rate); the message is the question."""

    def __init__(self, need: str, question: str) -> None:
        super().__init__(question)
        self.need = need


@dataclass
class Revision:
    input: dict[str, Any]
    changed: list[str] = field(default_factory=list)


def money_text(value: object) -> str:
    """An amount as typed, for the reply: "1500000" → "AED 1,500,000", "USD 400000" → "USD
    400,000" (unmarked amounts are AED)."""
    read = read_amount(str(value))
    if read is None:
        return str(value)
    places = 0 if read.value == read.value.to_integral_value() else 2
    return f"{read.currency or BASE_CURRENCY} {group_thousands(read.value, places)}"


def day_text(value: object) -> str:
    """A date as typed, for the reply: "2027-01-01" → "1 Jan 2027" (as typed if unreadable)."""
    try:
        day = parse_date(str(value))
    except ParseError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def _list(values: Sequence[object]) -> str:
    texts = [str(v) for v in values]
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " and " + texts[-1]


def _rates(values: Sequence[object]) -> str:
    return " / ".join(money_text(v) for v in values)


@dataclass
class _Draft:
    """The request being edited: its items paired with their keys, and the change lines."""

    data: dict[str, Any]
    keys: list[str]
    items: list[Item]
    places: Mapping[str, Place]
    changed: list[str] = field(default_factory=list)

    @property
    def combined(self) -> bool:
        return self.data.get("kind") == "combined"

    def name(self, key: str) -> str:
        place = self.places.get(key)
        return place.name if place is not None else key

    def targets(self, key: str | None) -> list[int]:
        if key is None:
            return list(range(len(self.keys)))
        if key not in self.keys:
            raise ProposalError(f"{self.name(key)} is not in this proposal ({self._listing()}).")
        return [self.keys.index(key)]

    def _listing(self) -> str:
        return _list([self.name(k) for k in self.keys])

    def note(self, text: str) -> None:
        self.changed.append(text)


def revise(
    raw: Mapping[str, Any],
    keys: Sequence[str],
    places: Mapping[str, Place],
    changes: Changes,
) -> Revision:
    """The previous request (`raw`, its items' catalogue `keys` in order) with `changes`."""
    data = copy.deepcopy(dict(raw))
    items_key = "locations" if data.get("kind") == "combined" else "proposals"
    draft = _Draft(data, list(keys), list(data.get(items_key) or []), places)
    if len(draft.keys) != len(draft.items):
        raise ProposalError("This proposal can't be changed here; please make it again.")
    _top_fields(draft, changes)
    _remove(draft, changes)
    rates_used = _switch_kind(draft, changes)
    rates_used = _add(draft, changes) or rates_used
    _start(draft, changes)
    rates_used = _durations(draft, changes) or rates_used
    if not rates_used:
        _net_rates(draft, changes)
    _package_rate(draft, changes)
    _fee(draft, changes)
    data.pop("proposals", None)
    data.pop("locations", None)
    data["locations" if draft.combined else "proposals"] = draft.items
    return Revision(data, draft.changed)


def _top_fields(draft: _Draft, ch: Changes) -> None:
    data = draft.data
    if ch.client_name and ch.client_name.strip() != data.get("client_name"):
        draft.note(f"Client {data.get('client_name')} → {ch.client_name.strip()}")
        data["client_name"] = ch.client_name.strip()
    if ch.currency:
        old, new = (data.get("currency") or BASE_CURRENCY).upper(), ch.currency.strip().upper()
        if old != new:
            draft.note(f"Currency {old} → {new}")
            data["currency"] = new
    if ch.payment_terms and ch.payment_terms != data.get("payment_terms"):
        old_terms = data.get("payment_terms") or "100% upfront"
        draft.note(f"Payment terms {old_terms} → {ch.payment_terms}")
        data["payment_terms"] = ch.payment_terms


def _remove(draft: _Draft, ch: Changes) -> None:
    for key in ch.remove:
        at = draft.targets(key)[0]
        if len(draft.keys) == 1:
            raise ProposalError(
                f"{draft.name(key)} is the only location of this proposal; "
                "add another before removing it, or make a new proposal."
            )
        del draft.keys[at], draft.items[at]
        draft.note(f"Removed {draft.name(key)}")
    if draft.combined and ch.remove and len(draft.keys) < 2 and ch.kind != "separate":
        raise ProposalError(
            "A combined package needs at least two locations; say 'make it separate' "
            "to keep one location on its own."
        )


def _switch_kind(draft: _Draft, ch: Changes) -> bool:
    """Separate ↔ combined; True when the change's rates were used for it."""
    wanted = ch.kind or ("combined" if ch.combined_net_rate and not draft.combined else None)
    if wanted == "combined" and not draft.combined:
        _to_combined(draft, ch)
        return True
    if wanted == "separate" and draft.combined:
        _to_separate(draft, ch)
        return True
    return False


def _to_combined(draft: _Draft, ch: Changes) -> None:
    if len(draft.keys) + len(ch.add) < 2:
        raise ProposalError(
            "A combined package needs at least two locations; add one first "
            "(for example 'add jawhara to it')."
        )
    rate = ch.combined_net_rate or (ch.net_rates[0] if len(ch.net_rates) == 1 else None)
    if rate is None:
        raise NeedsMore("combined_net_rate", "What is the combined net rate for the package?")
    items: list[Item] = []
    for key, item in zip(draft.keys, draft.items, strict=True):
        durations = list(ch.durations or item.get("durations") or [])
        if len(durations) != 1:
            raise ProposalError(
                f"A package has one duration per location, and {draft.name(key)} has "
                f"{_list(durations) or 'none'}: which one (e.g. 'make it combined at 3M for "
                "4 weeks')?"
            )
        entry = {k: v for k, v in item.items() if k not in ("durations", "net_rates")}
        items.append({**entry, "duration": durations[0]})
    draft.data["kind"] = "combined"
    draft.data["combined_net_rate"] = rate
    draft.items = items
    draft.note(f"Separate proposal → combined package at {money_text(rate)}")


def _to_separate(draft: _Draft, ch: Changes) -> None:
    rates = list(ch.net_rates)
    if len(rates) != len(draft.keys):
        names = _list([draft.name(k) for k in draft.keys])
        raise NeedsMore("net_rates", f"What is the net rate for each location ({names})?")
    items: list[Item] = []
    for item, rate in zip(draft.items, rates, strict=True):
        entry = {k: v for k, v in item.items() if k != "duration"}
        duration = item.get("duration")
        items.append({**entry, "durations": [duration] if duration else [], "net_rates": [rate]})
    draft.data["kind"] = "separate"
    draft.data.pop("combined_net_rate", None)
    draft.items = items
    draft.note(f"Combined package → separate proposals at {_rates(rates)}")


def _common(draft: _Draft, name: str) -> Any:
    """The value every item agrees on (the first item's otherwise)."""
    values = [item.get(name) for item in draft.items]
    return values[0] if values else None


def _add(draft: _Draft, ch: Changes) -> bool:
    """Add the named places; True when the change's rates were theirs."""
    used = False
    for key in ch.add:
        if key in draft.keys:
            raise ProposalError(f"{draft.name(key)} is already in this proposal.")
        place = draft.places.get(key, Place(key))
        entry: Item = {"location": key, "start_date": ch.start_date or _common(draft, "start_date")}
        if _common(draft, "end_date") and not ch.durations:
            entry["end_date"] = _common(draft, "end_date")
        own_rates = ch.location in (None, key) and len(ch.add) == 1
        if draft.combined:
            entry["duration"] = (list(ch.durations) or [_common(draft, "duration")])[0]
            what = "in the package"
        else:
            durations = list(ch.durations or _common(draft, "durations") or [])
            entry["durations"] = durations
            rates = list(ch.net_rates) if own_rates else []
            if len(rates) != len(durations):
                raise NeedsMore(
                    "net_rates",
                    f"What net rate should {place.name} have for {_list(durations)}?",
                )
            entry["net_rates"] = rates
            used = used or bool(rates)
            what = f"at {_rates(rates)}"
        if place.static:
            if ch.production_fee is None:
                raise NeedsMore(
                    "production_fee",
                    f"What is the production fee for {place.name}? It's a static location.",
                )
            entry["production_fee"] = ch.production_fee
        draft.keys.append(key)
        draft.items.append(entry)
        draft.note(f"Added {place.name} {what}")
    return used


def _start(draft: _Draft, ch: Changes) -> None:
    if not ch.start_date:
        return
    for at in draft.targets(ch.location):
        item = draft.items[at]
        old = item.get("start_date")
        if old == ch.start_date:
            continue
        item["start_date"] = ch.start_date
        if item.get("durations") or item.get("duration"):
            item.pop("end_date", None)  # the duration sets the end again
        name = draft.name(draft.keys[at])
        draft.note(f"Start {day_text(old)} → {day_text(ch.start_date)} ({name})")


def _durations(draft: _Draft, ch: Changes) -> bool:
    """New durations; True when the change's rates went with them."""
    if not ch.durations:
        return False
    new = list(ch.durations)
    used = False
    for at in draft.targets(ch.location):
        item, name = draft.items[at], draft.name(draft.keys[at])
        if draft.combined:
            if len(new) != 1:
                raise ProposalError("A package has one duration per location.")
            old_text = str(item.get("duration") or "")
            if old_text != new[0]:
                item["duration"] = new[0]
                item.pop("end_date", None)
                draft.note(f"Duration {old_text} → {new[0]} ({name})")
            continue
        old = list(item.get("durations") or [])
        rates = list(item.get("net_rates") or [])
        if ch.net_rates and len(ch.net_rates) == len(new):
            rates, used = list(ch.net_rates), True
        elif len(rates) != len(new):
            raise NeedsMore(
                "net_rates", f"What net rate should {name} have for {_list(new)}, one each?"
            )
        if old == new and rates == item.get("net_rates"):
            continue
        item["durations"], item["net_rates"] = new, rates
        item.pop("end_date", None)
        kept = " (net rate kept)" if not used else f" at {_rates(rates)}"
        draft.note(f"Duration {_list(old)} → {_list(new)}{kept} ({name})")
    return used


def _net_rates(draft: _Draft, ch: Changes) -> None:
    if not ch.net_rates:
        return
    rates = list(ch.net_rates)
    if draft.combined:
        if len(rates) != 1:
            raise ProposalError("A package has one combined net rate.")
        _set_package_rate(draft, rates[0])
        return
    targets = draft.targets(ch.location)
    if len(targets) > 1:
        single = all(len(draft.items[at].get("durations") or []) == 1 for at in targets)
        if not (single and len(rates) == len(targets)):
            names = _list([draft.name(k) for k in draft.keys])
            raise ProposalError(
                f"This proposal has {names}: which one's rate (e.g. 'change the rate of "
                f"{draft.name(draft.keys[0])} to {money_text(rates[0])}')?"
            )
        for at, rate in zip(targets, rates, strict=True):
            _set_rates(draft, at, [rate])
        return
    _set_rates(draft, targets[0], rates)


def _set_rates(draft: _Draft, at: int, rates: list[str]) -> None:
    item, name = draft.items[at], draft.name(draft.keys[at])
    durations = list(item.get("durations") or [])
    if len(rates) != len(durations):
        raise ProposalError(
            f"{name} runs for {_list(durations)}: give one net rate for each duration."
        )
    old = list(item.get("net_rates") or [])
    if [money_text(r) for r in old] != [money_text(r) for r in rates]:
        item["net_rates"] = rates
        draft.note(f"Net rate {_rates(old)} → {_rates(rates)} ({name})")


def _package_rate(draft: _Draft, ch: Changes) -> None:
    if ch.combined_net_rate and draft.combined:
        _set_package_rate(draft, ch.combined_net_rate)


def _set_package_rate(draft: _Draft, rate: str) -> None:
    old = draft.data.get("combined_net_rate")
    if old is not None and money_text(old) == money_text(rate):
        return
    draft.data["combined_net_rate"] = rate
    if old is not None:
        draft.note(f"Package rate {money_text(old)} → {money_text(rate)}")


def _fee(draft: _Draft, ch: Changes) -> None:
    if ch.production_fee is None or (ch.add and ch.location is None):
        return
    targets = draft.targets(ch.location)
    static = [at for at in targets if draft.places.get(draft.keys[at], Place("")).static]
    for at in static or targets:
        item = draft.items[at]
        old = item.get("production_fee")
        if old is not None and money_text(old) == money_text(ch.production_fee):
            continue
        item["production_fee"] = ch.production_fee
        before = money_text(old) if old is not None else "none"
        name = draft.name(draft.keys[at])
        draft.note(f"Production fee {before} → {money_text(ch.production_fee)} ({name})")
