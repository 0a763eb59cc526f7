"""REST v2: the work done on a work order: time logs (check in/out and direct edits), expenses and messages.
Messages have no PUT or DELETE: Field Nation does not let the API edit or delete them (405)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.payloads import (
    CheckInIn,
    ExpenseIn,
    ExpenseReviewIn,
    MessageIn,
    ReplyIn,
    TimeLogIn,
    TimeLogUpdate,
)
from fieldbridge.sandbox.fieldnation.render import JSON
from fieldbridge.sandbox.fieldnation.routes_workorders import REST_PREFIX
from fieldbridge.sandbox.fieldnation.routing import WO, Actor, Emu, parse_body

router = APIRouter(prefix=REST_PREFIX + "/workorders/{work_order_id}")


@router.get("/time_logs")
async def time_logs(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().time_logs(wo)


@router.post("/time_logs", status_code=201)
async def add_time_log(emu: Emu, actor: Actor, wo: WO, body: TimeLogIn) -> JSON:
    log = op.add_time_log(emu, wo, body.in_.created, body.out.created if body.out else None, actor)
    return emu.views().time_log(wo, log)


@router.put("/time_logs/{time_log_id}")
async def update_time_log(emu: Emu, actor: Actor, wo: WO, time_log_id: int, body: TimeLogUpdate) -> JSON:
    log = wo.time_log(time_log_id)
    start = body.in_.created if body.in_ else None
    op.update_time_log(wo, log, start, body.out.created if body.out else None, actor)
    return emu.views().time_log(wo, log)


@router.delete("/time_logs/{time_log_id}", status_code=204)
async def delete_time_log(actor: Actor, wo: WO, time_log_id: int) -> Response:
    op.delete_time_log(wo, wo.time_log(time_log_id))
    return Response(status_code=204)


@router.post("/check_in")
async def check_in(request: Request, emu: Emu, actor: Actor, wo: WO) -> JSON:
    # The body is optional (no body: now), so it is read here rather than declared.
    log = op.check_in(emu, wo, actor, parse_body(CheckInIn, await request.body()).created)
    return emu.views().time_log(wo, log)


@router.post("/check_out")
async def check_out(request: Request, emu: Emu, actor: Actor, wo: WO) -> JSON:
    log = op.check_out(emu, wo, actor, parse_body(CheckInIn, await request.body()).created)
    return emu.views().time_log(wo, log)


@router.get("/expenses")
async def expenses(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().expenses(wo)


@router.post("/expenses", status_code=201)
async def add_expense(emu: Emu, actor: Actor, wo: WO, body: ExpenseIn) -> JSON:
    expense = op.add_expense(emu, wo, body.category.id, body.amount, body.quantity, body.description, actor)
    return emu.views().expense(wo, expense)


@router.put("/expenses/{expense_id}")
async def review_expense(emu: Emu, actor: Actor, wo: WO, expense_id: int, body: ExpenseReviewIn) -> JSON:
    expense = wo.expense(expense_id)
    op.review_expense(wo, expense, body.status == "approved", body.rejection_reason)
    return emu.views().expense(wo, expense)


@router.get("/messages")
async def messages(emu: Emu, actor: Actor, wo: WO) -> JSON:
    return emu.views().messages(wo)


@router.post("/messages", status_code=201)
async def post_message(emu: Emu, actor: Actor, wo: WO, body: MessageIn) -> JSON:
    to = body.to.id if body.to else None
    message = op.post_message(emu, wo, actor, body.message, body.type, to)
    return emu.views().message(wo, message)


@router.post("/messages/{msg_id}", status_code=201)
async def reply(emu: Emu, actor: Actor, wo: WO, msg_id: int, body: ReplyIn) -> JSON:
    parent = wo.message(msg_id)
    message = op.post_message(emu, wo, actor, body.message, "REPLY", parent.author_id, parent)
    return emu.views().message(wo, message)
