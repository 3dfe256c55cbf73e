"""A proposal intent from a draft: the questions for what is missing, the tool's arguments, and
merging an answer into a pending proposal.
"""

from __future__ import annotations

from datetime import date

from salesbot.kit.phrases import text as wording
from salesbot.kit.phrases.env import (
    Env,
    Intent,
    span,
    trim,
    words,
)
from salesbot.kit.phrases.tokens import Kind
from salesbot.proposals import checks
from salesbot.proposals.offline import questions as asks
from salesbot.proposals.offline.reading import (
    Draft,
    Fields,
    Slot,
    Typed,
    campaign_durations,
    copy_fields,
    has_proposal_fields,
    parse_proposal,
)


def read_proposal(env: Env) -> Intent | None:
    locs = env.of_kind(Kind.LOCATION)
    asked = env.has_kw("proposal", "combined", "package_rate", "separate")
    durations = campaign_durations(env)
    detail = durations or env.of_kind(Kind.AMOUNT) or env.of_kind(Kind.DATE, Kind.BAD_DATE)
    if not (asked or has_proposal_fields(env) or (locs and detail)):
        return None
    draft = parse_proposal(env)
    _one_rate_each(draft)
    for slot in draft.slots:
        slot.fields.fill_from(draft.shared)
    if not draft.slots and not draft.shared.empty():
        draft.slots.append(Slot("", copy_fields(draft.shared)))  # kept until the location is known
    _apply_context(env, draft)
    return _proposal_intent(env, draft)


def _one_rate_each(draft: Draft) -> None:
    """ "landmark and jawhara, 2 weeks, 1.5M/900K": as many shared rates as locations, each with
    one duration and no rate of its own, are one rate per location, in order."""
    rates, slots = draft.shared.rates, draft.slots
    if draft.combined or len(slots) < 2 or len(rates) != len(slots):
        return
    durations = [len(s.fields.durations or draft.shared.durations) for s in slots]
    if any(s.fields.rates for s in slots) or any(n != 1 for n in durations):
        return
    for slot, rate in zip(slots, rates, strict=True):
        slot.fields.rates = [rate]
    draft.shared.rates = []


def _apply_context(env: Env, draft: Draft) -> None:
    ctx = env.context
    draft.client_name = draft.client_name or ctx.client_name
    draft.currency = draft.currency or ctx.currency
    draft.payment_terms = draft.payment_terms or ctx.payment_terms


def _derived_duration(start: date, end: date) -> str | None:
    """The duration an end date implies: 14 days → "2 weeks", 28–31 days → "1 month"."""
    days = (end - start).days + 1
    if days <= 0:
        return None
    if 28 <= days <= 31:
        return "1 month"
    if days % 7 in (0, 1) and days >= 7:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks != 1 else ''}"
    return f"{days} day{'s' if days != 1 else ''}"


def _proposal_intent(env: Env, draft: Draft) -> Intent:
    questions: list[tuple[str, str]] = []
    for slot in draft.slots:
        fields = slot.fields
        if not fields.durations and fields.start_date and fields.end_date:
            derived = _derived_duration(fields.start_date, fields.end_date)
            if derived is not None:
                fields.durations = [derived]
    known = [s for s in draft.slots if s.location]
    for slot in draft.slots:
        if slot.candidates:
            questions.append(
                ("location", wording.ask_which([env.name(k) for k in slot.candidates]))
            )
    if not known and not any(s.candidates for s in draft.slots):
        names = [loc.display_name for loc in env.ordered]
        questions.append(("location", asks.ask_location(names)))
    elif draft.combined and len(known) < 2 and not any(s.candidates for s in draft.slots):
        questions.append(("location", asks.ask_more_locations()))
    if not draft.client_name:
        questions.append(("client_name", asks.ask_client()))
    if draft.combined:
        questions += _combined_questions(env, draft, known)
    else:
        questions += _separate_questions(env, known)
    questions = _explain_problems(questions, draft.problems)
    missing = tuple(dict.fromkeys(name for name, _ in questions))
    tool = "create_combined_proposal" if draft.combined else "create_separate_proposals"
    args = _combined_args(draft) if draft.combined else _separate_args(draft)
    if missing:
        return Intent(tool, args, missing, wording.join_questions([q for _, q in questions]))
    passed = [] if draft.keep_past_start else _past_starts(env, draft)
    if passed:
        return Intent(tool, args, (PAST_START,), checks.question(passed))
    return Intent(tool, args)


PAST_START = "past_start"  # the question "1 Jan 2026 has passed — did you mean 1 Jan 2027?"


def _past_starts(env: Env, draft: Draft) -> list[checks.PastStart]:
    starts = [(s.location, s.fields.start_date) for s in draft.slots]
    return checks.past_starts([(key, d.isoformat()) for key, d in starts if d], env.today)


def _answer_past_start(env: Env, draft: Draft) -> bool:
    """ "yes" moves the passed dates to the suggested ones, "keep the date" (or "no") keeps
    them; False when the message is neither (e.g. another date, merged as usual)."""
    keep = env.has_kw("no") or env.has_word("keep", "anyway", "old", "original", "past")
    if keep:
        draft.keep_past_start = True
        return True
    if not env.has_kw("yes") or env.of_kind(Kind.DATE, Kind.BAD_DATE):
        return False
    for slot in draft.slots:
        start, end = slot.fields.start_date, slot.fields.end_date
        if start is None or start >= env.today:
            continue
        moved = checks.next_occurrence(start, env.today)
        slot.fields.start_date = moved
        if end is not None:
            slot.fields.end_date = end + (moved - start)
    return True


def _explain_problems(
    questions: list[tuple[str, str]], problems: dict[str, str]
) -> list[tuple[str, str]]:
    """Ask about an unreadable date or amount instead of the plain question for that field."""
    out = list(questions)
    for kind, text in problems.items():
        prefixes = ("net_rates", "combined_net_rate") if kind == "net_rates" else (kind,)
        at = next((i for i, (name, _) in enumerate(out) if name.startswith(prefixes)), None)
        if at is None:
            out.append((kind, text))
        else:
            out[at] = (out[at][0], text)
    return out


def _separate_questions(env: Env, slots: list[Slot]) -> list[tuple[str, str]]:
    questions: list[tuple[str, str]] = []
    single = len(slots) == 1
    for slot in slots:
        key, fields, name = slot.location, slot.fields, env.name(slot.location)
        if fields.start_date is None:
            questions.append((f"start_date:{key}", asks.ask_start(name)))
        if not fields.durations:
            questions.append((f"durations:{key}", asks.ask_durations(name)))
        if not fields.rates:
            questions.append((f"net_rates:{key}", asks.ask_rates(None if single else name)))
        elif fields.durations and len(fields.durations) != len(fields.rates):
            question = asks.ask_rates_mismatch(name, len(fields.durations), len(fields.rates))
            questions.append((f"net_rates:{key}", question))
        if env.is_static(key) and fields.production_fee is None:
            questions.append((f"production_fee:{key}", asks.ask_production_fee(name)))
    return questions


def _combined_questions(env: Env, draft: Draft, slots: list[Slot]) -> list[tuple[str, str]]:
    questions: list[tuple[str, str]] = []
    for slot in slots:
        key, fields, name = slot.location, slot.fields, env.name(slot.location)
        if fields.start_date is None:
            questions.append((f"start_date:{key}", asks.ask_start(name)))
        if len(fields.durations) != 1:
            questions.append((f"duration:{key}", asks.ask_package_duration(name)))
        if env.is_static(key) and fields.production_fee is None:
            questions.append((f"production_fee:{key}", asks.ask_production_fee(name)))
    if draft.package_rate is None:
        rates = {rate for slot in draft.slots for rate in slot.fields.rates} | set(
            draft.shared.rates
        )
        if len(rates) == 1:
            draft.package_rate = rates.pop()
        else:
            questions.append(("combined_net_rate", asks.ask_package_rate()))
    return questions


def _top_args(draft: Draft) -> dict[str, object]:
    args: dict[str, object] = {}
    if draft.client_name:
        args["client_name"] = draft.client_name
    if draft.payment_terms:
        args["payment_terms"] = draft.payment_terms
    if draft.currency:
        args["currency"] = draft.currency
    return {**args, **_confirmation(draft)}


def _separate_args(draft: Draft) -> dict[str, object]:
    proposals: list[dict[str, object]] = []
    for slot in draft.slots:
        f = slot.fields
        entry: dict[str, object] = {"location": slot.location}
        if f.start_date:
            entry["start_date"] = f.start_date.isoformat()
        if f.end_date:
            entry["end_date"] = f.end_date.isoformat()
        entry["durations"] = list(f.durations)
        entry["net_rates"] = [r.text() for r in f.rates]
        if f.spots:
            entry["spots"] = f.spots
        if f.production_fee is not None:
            entry["production_fee"] = f.production_fee.text()
        proposals.append(entry)
    args = _top_args(draft)
    args["proposals"] = proposals
    return args


def _confirmation(draft: Draft) -> dict[str, object]:
    return {"past_start_confirmed": True} if draft.keep_past_start else {}


def _combined_args(draft: Draft) -> dict[str, object]:
    entries: list[dict[str, object]] = []
    for slot in draft.slots:
        f = slot.fields
        entry: dict[str, object] = {"location": slot.location}
        if f.start_date:
            entry["start_date"] = f.start_date.isoformat()
        if len(f.durations) == 1:
            entry["duration"] = f.durations[0]
        if f.production_fee is not None:
            entry["production_fee"] = f.production_fee.text()
        entries.append(entry)
    args = _top_args(draft)
    args["locations"] = entries
    if draft.package_rate is not None:
        args["combined_net_rate"] = draft.package_rate.text()
    return args


def _draft_from_args(pending: Intent) -> Draft:
    """Rebuild the draft a pending proposal intent carries, to merge an answer into it."""
    args = pending.args
    combined = pending.tool == "create_combined_proposal"
    draft = Draft(combined=combined)
    draft.client_name = _str_or_none(args.get("client_name"))
    draft.payment_terms = _str_or_none(args.get("payment_terms"))
    draft.currency = _str_or_none(args.get("currency"))
    draft.keep_past_start = args.get("past_start_confirmed") is True
    rate = _str_or_none(args.get("combined_net_rate"))
    draft.package_rate = Typed.of(rate) if rate else None
    entries = args.get("locations" if combined else "proposals")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        fields = Fields()
        start, end = _str_or_none(entry.get("start_date")), _str_or_none(entry.get("end_date"))
        fields.start_date = date.fromisoformat(start) if start else None
        fields.end_date = date.fromisoformat(end) if end else None
        durations = entry.get("durations", [entry["duration"]] if "duration" in entry else [])
        fields.durations = [str(d) for d in durations] if isinstance(durations, list) else []
        rates = entry.get("net_rates", [])
        typed = [Typed.of(str(r)) for r in rates] if isinstance(rates, list) else []
        fields.rates = [t for t in typed if t is not None]
        spots = entry.get("spots")
        fields.spots = spots if isinstance(spots, int) else None
        fee = _str_or_none(entry.get("production_fee"))
        fields.production_fee = Typed.of(fee) if fee else None
        draft.slots.append(Slot(str(entry.get("location") or ""), fields))
    return draft


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def merge_proposal(env: Env, pending: Intent) -> Intent | None:
    draft = _draft_from_args(pending)
    missing = set(pending.missing)
    if PAST_START in missing and _answer_past_start(env, draft):
        return _proposal_intent(env, draft)
    if env.has_kw("proposal", "combined") and "location" not in missing:
        return None  # a new proposal request, not an answer to the open question
    before = _proposal_intent(env, _draft_from_args(pending))
    patch = parse_proposal(env)
    if _starts_over(draft, patch, missing):
        return None
    draft.client_name = patch.client_name or draft.client_name
    draft.payment_terms = patch.payment_terms or draft.payment_terms
    draft.currency = patch.currency or draft.currency
    draft.package_rate = patch.package_rate or draft.package_rate
    draft.problems = dict(patch.problems)
    if patch.combined:
        draft.combined = True
    for slot in patch.slots:
        target = next((s for s in draft.slots if s.location == slot.location), None)
        if target is None and not slot.candidates:
            target = next((s for s in draft.slots if not s.location), None)
            if target is not None:
                target.location = slot.location
        _route_fee(slot.fields, slot.location, missing)
        if target is None:
            _inherit_common(slot, draft.slots)
            draft.slots.append(slot)
        else:
            target.fields.fill_from(slot.fields, override=True)
    _merge_shared(draft, patch.shared, missing)
    if not (draft.client_name or patch.slots or not patch.shared.empty()):
        draft.client_name = _bare_name(env) if "client_name" in missing else None
    after = _proposal_intent(env, draft)
    if after.args == before.args and after.tool == before.tool:
        return None  # the message added nothing to this proposal
    return after


def _merge_shared(draft: Draft, shared: Fields, missing: set[str]) -> None:
    """Answer fields without a location go where they are missing (or everywhere)."""
    fee_slot = next((s for s in draft.slots if f"production_fee:{s.location}" in missing), None)
    if fee_slot is not None and not any(name.startswith("net_rates") for name in missing):
        _route_fee(shared, fee_slot.location, missing)
        if shared.production_fee is not None and fee_slot.fields.production_fee is None:
            fee_slot.fields.production_fee = shared.production_fee
            shared.production_fee = None
    rates = list(shared.rates)
    if rates and draft.combined:
        draft.package_rate = rates[0] if len(rates) == 1 else draft.package_rate
        rates = []
    values = Fields(
        start_date=shared.start_date,
        end_date=shared.end_date,
        durations=list(shared.durations),
        rates=rates,
        spots=shared.spots,
        production_fee=shared.production_fee,
    )
    if values.empty():
        return
    for attr in ("start_date", "end_date", "durations", "rates", "spots", "production_fee"):
        given = getattr(values, attr)
        if not given and given != 0:
            continue
        lacking = [s for s in draft.slots if not getattr(s.fields, attr)]
        for slot in lacking or draft.slots:
            setattr(slot.fields, attr, list(given) if isinstance(given, list) else given)


def _starts_over(draft: Draft, patch: Draft, missing: set[str]) -> bool:
    """A complete request for other locations, while this one still has gaps, is a new one."""
    known = {slot.location for slot in draft.slots}
    new = [slot for slot in patch.slots if slot.location and slot.location not in known]
    gaps = any(":" in name or name == "location" for name in missing)
    complete = all(
        (s.fields.start_date or patch.shared.start_date)
        and (s.fields.durations or patch.shared.durations)
        and (s.fields.rates or patch.shared.rates)
        for s in new
    )
    return bool(new) and len(new) == len(patch.slots) and complete and gaps


def _inherit_common(slot: Slot, others: list[Slot]) -> None:
    """A location added later takes the dates and durations all the others agree on."""
    if not others:
        return
    for attr in ("start_date", "end_date", "durations"):
        values = [getattr(o.fields, attr) for o in others]
        if not getattr(slot.fields, attr) and values[0] and all(v == values[0] for v in values):
            setattr(slot.fields, attr, list(values[0]) if attr == "durations" else values[0])


def _route_fee(fields: Fields, key: str, missing: set[str]) -> None:
    """A lone amount answering "what is the production fee for X?" is that fee."""
    if (
        len(fields.rates) == 1
        and not fields.keyed_rates
        and fields.production_fee is None
        and f"production_fee:{key}" in missing
        and f"net_rates:{key}" not in missing
        and "combined_net_rate" not in missing
    ):
        fields.production_fee = fields.rates.pop()


_NAME_LEAD = words("it its it's is for the client name called they are this we re s ' : -")


_QUESTION_WORDS = words("what what's how why when where who which can could is are do does")


def _bare_name(env: Env) -> str | None:
    """A whole answer taken as a name ("Nike", "it's for Nike UAE"), never a question."""
    if env.tokens and env.tokens[0].word in _QUESTION_WORDS:
        return None
    idxs: list[int] = []
    started = False
    for i, tok in enumerate(env.tokens):
        if not started and (tok.word in _NAME_LEAD or env.kw(i, "client")):
            continue
        if (tok.kind is Kind.PUNCT and tok.word in (",", ";", ".")) or i in env.used:
            break
        if tok.kind not in (Kind.WORD, Kind.PUNCT, Kind.LOCATION, Kind.KEYWORD, Kind.CODE):
            break
        if (
            tok.kind is Kind.KEYWORD and tok.word in env.shared.starters
        ) or tok.kind is Kind.LOCATION:
            break
        started = True
        idxs.append(i)
    return span(env, trim(env, idxs, frozenset(), frozenset()))
