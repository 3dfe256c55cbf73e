"""Proposal PDFs painted from the PPTX decks, slide by slide (shapes, tables, text)."""

from salesbot.proposals.rendering.pdf.convert import (
    combined_package_pdf,
    combined_separate_pdf,
    deck_to_pdf,
    pptx_to_pdf,
)

__all__ = ["combined_package_pdf", "combined_separate_pdf", "deck_to_pdf", "pptx_to_pdf"]
