"""OAuth tokens as Field Nation issues them, and how requests present them.

`POST /authentication/api/oauth/token` takes JSON or form data (Field Nation's pages disagree) with the
`password`, `client_credentials` or `refresh_token` grant. A token arrives as `?access_token=` or as a
Bearer header. REST v2 accepts either kind of token (a client-credentials token acts as the API user);
the webhooks API wants a client-credentials token, as Field Nation documents.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any, Literal

from fastapi import Request

from fieldbridge.sandbox.fieldnation.errors import ApiError, OAuthError

Grant = Literal["password", "client_credentials"]
REFRESH_TOKEN_TTL = 14 * 24 * 3600.0


@dataclass(frozen=True)
class ApiCredentials:
    """The seeded company's API credentials, made once per emulator: `/_sim/reset` keeps clients working."""

    client_id: str
    client_secret: str
    username: str
    password: str
    user_id: int

    @classmethod
    def generate(cls, username: str, user_id: int) -> ApiCredentials:
        return cls(
            client_id=f"fn-sandbox-{secrets.token_hex(4)}",
            client_secret=secrets.token_urlsafe(24),
            username=username,
            password=secrets.token_urlsafe(12),
            user_id=user_id,
        )


@dataclass
class Token:
    grant: Grant
    user_id: int
    username: str
    expires_at: float


class TokenStore:
    def __init__(self, credentials: ApiCredentials, ttl: float) -> None:
        self.credentials = credentials
        self.ttl = ttl
        self._access: dict[str, Token] = {}
        self._refresh: dict[str, Token] = {}

    def grant(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint's answer to `form`, or an `OAuthError` in RFC 6749's terms."""
        grant_type = form.get("grant_type", "")
        if grant_type not in ("password", "client_credentials", "refresh_token"):
            raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported")
        creds = self.credentials
        if not (
            secrets.compare_digest(form.get("client_id", ""), creds.client_id)
            and secrets.compare_digest(form.get("client_secret", ""), creds.client_secret)
        ):
            raise OAuthError(401, "invalid_client", "Unknown client_id or wrong client_secret")
        if grant_type == "refresh_token":
            old = self._refresh.pop(form.get("refresh_token", ""), None)
            if old is None or old.expires_at <= time.monotonic():
                raise OAuthError(400, "invalid_grant", "The refresh token is invalid or has expired")
            return self._issue("password")
        if grant_type == "password" and not (
            secrets.compare_digest(form.get("username", ""), creds.username)
            and secrets.compare_digest(form.get("password", ""), creds.password)
        ):
            raise OAuthError(400, "invalid_grant", "Wrong username or password")
        return self._issue(grant_type)  # type: ignore[arg-type]  # narrowed above

    def _issue(self, grant: Grant) -> dict[str, Any]:
        now = time.monotonic()
        self._forget_expired(now)
        access = secrets.token_urlsafe(32)
        self._access[access] = Token(
            grant, self.credentials.user_id, self.credentials.username, now + self.ttl
        )
        answer: dict[str, Any] = {
            "access_token": access,
            "expires_in": int(self.ttl) if self.ttl == int(self.ttl) else self.ttl,
            "token_type": "Bearer",
            "scope": "api" if grant == "password" else "webhooks",
        }
        # Only a password grant gets a refresh token; Field Nation's client-credentials answers have none.
        if grant == "password":
            refresh = secrets.token_urlsafe(32)
            self._refresh[refresh] = Token(
                grant, self.credentials.user_id, self.credentials.username, now + REFRESH_TOKEN_TTL
            )
            answer["refresh_token"] = refresh
        return answer

    def _forget_expired(self, now: float) -> None:
        # Expired tokens are kept an hour so a late caller hears "expired" rather than "invalid".
        for value in [v for v, t in self._access.items() if t.expires_at < now - 3600]:
            del self._access[value]

    def expire_all(self) -> int:
        now = time.monotonic()
        for token in self._access.values():
            token.expires_at = min(token.expires_at, now)
        return len(self._access)

    def peek(self, request: Request) -> Token | None:
        value = presented(request)
        return self._access.get(value) if value else None

    def authenticate(self, request: Request, webhooks_api: bool = False) -> Token:
        value = presented(request)
        if not value:
            raise ApiError(
                401, "Missing access token: send ?access_token= or an Authorization: Bearer header"
            )
        token = self._access.get(value)
        if token is None:
            raise ApiError(401, "Invalid access token")
        if token.expires_at <= time.monotonic():
            raise ApiError(401, "The access token has expired")
        if webhooks_api and token.grant != "client_credentials":
            raise ApiError(403, "The webhooks API needs a token from the client_credentials grant")
        return token


def presented(request: Request) -> str | None:
    query = request.query_params.get("access_token")
    if query:
        return query
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


async def read_token_form(request: Request) -> dict[str, str]:
    """The token request's fields from JSON or form data."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        try:
            data = json.loads(await request.body() or b"{}")
        except ValueError:
            raise OAuthError(400, "invalid_request", "The request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise OAuthError(400, "invalid_request", "The request body must be a JSON object")
        return {k: str(v) for k, v in data.items() if isinstance(v, str | int)}
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}
