"""Field Nation webhook signatures: `X-FN-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "X-FN-Signature"


def sign(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, raw_body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `raw_body` under `secret` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(
        sign(secret, raw_body).encode("ascii"), header.strip().lower().encode("ascii", "replace")
    )
