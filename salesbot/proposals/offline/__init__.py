"""Proposals' offline phrases: separate proposals and combined packages ("landmark proposal,
start Jan 1st 2026, 2 and 4 weeks at 1.5M and 2.8M, client Nike") and the proposal history.
The phrases are read in `reading.py` and turned into an intent or questions in `asking.py`.
"""

from __future__ import annotations

from salesbot.kit.phrases.env import (
    Env,
    Family,
    Intent,
    company_after,
    span,
    value_run,
    words,
)
from salesbot.kit.phrases.tokens import Kind
from salesbot.proposals.offline.asking import PAST_START, merge_proposal, read_proposal
from salesbot.proposals.offline.reading import has_proposal_fields

# Canonical keyword -> the phrases that say it.
KEYWORDS = {
    # Arabic: "عرض سعر" (a quotation), "عرض" (an offer).
    "proposal": "proposal|proposals|quote|quotes|quotation|quotations|عرض سعر|عرض|عروض",
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
    if client is not None:
        args["client"] = client
    return Intent("proposal_history", args)


# --- proposals -------------------------------------------------------------------------------


_TOOLS = {
    "create_separate_proposals": "make proposals",
    "create_combined_proposal": "make package proposals",
}

FAMILIES = [
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
