"""What every request must be before a route sees it: a URL without NUL characters, and a body within the
limit of the route it is for, counted while it is read (never buffered first).

A NUL character (`%00`) fits no name, token or id the broker knows, and PostgreSQL cannot even compare text
with one, so it is refused here, for every route at once. Body limits are by path: the doors take
`inbound_max_bytes`, the sign-ins (admin API and console) a few kilobytes (credentials never need more, and
each attempt costs a password hash), everything else `admin_max_bytes`.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import HTTPException
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldbridge.paths import FIELDNATION_WEBHOOKS_PATH, INBOUND_PATH
from fieldbridge.settings import Settings

SIGN_IN_PATHS = ("/v1/admin/session", "/sign-in")
"""The admin API's sign-in and the console's sign-in form."""
SIGN_IN_MAX_BYTES = 4096


@dataclass(frozen=True)
class BodyLimit:
    max_bytes: int
    setting: str | None
    """The setting that raises it (`FIELDBRIDGE_...`), if one does."""

    @property
    def refusal(self) -> str:
        raise_it = f"; the broker's {self.setting} setting sets it" if self.setting else ""
        return f"The body is larger than the limit of {self.max_bytes} bytes for this route{raise_it}."


def body_limit(settings: Settings, path: str) -> BodyLimit:
    if path in SIGN_IN_PATHS:
        return BodyLimit(SIGN_IN_MAX_BYTES, None)
    if path == INBOUND_PATH or path.startswith(FIELDNATION_WEBHOOKS_PATH):
        return BodyLimit(settings.inbound_max_bytes, "FIELDBRIDGE_INBOUND_MAX_BYTES")
    return BodyLimit(settings.admin_max_bytes, "FIELDBRIDGE_ADMIN_MAX_BYTES")


NUL_IN_URL = "The URL holds a NUL character (%00), which no name, token or value here can contain; remove it."


class RequestLimits:
    """ASGI middleware; `settings` gives the limits."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope["query_string"]:
            await JSONResponse({"detail": NUL_IN_URL}, status_code=400)(scope, receive, send)
            return
        limit = body_limit(self.settings, scope["path"])
        if _declared_over(scope, limit.max_bytes):
            await JSONResponse({"detail": limit.refusal}, status_code=413)(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit), send)


def _declared_over(scope: Scope, max_bytes: int) -> bool:
    """Content-Length says more than `max_bytes` (without one, the count while reading catches it)."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            # More digits than the limit has is over it; int() of thousands of digits would raise.
            return len(value.lstrip(b"0")) > len(str(max_bytes)) or int(value) > max_bytes
    return False


def _counted(receive: Receive, limit: BodyLimit) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit.max_bytes:
                # Raised inside the route, where FastAPI turns it into the 413 answer.
                raise HTTPException(413, limit.refusal)
        return message

    return counted
