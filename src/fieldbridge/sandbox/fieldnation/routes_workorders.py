"""REST v2: work orders (create, get, update, list, cancel), their status transitions, schedule, custom
fields and tags, and the company lists (custom fields, expense categories)."""

from __future__ import annotations

from itertools import islice
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.errors import ApiError
from fieldbridge.sandbox.fieldnation.payloads import (
    AssigneeIn,
    CancelIn,
    CustomFieldValueIn,
    RouteIn,
    ScheduleIn,
    WorkOrderIn,
    WorkOrderUpdate,
)
from fieldbridge.sandbox.fieldnation.render import JSON, envelope
from fieldbridge.sandbox.fieldnation.routing import WO, Actor, Emu, parse_body

REST_PREFIX = "/api/rest/v2"
router = APIRouter(prefix=REST_PREFIX)


@router.get("/workorders")
async def list_work_orders(
    emu: Emu,
    actor: Actor,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> JSON:
    """Oldest first: the work orders are held in id order, so a page is a slice, whatever their number."""
    everything = emu.state.work_orders
    chosen = islice(everything.values(), (page - 1) * per_page, page * per_page)
    views = emu.views()
    return envelope([views.work_order(wo) for wo in chosen], page, per_page, total=len(everything))


@router.post("/workorders", status_code=201)
async def create(emu: Emu, actor: Actor, body: WorkOrderIn) -> JSON:
    wo = op.create_work_order(emu, body, actor)
    return {"id": wo.id, "status": {"id": wo.status_id, "name": "Draft"}}


@router.get("/workorders/{work_order_id}")
async def get(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().work_order(wo)


@router.put("/workorders/{work_order_id}")
async def update(emu: Emu, actor: Actor, wo: WO, body: WorkOrderUpdate) -> JSON:
    op.update_work_order(emu, wo, body, actor)
    return emu.views().work_order(wo)


@router.delete("/workorders/{work_order_id}", response_model=None)
async def cancel(
    request: Request, emu: Emu, actor: Actor, wo: WO, cancel_reason: str | None = None
) -> JSON | Response:
    """A draft is deleted (204); anything later is cancelled and returned. Field Nation names `cancel_reason`
    without saying where it goes, so the query and a JSON body both work."""
    raw = await request.body()
    if raw:
        cancel_reason = parse_body(CancelIn, raw).cancel_reason or cancel_reason
    if op.cancel_or_delete(emu, wo, cancel_reason, actor):
        return Response(status_code=204)
    return emu.views().work_order(wo)


@router.post("/workorders/{work_order_id}/publish")
async def publish(emu: Emu, actor: Actor, wo: WO) -> JSON:
    op.publish(emu, wo, actor)
    return emu.views().work_order(wo)


@router.delete("/workorders/{work_order_id}/publish")
async def unpublish(emu: Emu, actor: Actor, wo: WO) -> JSON:
    op.unpublish(emu, wo, actor)
    return emu.views().work_order(wo)


@router.post("/workorders/{work_order_id}/route")
async def route(emu: Emu, actor: Actor, wo: WO, body: RouteIn) -> JSON:
    op.route(emu, wo, body.technician.id, actor)
    return emu.views().work_order(wo)


@router.post("/workorders/{work_order_id}/assignee")
async def assign(emu: Emu, actor: Actor, wo: WO, body: AssigneeIn) -> JSON:
    op.assign(emu, wo, body.user.id, actor)
    return emu.views().work_order(wo)


@router.delete("/workorders/{work_order_id}/assignee")
async def unassign(emu: Emu, actor: Actor, wo: WO) -> JSON:
    op.unassign(emu, wo, actor)
    return emu.views().work_order(wo)


@router.post("/workorders/{work_order_id}/approve")
async def approve(emu: Emu, actor: Actor, wo: WO) -> JSON:
    op.approve(emu, wo, actor)
    return emu.views().work_order(wo)


@router.delete("/workorders/{work_order_id}/complete")
async def mark_incomplete(emu: Emu, actor: Actor, wo: WO, reason: str | None = None) -> JSON:
    op.mark_incomplete(emu, wo, reason, actor)
    return emu.views().work_order(wo)


@router.get("/workorders/{work_order_id}/schedule")
async def schedule(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().schedule(wo)


@router.put("/workorders/{work_order_id}/schedule")
async def set_schedule(emu: Emu, actor: Actor, wo: WO, body: ScheduleIn) -> JSON:
    op.set_schedule(emu, wo, body, actor)
    return emu.views().schedule(wo)


@router.get("/workorders/{work_order_id}/custom_fields")
async def custom_fields(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().custom_fields(wo)


@router.put("/workorders/{work_order_id}/custom_fields/{custom_field_id}")
async def set_custom_field(
    emu: Emu, actor: Actor, wo: WO, custom_field_id: int, body: CustomFieldValueIn
) -> JSON:
    op.set_custom_field(emu, wo, custom_field_id, body.value, actor)
    categories = emu.views().custom_fields(wo)["results"]
    return next(f for c in categories for f in c["results"] if f["id"] == custom_field_id)


@router.get("/workorders/{work_order_id}/tags")
async def tags(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().tags(wo)


@router.get("/custom-fields")
async def company_custom_fields(emu: Emu, actor: Actor) -> JSON:
    return emu.views().custom_fields(None)


@router.get("/company/{company_id}/expenses")
async def expense_categories(emu: Emu, actor: Actor, company_id: int) -> JSON:
    if company_id != emu.state.catalog.company.id:
        raise ApiError(404, f"Company {company_id} was not found")
    return emu.views().expense_categories()
