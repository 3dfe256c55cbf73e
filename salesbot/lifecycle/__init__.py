"""Data lifecycle: legal holds, retention, personal-data export and erasure."""
