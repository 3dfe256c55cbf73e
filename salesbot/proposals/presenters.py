"""Proposals as stored and shown: the priced figures as JSON, totals, history summaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from salesbot.kit.tools import FileCard
from salesbot.proposals import pricing
from salesbot.proposals.models import Proposal, ProposalLocation
from salesbot.proposals.priced import Money, PricedProposal
from salesbot.proposals.schemas import ProposalLocationBrief, ProposalSummary


def _money(m: Money) -> dict[str, str]:
    return {"aed": str(m.aed), "amount": str(m.amount), "currency": m.currency, "text": m.text}


def figures(priced: PricedProposal) -> dict[str, Any]:
    """The priced proposal as JSON-safe data (amounts as strings)."""
    locs = [
        {
            "key": loc.key,
            "display_name": loc.display_name,
            "display_type": loc.display_type,
            "location_line": loc.location_line,
            "start_date": loc.start_date.isoformat(),
            "end_date": loc.end_date.isoformat() if loc.end_date else None,
            "date_text": loc.date_text,
            "spots": loc.spots,
            "fee_label": loc.fee_label,
            "fee": _money(loc.fee),
            "durations": [d.display for d in loc.durations],
            "options": [
                {
                    "duration": o.duration.display,
                    "net_rate": _money(o.net_rate),
                    "fee": _money(o.fee),
                    "dm_fee": _money(o.dm_fee),
                    "subtotal": _money(o.subtotal),
                    "vat": _money(o.vat),
                    "total": _money(o.total),
                }
                for o in loc.options
            ],
        }
        for loc in priced.locations
    ]
    package = None
    if priced.package is not None:
        p = priced.package
        package = {
            "fee_label": pricing.combined_fee_label([loc.display_type for loc in priced.locations]),
            "net_rate": _money(p.net_rate),
            "fees": [_money(f) for f in p.fees],
            "fee_total": _money(p.fee_total),
            "dm_fee": _money(p.dm_fee),
            "subtotal": _money(p.subtotal),
            "vat": _money(p.vat),
            "total": _money(p.total),
        }
    return {
        "locations": locs,
        "package": package,
        "terms": list(priced.terms),
        "currency_note": priced.currency_note,
    }


def display_totals(proposal: Proposal) -> list[str]:
    data = proposal.figures
    if data.get("package"):
        return [str(data["package"]["total"]["text"])]
    return [
        str(option["total"]["text"])
        for loc in data.get("locations", [])
        for option in loc.get("options", [])
    ]


def record_fields(proposal: Proposal) -> dict[str, Any]:
    """What every shape of a stored proposal shows: identity, version chain, client, files."""
    return {
        "id": proposal.id,
        "version": proposal.version,
        "root_id": proposal.root_id,
        "previous_id": proposal.previous_id,
        "kind": "combined" if proposal.kind == "combined" else "separate",
        "owner_id": proposal.owner_id,
        "client_name": proposal.client_name,
        "currency": proposal.currency,
        "created_at": proposal.created_at,
        "proposal_date": proposal.proposal_date,
        "files": [FileCard.model_validate(card) for card in proposal.files],
    }


def summary(proposal: Proposal, places: Sequence[ProposalLocation]) -> ProposalSummary:
    return ProposalSummary(
        **record_fields(proposal),
        locations=[
            ProposalLocationBrief(key=p.location_key, display_name=p.display_name) for p in places
        ],
        totals=display_totals(proposal),
    )
