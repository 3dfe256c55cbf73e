"""File names for produced proposals: safe characters only."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

MAX_STEM = 60
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")


def _words(label: str) -> list[str]:
    """ASCII words of `label` (accents folded, punctuation and underscores dropped)."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    words = [w for w in _NOT_WORD.split(folded) if w]
    if len(words) > 1 and words[0].lower() == "the":
        words = words[1:]
    return words


def safe_stem(label: str, fallback: str = "Proposal") -> str:
    """ "The Dubai Gateway" / "dubai_gateway" → "Dubai_Gateway"; keeps existing capitals."""
    stem = "_".join(w[0].upper() + w[1:] for w in _words(label))[:MAX_STEM].strip("_")
    return stem or fallback


def location_pptx_name(location: str) -> str:
    """ "The Dubai Gateway" → "Dubai_Gateway_Proposal.pptx"."""
    return f"{safe_stem(location, 'Location')}_Proposal.pptx"


def client_file_name(client_name: str, when: datetime, extension: str = "pdf") -> str:
    """ "Nike Middle East", 2026-01-01 14:30 → "Nike_Middle_East_Proposal_2026-01-01_1430.pdf".

    `when` should already be in the deployment's display time zone.
    """
    ext = _NOT_WORD.sub("", extension).lower() or "pdf"
    return f"{safe_stem(client_name, 'Client')}_Proposal_{when:%Y-%m-%d_%H%M}.{ext}"
