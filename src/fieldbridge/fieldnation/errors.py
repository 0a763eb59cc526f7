"""Errors the Field Nation client raises. Each carries the method and path of the request (never its
query, which holds the access token), the HTTP status when there was an answer, and Field Nation's own
message from the answer's body."""

from __future__ import annotations

from typing import Any

import httpx


class FieldNationError(Exception):
    """Base class of every error the client raises."""

    def __init__(self, message: str, *, method: str, path: str, status: int | None = None, body: Any = None):
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.body = body

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return f"{self.method} {self.path}{status}: {self.message}"


class TransportError(FieldNationError):
    """No answer: the connection failed or timed out (after any retries)."""


class ApiError(FieldNationError):
    """Field Nation answered with an error status."""

    status: int


class BadRequestError(ApiError):
    """400/422: malformed or invalid input; `body` may list the fields at fault."""


class AuthenticationError(ApiError):
    """401: the credentials were refused, or a token stayed refused after re-authenticating."""


class PermissionDeniedError(ApiError):
    """403: the credentials may not do this."""


class NotFoundError(ApiError):
    """404: no such work order (or sub-resource, or endpoint)."""


class ConflictError(ApiError):
    """409: the work order's state does not allow this (e.g. an invalid status transition)."""


class PayloadTooLargeError(ApiError):
    """413: an upload over the size limit."""


class RateLimitError(ApiError):
    """429 that outlasted the retries, or asked for a longer wait than the client accepts."""

    def __init__(
        self, message: str, *, method: str, path: str, status: int, body: Any, retry_after: float | None
    ):
        super().__init__(message, method=method, path=path, status=status, body=body)
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx that outlasted the retries."""


_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    422: BadRequestError,
}


def message_of(body: Any, fallback: str) -> str:
    """Field Nation's message from any of its error shapes (REST v2, webhooks v3, OAuth)."""
    if isinstance(body, dict):
        for key in ("message", "error_description", "detail"):
            if isinstance(body.get(key), str) and body[key]:
                return str(body[key])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and errors[0].get("message"):
            return str(errors[0]["message"])
        if isinstance(body.get("error"), str):
            return str(body["error"])
    return fallback


def error_from_response(
    response: httpx.Response, method: str, path: str, retry_after: float | None
) -> ApiError:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text[:500]
    status = response.status_code
    message = message_of(body, response.reason_phrase or f"HTTP {status}")
    if status == 429:
        return RateLimitError(
            message, method=method, path=path, status=status, body=body, retry_after=retry_after
        )
    kind = _BY_STATUS.get(status, ServerError if status >= 500 else ApiError)
    return kind(message, method=method, path=path, status=status, body=body)
