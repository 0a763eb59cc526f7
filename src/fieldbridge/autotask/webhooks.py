"""Autotask webhook (callout) signatures: `X-Hook-Signature: sha1=<base64(HMAC-SHA1(secret, raw body))>`.

Autotask escapes `& < > ' "` and non-ASCII as `\\uXXXX` inside JSON strings, so the signature only holds
over the exact bytes received: verify before parsing, never over a re-serialisation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

HEADER = "X-Hook-Signature"


def sign(secret: str, raw_body: bytes) -> str:
    digest = hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode("ascii")


def verify_signature(secret: str, raw_body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `raw_body` under `secret` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(
        sign(secret, raw_body).encode("ascii"), header.strip().encode("ascii", "replace")
    )
