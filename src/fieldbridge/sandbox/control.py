"""What both emulators share: state for faults, calls, clock and webhooks, the middleware that applies
faults and counts calls, and the generic half of the `/_sim/` control surface."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field, ValidationError
from pydantic_core import ErrorDetails

from fieldbridge.sandbox.calls import CallCounter
from fieldbridge.sandbox.clock import SimClock
from fieldbridge.sandbox.faults import FaultInjector, FaultSpec
from fieldbridge.sandbox.late import LateApplies, is_late_apply
from fieldbridge.sandbox.webhooks import HeadersFor, OnAttempt, RetryPolicy, WebhookDispatcher

SIM_PREFIX = "/_sim"
ErrorResponse = Callable[[int, str], Response]
Identify = Callable[[Request], str]


@dataclass
class Sandbox:
    """Per-emulator plumbing. `reseed` restores the emulator's own data on `/_sim/reset`."""

    reseed: Callable[[], None]
    webhook_policy: RetryPolicy
    headers_for: HeadersFor | None = None
    on_attempt: OnAttempt | None = None
    clock: SimClock = field(default_factory=SimClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    calls: CallCounter = field(default_factory=CallCounter)
    late: LateApplies = field(default_factory=LateApplies)
    webhooks: WebhookDispatcher = field(init=False)

    def __post_init__(self) -> None:
        self.webhooks = WebhookDispatcher(
            self.webhook_policy, self.clock, self.faults, self.headers_for, self.on_attempt
        )

    def clear(self) -> None:
        """Faults, late applies, counts and deliveries gone; the emulator's data untouched."""
        self.faults.clear()
        self.late.reset()
        self.calls.reset()
        self.webhooks.reset()

    def reset(self) -> None:
        self.clear()
        self.reseed()


def route_of(request: Request, template: str) -> None:
    """Handlers name the route template they served, so calls are counted per route, not per URL."""
    request.state.sim_route = template


def install(
    app: FastAPI,
    sandbox: Sandbox,
    error_response: ErrorResponse,
    identify: Identify,
    route_for: Callable[[Request], str | None] = lambda request: None,
) -> None:
    """Apply injected faults and count calls for every request outside `/_sim/`.

    A call is counted under the route template its handler named (`route_of`), else `route_for(request)`
    (answers given before routing: faults, 404/405), else its raw path; an answer an injected fault gave
    instead of the service's is marked after its route: `[injected status]` and `[injected timeout]` (the
    service never saw the request), `[injected lost_answer]` (the service applied it, the client got the
    injected error) and `[injected late_apply]` (the service applies it later: `sandbox.late`).
    """

    def injected(fault: FaultSpec) -> Response:
        message = (fault.body or {}).get("message") or f"Injected fault: HTTP {fault.status}"
        response = error_response(fault.status, str(message))
        response.headers.update(fault.headers or {})
        return response

    @app.middleware("http")
    async def faults_and_counts(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        path = request.url.path
        if path.startswith(SIM_PREFIX) or is_late_apply(request.scope):
            return await call_next(request)
        method = request.method
        fault = sandbox.faults.pick("request", method, path)
        answered_by_fault = fault is not None and fault.kind not in ("latency", "drop")
        try:
            if fault is not None and fault.kind == "status":
                return injected(fault)
            if fault is not None and fault.kind == "late_apply":
                route = route_for(request) or path
                sandbox.late.schedule(app, request.scope, await request.body(), fault.seconds, route)
                return injected(fault)
            if fault is not None and fault.kind == "lost_answer":
                answer = await call_next(request)
                async for _ in answer.body_iterator:  # type: ignore[attr-defined]
                    pass  # the service finishes its answer; the gateway throws it away
                await asyncio.sleep(fault.seconds)
                return injected(fault)
            if fault is not None and fault.kind == "timeout":
                await asyncio.sleep(fault.seconds or 120.0)
                return error_response(504, "Injected fault: the request timed out")
            if fault is not None and fault.kind == "latency":
                await request.body()  # a real server has the whole request before it is slow to answer
                await asyncio.sleep(fault.seconds)
            return await call_next(request)
        finally:
            route = getattr(request.state, "sim_route", None) or route_for(request) or path
            if answered_by_fault:
                assert fault is not None
                route = f"{route} [injected {fault.kind}]"
            sandbox.calls.record(method, route, identify(request))


def _problem(error: ErrorDetails) -> str:
    """One readable line: the field, then what is wrong with it (a spec-wide rule names no field)."""
    ctx = error.get("ctx") or {}
    message = str(ctx["error"]) if error["type"] == "value_error" and "error" in ctx else error["msg"]
    field_name = ".".join(str(part) for part in error["loc"])
    return f"{field_name}: {message}" if field_name else message


class ClockSetting(BaseModel):
    speed: float = Field(gt=0, le=1_000_000)


def control_router(sandbox: Sandbox) -> APIRouter:
    router = APIRouter(prefix=SIM_PREFIX, tags=["sandbox control"])

    @router.post("/reset")
    def reset() -> dict[str, str]:
        sandbox.reset()
        return {"status": "reset"}

    @router.get("/calls")
    def calls() -> dict[str, Any]:
        return sandbox.calls.snapshot()

    @router.delete("/calls")
    def clear_calls() -> dict[str, str]:
        sandbox.calls.reset()
        return {"status": "cleared"}

    @router.get("/faults")
    def faults() -> list[dict[str, Any]]:
        return sandbox.faults.list()

    # Validated here rather than by FastAPI, so that both emulators answer a bad spec with 422 and what to
    # fix (the Field Nation emulator answers its own validation errors with 400, as Field Nation does).
    @router.post(
        "/faults",
        status_code=201,
        openapi_extra={
            "requestBody": {"content": {"application/json": {"schema": FaultSpec.model_json_schema()}}}
        },
    )
    async def add_fault(request: Request) -> dict[str, Any]:
        try:
            spec = FaultSpec.model_validate_json(await request.body())
        except ValidationError as exc:
            raise HTTPException(422, "; ".join(_problem(e) for e in exc.errors())) from None
        return sandbox.faults.add(spec).as_dict()

    @router.delete("/faults")
    def clear_faults() -> dict[str, str]:
        sandbox.faults.clear()
        return {"status": "cleared"}

    @router.get("/faults/late-applies")
    def late_applies() -> dict[str, Any]:
        return sandbox.late.snapshot()

    @router.get("/clock")
    def clock() -> dict[str, Any]:
        return {"speed": sandbox.clock.speed, "now": sandbox.clock.now().isoformat()}

    @router.put("/clock")
    def set_clock(setting: ClockSetting) -> dict[str, Any]:
        sandbox.clock.speed = setting.speed
        return {"speed": sandbox.clock.speed}

    @router.get("/webhooks/deliveries")
    def deliveries(target: str | None = None) -> dict[str, Any]:
        return {
            "pending": sandbox.webhooks.pending(),
            "items": [d.as_dict() for d in sandbox.webhooks.deliveries(target)],
        }

    @router.post("/webhooks/deliveries/{delivery_id}/retry")
    def retry(delivery_id: str) -> dict[str, Any]:
        try:
            return sandbox.webhooks.retry(delivery_id).as_dict()
        except KeyError:
            raise HTTPException(404, f"no delivery {delivery_id}") from None

    return router
