"""What every emulator route shares: the emulator, the calling user, the work order in the path, strict
body parsing, and counting calls per route template."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

from fieldbridge.sandbox.control import route_of
from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator
from fieldbridge.sandbox.fieldnation.errors import ApiError, describe_validation
from fieldbridge.sandbox.fieldnation.state import WorkOrder

M = TypeVar("M", bound=BaseModel)


def current_emulator(request: Request) -> FieldNationEmulator:
    emulator: FieldNationEmulator = request.app.state.emulator
    return emulator


def rest_user(request: Request) -> int:
    return current_emulator(request).tokens.authenticate(request).user_id


def webhooks_user(request: Request) -> int:
    return current_emulator(request).tokens.authenticate(request, webhooks_api=True).user_id


def path_work_order(request: Request, work_order_id: int) -> WorkOrder:
    return current_emulator(request).state.work_order(work_order_id)


Emu = Annotated[FieldNationEmulator, Depends(current_emulator)]
Actor = Annotated[int, Depends(rest_user)]
WebhooksActor = Annotated[int, Depends(webhooks_user)]
WO = Annotated[WorkOrder, Depends(path_work_order)]


def parse_body(model: type[M], raw: bytes) -> M:
    """For routes that read their body themselves: the same 400 a declared body would give."""
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as exc:
        message, problems = describe_validation(exc.errors())
        raise ApiError(400, message, problems) from None


class _CountedRoute(APIRoute):
    """Names its template (`GET /api/rest/v2/workorders/{work_order_id}`) before anything else runs, so
    calls count per route, even those refused for a malformed body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        template = self.path_format

        async def counted(request: Request) -> Response:
            route_of(request, f"{request.method} {template}")
            return await handler(request)

        return counted


def counted_router(prefix: str = "") -> APIRouter:
    return APIRouter(prefix=prefix, route_class=_CountedRoute)
