"""Field Nation-style error bodies, one shape per API family.

- REST v2: `{"status": <code>, "message": "...", "errors": [...]}` (the shape of the REST v2 playground's
  error samples; `errors` lists field problems when there are any).
- Webhooks v3 (`/api/v1/...`): `{"metadata": {"timestamp", "path"}, "errors": [{"code", "message"}],
  "result": {}}`.
- OAuth token endpoint: RFC 6749 `{"error": "...", "error_description": "..."}`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

WEBHOOKS_PREFIX = "/api/v1/"
TOKEN_PATH = "/authentication/api/oauth/token"
log = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by handlers and operations; rendered in the shape of the API the request went to."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or []


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description


def not_found(what: str, ident: object) -> ApiError:
    return ApiError(404, f"{what} {ident} was not found")


def rest_error(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status)


def webhooks_error(status: int, message: str, path: str) -> JSONResponse:
    body = {
        "metadata": {"timestamp": datetime.now(UTC).isoformat(), "path": path},
        "errors": [{"code": status, "message": message}],
        "result": {},
    }
    return JSONResponse(body, status_code=status)


def error_for(
    request: Request, status: int, message: str, errors: list[dict[str, Any]] | None = None
) -> JSONResponse:
    path = request.url.path
    if path.startswith(WEBHOOKS_PREFIX):
        return webhooks_error(status, message, path)
    if path == TOKEN_PATH:
        return JSONResponse({"error": "invalid_request", "error_description": message}, status_code=status)
    return rest_error(status, message, errors)


def describe_validation(errors: Sequence[Any]) -> tuple[str, list[dict[str, Any]]]:
    """One readable sentence plus the field-level list, from pydantic's errors."""
    problems: list[dict[str, Any]] = []
    for err in errors:
        if err["type"] == "json_invalid":
            detail = (err.get("ctx") or {}).get("error", "")
            return f"The request body is not valid JSON: {detail}".rstrip(": "), []
        loc = [str(part) for part in err["loc"] if part not in ("body", "query", "path")]
        field = ".".join(loc) or "body"
        message = "is required" if err["type"] == "missing" else err["msg"]
        if err["type"] == "extra_forbidden":
            message = "is not a known field"
        problems.append({"field": field, "message": message})
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return f"Invalid request: {summary}", problems


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_for(request, exc.status, exc.message, exc.errors)

    @app.exception_handler(OAuthError)
    async def oauth_error(request: Request, exc: OAuthError) -> JSONResponse:
        return JSONResponse(
            {"error": exc.error, "error_description": exc.description}, status_code=exc.status
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        message, problems = describe_validation(exc.errors())
        return error_for(request, 400, message, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"No such endpoint: {request.method} {request.url.path}"
        elif exc.status_code == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        else:
            message = str(exc.detail)
        return error_for(request, exc.status_code, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # An emulator bug must still answer in the API's shape rather than drop the connection.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_for(request, 500, f"Internal error in the emulator ({type(exc).__name__})")
