"""Proposal files: PPTX decks (`pptx`, `slide_copy`, `theme`, `fonts`) and their PDFs (`pdf/`)."""
