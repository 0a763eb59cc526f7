"""Telling a person: alerts by email (dead letters, authentication failures, Outbound Create failures)."""
