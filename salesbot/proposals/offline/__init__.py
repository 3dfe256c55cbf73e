"""Proposals' offline phrases: separate proposals and combined packages ("landmark proposal,
start Jan 1st 2026, 2 and 4 weeks at 1.5M and 2.8M, client Nike") and the proposal history.
The phrases are read in `reading.py` and turned into an intent or questions in `asking.py`.
"""

from __future__ import annotations

from datetime import timedelta

from salesbot.kit.parse import add_months
from salesbot.kit.phrases.env import (
    FILLER,
    Env,
    Family,
    Intent,
    company_after,
    span,
    value_run,
    words,
)
from salesbot.kit.phrases.tokens import Kind
from salesbot.proposals.offline import editing
from salesbot.proposals.offline.asking import PAST_START, merge_proposal, read_proposal
from salesbot.proposals.offline.reading import has_proposal_fields

# Canonical keyword -> the phrases that say it.
KEYWORDS = {
    # Arabic: "عرض سعر" (a quotation), "عرض" (an offer).
    "proposal": ("proposal|proposals|quote|quotes|quoted|quotation|quotations|عرض سعر|عرض|عروض"),
    "combined": "combined|combine|package|packages|bundle|bundled",
    "separate": "separate|separately|individual",
    "package_rate": (
        "package rate|package price|package net rate|net package rate|combined rate|"
        "combined net rate|combined price|bundle rate|total package rate"
    ),
    "start": "start|starts|starting|start date|begin|begins|beginning|يبدأ|بداية|من تاريخ",
    "end": "end|ends|ending|end date|until|till|through|thru",
    "duration": "duration|durations|period|periods|campaign duration",
    "rate": "rate|rates|net rate|net rates|price|prices|pricing",
    "net": "net",
    "client": "client|customer|advertiser|client name|للعميل|العميل|عميل",
    "spots": "spot|spots|slot|slots",
    "production_fee": (
        "production fee|production fees|production cost|production|prod fee|printing fee"
    ),
    "payment_terms": "payment terms|payment term|terms of payment|payment|terms",
    "currency": "currency",
    "history": "history",
}

# --- proposal history ------------------------------------------------------------------------

_HISTORY_WORDS = words("past previous recent sent my old earlier all last latest")


def _proposal_history(env: Env) -> Intent | None:
    at = env.find_kw("proposal")
    if at is None or has_proposal_fields(env) or env.of_kind(Kind.LOCATION):
        return None
    if not (
        env.has_kw("history", "list", "find")
        or env.has_word(*_HISTORY_WORDS)
        or env.has_word("what", "which", "how")
    ):
        return None
    args: dict[str, object] = {}
    for i, tok in enumerate(env.tokens):
        if tok.kind is Kind.NUMBER and tok.number is not None and 0 < tok.number <= 500:
            near = env.tokens[i - 1].word if i > 0 else ""
            if near in ("last", "latest", "recent", "top", "first") or (
                i + 1 < len(env.tokens) and env.kw(i + 1, "proposal")
            ):
                args["limit"] = int(tok.number)
    client = None
    marker = env.find_kw("client")
    if marker is not None:
        client = span(env, value_run(env, marker + 1, commas_end=True, allow=frozenset()))
    if client is None:
        client = company_after(env, ("for", "to", "with"))
    if client is None:  # "what did we quote Nike last month?"
        client = _named_after(env, at)
    if client is not None:
        args["client"] = client
    return Intent("proposal_history", {**args, **_period(env)})


def _named_after(env: Env, at: int) -> str | None:
    """Capitalised words right after the proposal word: "quoted Nike Middle East"."""
    run = []
    for k in range(at + 1, len(env.tokens)):
        tok = env.tokens[k]
        if tok.kind is not Kind.WORD or not tok.text[:1].isupper() or tok.word in FILLER:
            break
        run.append(k)
    return span(env, run) if run else None


def _period(env: Env) -> dict[str, object]:
    """ "last month", "this month", "last week", "this week", "this year" as ISO dates."""
    today = env.today
    for i, tok in enumerate(env.tokens[:-1]):
        unit = env.tokens[i + 1].word
        if tok.word not in ("last", "this", "past") or unit not in ("month", "week", "year"):
            continue
        if unit == "month":
            first = today.replace(day=1)
            start = add_months(first, -1) if tok.word != "this" else first
            end = first - timedelta(days=1) if tok.word != "this" else today
        elif unit == "week":
            monday = today - timedelta(days=today.weekday())
            start = monday - timedelta(days=7) if tok.word != "this" else monday
            end = monday - timedelta(days=1) if tok.word != "this" else today
        else:
            start = today.replace(month=1, day=1)
            if tok.word != "this":
                start = start.replace(year=today.year - 1)
            end = today if tok.word == "this" else start.replace(month=12, day=31)
        return {"date_from": start.isoformat(), "date_to": end.isoformat()}
    return {}


_PRICE_WORDS = words("how much cost costs price prices priced pricing charge rate rates")


def _price_question(env: Env) -> Intent | None:
    """ "what is the price of the landmark?", "how much is jawhara": one place, no figures."""
    locs = env.of_kind(Kind.LOCATION)
    if len(locs) != 1 or len(env.tokens[locs[0]].locations) != 1:
        return None
    if env.of_kind(Kind.AMOUNT, Kind.DURATION, Kind.DATE) or env.has_kw("proposal", "combined"):
        return None
    asks_price = env.has_kw("rate") or (env.has_word("how") and env.has_word("much"))
    if not (asks_price or env.has_word("cost", "costs", "charge")):
        return None
    return Intent("location_prices", {"location": env.tokens[locs[0]].locations[0]})


# --- proposals -------------------------------------------------------------------------------


_TOOLS = {
    "create_separate_proposals": "make proposals",
    "create_combined_proposal": "make package proposals",
}

FAMILIES = [
    editing.FAMILY,
    Family(
        name="prices",
        rank=25,
        tools=("location_prices",),
        read=_price_question,
        labels={"location_prices": "look up prices"},
    ),
    Family(
        name="history",
        rank=50,
        tools=("proposal_history",),
        read=_proposal_history,
        labels={"proposal_history": "show proposal history"},
    ),
    Family(
        name="proposal",
        rank=60,
        tools=tuple(_TOOLS),
        keywords=KEYWORDS,
        read=read_proposal,
        answer=merge_proposal,
        answers_first=True,
        confirms=frozenset({PAST_START}),
        starters=words(
            "client start end duration rate net spots production_fee payment_terms currency "
            "package_rate proposal combined separate"
        ),
        labels=_TOOLS,
        signals={"proposal_details": has_proposal_fields},
    ),
]
