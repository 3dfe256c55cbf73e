"""Proposals: pure pricing, PPTX and PDF rendering, file naming."""
