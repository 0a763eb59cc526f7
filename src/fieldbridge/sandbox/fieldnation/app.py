"""Build the Field Nation emulator app: REST v2, OAuth tokens, webhooks v3 and `/_sim/`, on the shared
sandbox plumbing (fault injection and call counting for every request outside `/_sim/`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.routing import APIRoute

from fieldbridge.sandbox.control import control_router, install
from fieldbridge.sandbox.fieldnation import (
    routes_attachments,
    routes_execution,
    routes_workorders,
    sim,
    webhooks_api,
)
from fieldbridge.sandbox.fieldnation.auth import read_token_form
from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator
from fieldbridge.sandbox.fieldnation.errors import TOKEN_PATH, install_handlers, rest_error
from fieldbridge.sandbox.fieldnation.routing import Emu, route_template
from fieldbridge.sandbox.fieldnation.scale import CompanySize

DEFAULT_MAX_UPLOAD_BYTES = 25 * 1024 * 1024


def create_app(
    token_ttl: float = 3600.0,
    webhook_speed: float = 1.0,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    size: CompanySize | None = None,
) -> FastAPI:
    """`token_ttl`: seconds an access token lives (short for tests); `webhook_speed`: how many times faster
    than real time webhook retry delays run; `max_upload_bytes`: the attachment size limit; `size`: how many
    work orders the seeded company holds (a ValueError if below the default seed's)."""
    emulator = FieldNationEmulator(token_ttl, webhook_speed, max_upload_bytes, size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        emulator.sandbox.webhooks.close()

    app = FastAPI(title="Field Nation emulator", lifespan=lifespan)
    app.state.emulator = emulator
    install_handlers(app)
    api = [
        _token_router(),
        *(m.router for m in (routes_workorders, routes_execution, routes_attachments, webhooks_api)),
    ]
    templates = [route for router in api for route in router.routes if isinstance(route, APIRoute)]
    install(app, emulator.sandbox, rest_error, _identify, partial(route_template, templates))
    for router in api:
        app.include_router(router)
    app.include_router(control_router(emulator.sandbox))
    app.include_router(sim.router)
    return app


def _identify(request: Request) -> str:
    token = request.app.state.emulator.tokens.peek(request)
    return token.username if token is not None else "anonymous"


def _token_router() -> APIRouter:
    router = APIRouter()

    @router.post(TOKEN_PATH)
    async def token(request: Request, emu: Emu) -> dict[str, Any]:
        return emu.tokens.grant(await read_token_form(request))

    return router
