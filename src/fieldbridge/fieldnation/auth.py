"""Credentials and access tokens.

REST v2 uses a user token (`password` grant); webhooks v3 use an application token (`client_credentials`
grant). A `TokenManager` holds one of them: it gets a token on first use, refreshes it before it expires
(with the refresh token when there is one, otherwise a new grant), and drops it when the API says 401 so the
next call re-authenticates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fieldbridge.fieldnation.errors import ApiError

TOKEN_PATH = "/authentication/api/oauth/token"  # noqa: S105 - a path, not a secret
Grant = Literal["password", "client_credentials"]
PostForm = Callable[[dict[str, str]], dict[str, Any]]
"""Sends the token request and returns its JSON, raising a client error on failure."""


@dataclass(frozen=True)
class Credentials:
    """API credentials from Field Nation. `username`/`password` are only needed for REST v2."""

    client_id: str
    client_secret: str = field(repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)


class TokenManager:
    def __init__(
        self,
        credentials: Credentials,
        grant: Grant,
        post_form: PostForm,
        refresh_margin: float,
        clock: Callable[[], float],
    ) -> None:
        self._credentials = credentials
        self._grant = grant
        self._post_form = post_form
        self._margin = refresh_margin
        self._clock = clock
        self._lock = threading.Lock()
        self._access: str | None = None
        self._refresh: str | None = None
        self._refresh_at = 0.0

    def token(self) -> str:
        """A token good for now; one thread fetches while the others wait for it."""
        with self._lock:
            if self._access is None or self._clock() >= self._refresh_at:
                self._obtain()
            assert self._access is not None
            return self._access

    def invalidate(self, rejected: str) -> None:
        """The API refused `rejected`: forget it (unless another thread already replaced it)."""
        with self._lock:
            if self._access == rejected:
                self._access = self._refresh = None

    def _obtain(self) -> None:
        creds = self._credentials
        base = {"client_id": creds.client_id, "client_secret": creds.client_secret}
        if self._refresh is not None:
            try:
                self._store(
                    self._post_form({**base, "grant_type": "refresh_token", "refresh_token": self._refresh})
                )
                return
            except ApiError:
                pass  # a refused refresh token just means a full grant
        form = {**base, "grant_type": self._grant}
        if self._grant == "password":
            if creds.username is None or creds.password is None:
                raise ValueError("REST v2 needs Credentials with a username and a password")
            form |= {"username": creds.username, "password": creds.password}
        self._store(self._post_form(form))

    def _store(self, answer: dict[str, Any]) -> None:
        lifetime = float(answer.get("expires_in") or 3600)
        self._access = str(answer["access_token"])
        self._refresh = answer.get("refresh_token")
        # Refresh `margin` seconds early, but never sooner than half-way through a short-lived token.
        self._refresh_at = self._clock() + lifetime - min(self._margin, lifetime / 2)
