"""Autotask PSA REST v1.0 emulator: zones, security levels, entities, queries, limits and ticket webhooks."""
