"""Sales Proposal Bot: an AI sales assistant for out-of-home advertising media owners."""

__version__ = "0.1.0"
