"""Proposal files: PPTX decks (pptx, investment, drawing, slide_copy, theme, fonts), PDFs (pdf/)."""
