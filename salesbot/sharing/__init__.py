"""Client links to proposals: share, view analytics, e-acceptance (docs/proposals.md)."""
