"""The Slack channel: a second front door onto the same services (no business rules here)."""
