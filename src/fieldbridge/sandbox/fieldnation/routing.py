"""What every emulator route shares: the emulator, the calling user, the work order in the path, strict
body parsing, and the route template calls are counted under."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.routing import Match

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


def route_template(routes: Sequence[APIRoute], request: Request) -> str | None:
    """`GET /api/rest/v2/workorders/{work_order_id}` for a request, so the shared middleware counts calls
    per route, those answered before a handler ran (faults, refused bodies, 405s) included."""
    partial = None
    for route in routes:
        match, _ = route.matches(request.scope)
        if match == Match.FULL:
            return f"{request.method} {route.path_format}"
        if match == Match.PARTIAL and partial is None:
            partial = f"{request.method} {route.path_format}"
    return partial
