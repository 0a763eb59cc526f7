"""The FastAPI application: routers, error answers that never echo input, metrics, and the lifespan that
opens the database, the queue and (embedded mode) the consumer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from fieldbridge import __version__
from fieldbridge.jobs.consumer import open_parts, start_in_background
from fieldbridge.jobs.intake import GroupedIntake
from fieldbridge.settings import Settings
from fieldbridge.store.secrets import SecretUnreadable
from fieldbridge.web import (
    admin_checks,
    admin_connectors,
    admin_events,
    admin_mappings,
    admin_session,
    admin_sync_options,
    console,
    health,
    inbound,
)
from fieldbridge.web.deps import Broker
from fieldbridge.web.metrics import MeasuredRequests, Metrics
from fieldbridge.web.request_limits import RequestLimits


def create_app(settings: Settings, *, consume: bool) -> FastAPI:
    """`consume`: also process the queue in this process (the embedded queue of `fieldbridge serve`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        parts = open_parts(settings)
        intake = GroupedIntake(parts.db, parts.queue)
        app.state.broker = Broker(settings, parts.db, parts.box, parts.queue, Metrics(parts.db), intake)
        consumer = start_in_background(parts) if consume else None
        try:
            yield
        finally:
            await run_in_threadpool(intake.close)
            if consumer is not None:
                await run_in_threadpool(consumer.stop)
            parts.db.dispose()

    app = FastAPI(
        title="FieldBridge",
        version=__version__,
        description="Keeps Autotask PSA tickets and Field Nation work orders in sync.",
        lifespan=lifespan,
        docs_url=None,  # the console serves /docs from local files (no CDN)
        redoc_url=None,
        # FastAPI's OpenTelemetry hooks, which FieldBridge does not use (its metrics are Prometheus'):
        # asking whether they are configured read the environment on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    for module in (
        inbound,
        admin_session,
        admin_connectors,
        admin_checks,
        admin_mappings,
        admin_sync_options,
        admin_events,
        health,
    ):
        app.include_router(module.router)
    console.install(app)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(SecretUnreadable, _secret_unreadable)
    app.add_middleware(RequestLimits, settings=settings)
    app.add_middleware(MeasuredRequests)  # added last, so outermost: it counts the limits' refusals too
    return app


async def _invalid_request(request: Request, error: Exception) -> Response:
    """FastAPI's 422, minus the submitted values: a mistyped field name would otherwise echo a secret."""
    assert isinstance(error, RequestValidationError)
    details = [
        {key: value for key, value in item.items() if key in ("type", "loc", "msg")}
        for item in error.errors()
    ]
    return JSONResponse({"detail": details}, status_code=422)


async def _secret_unreadable(request: Request, error: Exception) -> Response:
    return JSONResponse({"detail": str(error)}, status_code=500)
