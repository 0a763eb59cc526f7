"""A connector's trigger URL as the checks see it: where it is, how to show it without its token, and
whether a URL (an Autotask webhook's, say) carries the connector's live token.

Only the SHA-256 of a token's secret part is stored (`store.tokens`), so a token is recognised by hashing
what a URL carries, never by reading the token back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from fieldbridge.paths import INBOUND_PATH
from fieldbridge.store import tokens

MASK = "…"


@dataclass(frozen=True)
class LiveToken:
    selector: str
    """The public half of the token: safe to show, and enough to tell two tokens apart."""
    verifier_hash: str = field(repr=False)


@dataclass(frozen=True)
class Trigger:
    public_base_url: str
    live: LiveToken | None
    """None when the connector has no token that works (never issued, or revoked)."""

    @property
    def endpoint(self) -> str:
        return f"{self.public_base_url}{INBOUND_PATH}"

    def masked(self) -> str | None:
        """The trigger URL with the token's secret part left out, for the reference sheet and reports."""
        return f"{self.endpoint}?client_token={self.live.selector}.{MASK}" if self.live else None

    def carried_by(self, url: str) -> bool:
        """True when `url` is this connector's trigger URL with its live token."""
        token = token_in(url, self.endpoint)
        if token is None or self.live is None:
            return False
        presented = tokens.parse(token)
        return presented.selector == self.live.selector and tokens.verifier_matches(
            self.live.verifier_hash, presented
        )


def token_in(url: str, endpoint: str) -> str | None:
    """The client token of a URL that posts to `endpoint` (scheme and host compared case-insensitively)."""
    got, wanted = urlsplit(url), urlsplit(endpoint)
    same_place = (got.scheme.lower(), got.netloc.lower(), got.path) == (
        wanted.scheme.lower(),
        wanted.netloc.lower(),
        wanted.path,
    )
    values = parse_qs(got.query).get("client_token") if same_place else None
    return values[0] if values else None
