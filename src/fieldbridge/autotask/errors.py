"""Typed errors for Autotask calls. Each carries the operation and entity, the HTTP status and Autotask's
own messages, the request and response (with credentials redacted), and a `cause` a person can act on."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx

from fieldbridge.autotask import causes
from fieldbridge.autotask.causes import Cause

Operation = Literal[
    "get",
    "query",
    "count",
    "list",
    "create",
    "update",
    "replace",
    "delete",
    "entity information",
    "fields",
    "user-defined fields",
    "threshold information",
    "zone discovery",
]
# The security-level permission each operation needs (setup guide, Step 2: View / Add / Edit / Delete).
_ACCESS: dict[Operation, str] = {
    "create": "create",
    "update": "update",
    "replace": "update",
    "delete": "delete",
}
_CREDENTIAL_HEADERS = ("secret", "apiintegrationcode")
_MAX_SHOWN_BODY = 500


class AutotaskError(Exception):
    def __init__(
        self,
        summary: str,
        *,
        operation: Operation,
        entity: str | None = None,
        status: int | None = None,
        messages: list[str] | None = None,
        cause: Cause | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.summary = summary
        self.operation: Operation = operation
        self.entity = entity
        self.status = status
        self.messages = messages or []
        self.cause = cause
        self.retry_after = retry_after
        """Seconds Autotask (or the budget) asked to wait before trying again, when it said."""
        self.request = _redacted(request) if request is not None else None
        self.response = _copy(response, self.request) if response is not None else None
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.diagnosis}. Fix: {self.cause.fix}" if self.cause else self.diagnosis

    @property
    def diagnosis(self) -> str:
        """What failed and its likely cause, without the fix: for those who show the fix on its own line."""
        what = f"{self.operation} {self.entity}" if self.entity else self.operation
        text = f"Autotask {what} failed: {self.summary}"
        return f"{text}. Likely cause: {self.cause.problem}" if self.cause else text

    @property
    def fix(self) -> str | None:
        return self.cause.fix if self.cause else None

    def __repr__(self) -> str:
        cause = self.cause.code if self.cause else None
        return (
            f"{type(self).__name__}(operation={self.operation!r}, entity={self.entity!r}, "
            f"status={self.status!r}, cause={cause!r})"
        )


class AuthenticationError(AutotaskError):
    """Autotask did not accept the API user: see `cause` for which setting to change."""


class PermissionDeniedError(AutotaskError):
    """The API user's security level does not allow the operation; `cause` names the permission."""


class ValidationError(AutotaskError):
    """Autotask refused the request's content (HTTP 500 with `{"errors": [...]}`): a business rule, an unknown
    field, a wrong type, a bad filter. Sending it again changes nothing, so it is never retried."""


class RateLimitError(AutotaskError):
    """Autotask answered 429 (thread threshold or the tenant's hourly threshold) and retrying did not help or
    the wait it asked for (`retry_after`) is too long."""


class BudgetExhaustedError(RateLimitError):
    """Not sent: this client's share of the tenant's hourly requests is used up. `retry_after` says when
    the oldest request leaves the rolling hour."""


class ServerError(AutotaskError):
    """Autotask (or something in front of it) failed with a 5xx that is not a business rule."""


class NetworkError(AutotaskError):
    """No answer from Autotask: the connection could not be made or broke."""


class RequestTimeoutError(NetworkError):
    """Autotask did not answer within the timeout."""


class OutcomeUnknownError(AutotaskError):
    """A write may or may not have been applied (timeout or broken connection after it was sent) and
    repeating it could make a duplicate, so it was not repeated. Look the record up before writing again."""


def messages_of(response: httpx.Response) -> list[str]:
    """Autotask's messages: `{"errors": [...]}`, ASP.NET's `{"Message": ...}`, or the start of the body."""
    body = _json_or_none(response)
    if isinstance(body, dict):
        lowered = {str(k).lower(): v for k, v in body.items()}
        errors = lowered.get("errors")
        if isinstance(errors, list) and errors:
            return [str(e) for e in errors]
        if isinstance(lowered.get("message"), str):
            return [lowered["message"]]
    text = response.text.strip()
    return [text[:_MAX_SHOWN_BODY]] if text else []


def is_business_error(response: httpx.Response) -> bool:
    """True for Autotask's own 500 answer `{"errors": [...]}`, which a retry cannot fix, as opposed to a 500
    from a proxy or a crash (HTML or empty), which may be transient."""
    body = _json_or_none(response)
    return (
        response.status_code == 500
        and isinstance(body, dict)
        and any(str(k).lower() == "errors" for k in body)
    )


def from_response(
    response: httpx.Response,
    *,
    operation: Operation,
    entity: str | None,
    secret: str,
    retry_after: float | None = None,
) -> AutotaskError:
    """The typed error for a failed answer."""
    status = response.status_code
    messages = messages_of(response)
    summary = f"HTTP {status}: " + ("; ".join(messages) or response.reason_phrase)
    context: dict[str, Any] = {
        "operation": operation,
        "entity": entity,
        "status": status,
        "messages": messages,
        "request": response.request,
        "response": response,
        "retry_after": retry_after,
    }
    login = causes.diagnose_authentication(status, messages, secret) if status in (401, 500) else None
    if status == 401 or login is not None:
        return AuthenticationError(summary, cause=login, **context)
    if status == 403:
        cause = causes.missing_permission(entity, _ACCESS.get(operation, "query")) if entity else None
        return PermissionDeniedError(summary, cause=cause, **context)
    if status == 429:
        return RateLimitError(summary, **context)
    if is_business_error(response) and not _is_unexpected(response):
        return ValidationError(summary, **context)
    if status >= 500:
        return ServerError(summary, **context)
    return AutotaskError(summary, **context)


def _is_unexpected(response: httpx.Response) -> bool:
    """Autotask adds an `errorId` to errors it did not expect (a crash), which are not the caller's fault."""
    body = _json_or_none(response)
    return isinstance(body, dict) and any(str(k).lower() == "errorid" for k in body)


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


def _redacted(request: httpx.Request) -> httpx.Request:
    """The request without its credentials or body (a webhook's body holds its secret key)."""
    headers = {
        name: "[redacted]" if name.lower() in _CREDENTIAL_HEADERS else value
        for name, value in request.headers.items()
    }
    return httpx.Request(request.method, request.url, headers=headers)


def _copy(response: httpx.Response, request: httpx.Request | None) -> httpx.Response:
    """The response tied to the redacted request, so `error.response.request` holds no secret either.
    Its body is already decoded, so the headers that describe the encoded body are left out."""
    headers = [
        (name, value)
        for name, value in response.headers.multi_items()
        if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(response.status_code, headers=headers, content=response.content, request=request)
