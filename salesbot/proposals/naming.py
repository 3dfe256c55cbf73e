"""File names for produced proposals (safe characters only) and the case of client names."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

MAX_STEM = 60
MAX_CLIENT_STEM = 40
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def _words(label: str) -> list[str]:
    """ASCII words of `label` (accents folded, punctuation and underscores dropped)."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _NOT_WORD.split(folded) if w]
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    return words


def safe_stem(label: str, fallback: str = "Proposal", limit: int = MAX_STEM) -> str:
    """ "The Dubai Gateway" / "dubai_gateway" → "Dubai_Gateway"; keeps existing capitals."""
    stem = "_".join(w[0].upper() + w[1:] for w in _words(label))[:limit].strip("_")
    return stem or fallback


def location_pptx_name(location: str, client_name: str = "") -> str:
    """ "The Landmark" for "Nike" → "Nike_Landmark_Proposal.pptx".

    The spec names a location's deck "Landmark_Proposal.pptx"; issue #15 asks that every file
    name carry the client, so the client goes in front (without a client: the spec's name).
    """
    client = safe_stem(client_name, "", MAX_CLIENT_STEM)
    place = safe_stem(location, "Location")
    return f"{client}_{place}_Proposal.pptx" if client else f"{place}_Proposal.pptx"


def client_file_name(client_name: str, when: datetime, extension: str = "pdf") -> str:
    """ "Nike Middle East", 2026-01-01 14:30 → "Nike_Middle_East_Proposal_2026-01-01_1430.pdf".

    `when` should already be in the deployment's display time zone.
    """
    ext = _NOT_WORD.sub("", extension).lower() or "pdf"
    return f"{safe_stem(client_name, 'Client')}_Proposal_{when:%Y-%m-%d_%H%M}.{ext}"


def client_case(typed: str, known: str | None = None) -> str:
    """The client's name as first written: `known` (the stored spelling) when it is the same
    name in another case, else the name as typed (spaces tidied).

    "adidas" with "Adidas" on record → "Adidas"; a new client keeps the case it was typed in.
    """
    name = " ".join(typed.split())
    if known and known.casefold() == name.casefold():
        return known
    return name
