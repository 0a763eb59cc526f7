"""One logical request to Field Nation: authentication, retries with back-off, and typed errors.

- Tokens: REST v2 gets `?access_token=` (as one of Field Nation's pages documents), webhooks v3 a Bearer
  header (as its webhooks pages show). A 401 drops the token and the request is sent once more with a fresh
  one.
- Retries: 429 always (the request was not processed); 5xx and timeouts only for idempotent methods, so a
  POST is never sent twice after the server may have acted on it; connection failures always (nothing
  was sent). Waits are `fieldbridge.backoff`'s, or the server's `Retry-After` when it gives one.
- Nothing that is logged or raised holds the query string; httpx's own log is redacted too.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from fieldbridge import backoff
from fieldbridge.fieldnation.auth import TOKEN_PATH, Credentials, TokenManager
from fieldbridge.fieldnation.errors import TransportError, error_from_response
from fieldbridge.fieldnation.redaction import protect_httpx_logs
from fieldbridge.tls import client_context

log = logging.getLogger("fieldbridge.fieldnation")
Api = Literal["rest", "webhooks"]
PREFIXES: dict[Api, str] = {"rest": "/api/rest/v2", "webhooks": "/api/v1/webhooks"}
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


@dataclass(frozen=True)
class Retries:
    """How hard to try. `attempts` counts every try, the first included."""

    attempts: int = 4
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 120.0
    """A `Retry-After` longer than this is not waited for: the error is raised with `retry_after` set."""
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    rand: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int) -> float:
        """Seconds before the retry that follows attempt `attempt` (0 for the first): `backoff.delay`."""
        return backoff.delay(attempt + 1, self.backoff, self.max_backoff, self.rand)


class Transport:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: float | httpx.Timeout,
        retries: Retries,
        refresh_margin: float,
        clock: Callable[[], float],
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        protect_httpx_logs()
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), timeout=timeout, transport=http_transport, verify=client_context()
        )
        self._retries = retries
        self._tokens: dict[Api, TokenManager] = {
            "rest": TokenManager(credentials, "password", self._post_token_form, refresh_margin, clock),
            "webhooks": TokenManager(
                credentials, "client_credentials", self._post_token_form, refresh_margin, clock
            ),
        }

    def close(self) -> None:
        self._http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        api: Api = "rest",
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send `method path` to `api`; return the 2xx answer or raise a `FieldNationError`."""
        full_path = PREFIXES[api] + path
        tokens = self._tokens[api]
        for second_try in (False, True):
            token = tokens.token()
            if api == "rest":
                auth: dict[str, Any] = {"params": {**(params or {}), "access_token": token}}
            else:
                auth = {"params": params, "headers": {"Authorization": f"Bearer {token}"}}
            response = self._send(method, full_path, json=json, files=files, data=data, **auth)
            if response.status_code != 401 or second_try:
                break
            log.info("%s %s: token refused (401); re-authenticating once", method, full_path)
            tokens.invalidate(token)
        if response.is_error:
            raise error_from_response(response, method, full_path, backoff.retry_after(response.headers))
        return response

    def _post_token_form(self, form: dict[str, str]) -> dict[str, Any]:
        response = self._send("POST", TOKEN_PATH, data=form)
        if response.is_error:
            raise error_from_response(response, "POST", TOKEN_PATH, backoff.retry_after(response.headers))
        answer: dict[str, Any] = response.json()
        return answer

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send with retries; the last answer is returned even when it is an error."""
        # Token requests are POSTs but change nothing: safe to repeat like an idempotent call.
        idempotent = method in IDEMPOTENT or path == TOKEN_PATH
        last = self._retries.attempts - 1
        for attempt in range(self._retries.attempts):
            started = time.monotonic()
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.TransportError as exc:
                unsent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                problem = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                if attempt == last or not (idempotent or unsent):
                    raise TransportError(problem, method=method, path=path) from None
                self._wait(method, path, problem, self._retries.delay(attempt))
                continue
            log.debug(
                "%s %s -> %d (%.0f ms)",
                method,
                path,
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            status = response.status_code
            retryable = status == 429 or (status >= 500 and idempotent)
            if not retryable or attempt == last:
                return response
            wait = backoff.retry_after(response.headers)
            if wait is not None and wait > self._retries.max_retry_after:
                return response
            self._wait(method, path, f"HTTP {status}", self._retries.delay(attempt) if wait is None else wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _wait(self, method: str, path: str, why: str, seconds: float) -> None:
        log.warning("%s %s: %s; retrying in %.2f s", method, path, why, seconds)
        self._retries.sleep(seconds)
