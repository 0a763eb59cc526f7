"""Checks on credentials that need no call: what the setup guide's Step 3 says a secret must be."""

from __future__ import annotations

from fieldbridge.autotask.causes import MANGLED_CHARACTERS
from fieldbridge.checks.findings import Finding

MIN_SECRET_LENGTH = 16


def lint_secret(secret: str) -> Finding:
    """Never repeats the secret: only its length and which forbidden characters it holds."""
    bad = sorted({c for c in secret if c in MANGLED_CHARACTERS})
    if bad:
        return Finding(
            "secret characters",
            "fail",
            f"the secret contains {' '.join(bad)}",
            "Reset the API user's password using only alphanumeric characters and standard symbols "
            "(no <, > or &), then enter it again",
        )
    if len(secret) < MIN_SECRET_LENGTH:
        return Finding(
            "secret length",
            "fail",
            f"the secret has {len(secret)} characters",
            f"Set a password of at least {MIN_SECRET_LENGTH} characters on the API user",
        )
    return Finding("secret", "pass", f"{len(secret)} characters, none of < > &")
