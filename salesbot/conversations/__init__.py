"""Conversations: append-only chat storage, search, export and legacy import."""
