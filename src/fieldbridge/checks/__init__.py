"""Preflight checks and diagnostics: what is wrong with a connector's set-up, and how to fix it."""
