"""Field Nation webhook deliveries: `X-FN-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, and
`X-FN-Request-Timestamp`, the time of each attempt in milliseconds.

The signature covers the body only. The timestamp and `X-FN-Delivery-Id` are not signed, so they tell an
honest sender's attempts apart but cannot stop a replay on their own: a replayed body is recognised by
the body itself (the broker stores each signed body once).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

HEADER = "X-FN-Signature"
TIMESTAMP_HEADER = "X-FN-Request-Timestamp"


class BadTimestamp(ValueError):
    """The delivery's timestamp is missing, malformed, or too far from our clock; the message says which."""


def sign(secret: str, raw_body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()


def verify_signature(secret: str, raw_body: bytes, header: str | None) -> bool:
    """True when `header` is the signature of `raw_body` under `secret` (constant-time compare)."""
    if not header:
        return False
    return hmac.compare_digest(
        sign(secret, raw_body).encode("ascii"), header.strip().lower().encode("ascii", "replace")
    )


def check_timestamp(header: str | None, now: datetime, tolerance: timedelta) -> None:
    """Raise `BadTimestamp` unless `header` is a time in milliseconds within `tolerance` of `now`."""
    if not header:
        raise BadTimestamp(
            f"{TIMESTAMP_HEADER} is missing; Field Nation sends the time of each attempt in milliseconds."
        )
    value = header.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 16:  # today's times have 13 digits
        raise BadTimestamp(f"{TIMESTAMP_HEADER} must be a whole number of milliseconds since 1970.")
    skew = now.timestamp() - int(value) / 1000
    if abs(skew) > tolerance.total_seconds():
        direction = "behind" if skew > 0 else "ahead of"
        raise BadTimestamp(
            f"{TIMESTAMP_HEADER} is {abs(skew):.0f} s {direction} this server's clock (at most "
            f"{tolerance.total_seconds():.0f} s is accepted): a replayed delivery, or a clock that is off; "
            "check that both clocks are set by NTP."
        )
