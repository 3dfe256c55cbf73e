"""Alembic migrations; run with `salesbot migrate` (see `salesbot.migrations.runner`)."""
