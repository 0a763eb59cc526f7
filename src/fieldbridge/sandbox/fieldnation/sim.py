"""Field Nation's half of `/_sim/`: act in the app as a technician or a buyer, set token lifetimes, and see
the seed and the events fired. The generic half (reset, faults, calls, clock, deliveries) comes from
`fieldbridge.sandbox.control`.

`POST /_sim/workorders/{id}/{action}` runs one app action through the same operations the REST API uses,
so it makes the state change and fires the webhooks the real app would. The answer lists the events fired.
`POST /_sim/workorders` is a buyer creating a work order the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import Field

from fieldbridge.sandbox.control import SIM_PREFIX
from fieldbridge.sandbox.fieldnation import operations as op
from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator
from fieldbridge.sandbox.fieldnation.errors import ApiError
from fieldbridge.sandbox.fieldnation.lifecycle import status_name
from fieldbridge.sandbox.fieldnation.payloads import FnDateIn, MessageType, NonEmpty, Strict, WorkOrderIn
from fieldbridge.sandbox.fieldnation.render import JSON
from fieldbridge.sandbox.fieldnation.routing import Emu, parse_body
from fieldbridge.sandbox.fieldnation.scale import CompanySize
from fieldbridge.sandbox.fieldnation.seed import summary
from fieldbridge.sandbox.fieldnation.state import WorkOrder
from fieldbridge.sandbox.fieldnation.timezones import UTC_FORMAT

router = APIRouter(prefix=SIM_PREFIX, tags=["field nation app"])


class AsTechnician(Strict):
    """Acts as `technician_id`, or as the work order's assignee when it has one."""

    technician_id: int | None = None


class AsBuyer(Strict):
    """Acts as `manager_id`, or as the work order's manager."""

    manager_id: int | None = None


class Visit(AsTechnician):
    """A check-in or check-out now, or `hours_ago` (a visit of a set length, whatever the test's pace)."""

    hours_ago: float | None = Field(None, ge=0, le=24 * 7)


class Delay(AsTechnician):
    minutes: int = Field(30, ge=1)


class LogTime(AsTechnician):
    """Time worked that ends now."""

    hours: float = Field(gt=0, le=24)


class AddExpense(AsTechnician):
    category_id: int
    amount: float = Field(gt=0)
    quantity: float = Field(1, gt=0)
    description: str = ""


class ExpenseChange(AsTechnician):
    expense_id: int


class PostMessage(AsTechnician):
    message: NonEmpty
    type: MessageType = "FROMTECH"


class Upload(AsTechnician):
    name: NonEmpty
    content: str = ""
    mime: str = "text/plain"
    folder_id: int | None = None
    notes: str = ""


class ClosingNotes(AsTechnician):
    notes: NonEmpty


class CancelAsBuyer(AsBuyer):
    reason: str | None = None


class TaskChange(AsTechnician):
    task_id: int


class TagChange(AsBuyer):
    label: NonEmpty


class PartUpdate(AsTechnician):
    name: NonEmpty
    carrier: Literal["fedex", "ups", "usps", "other"] = "other"
    tracking: str = ""
    status: Literal["New", "En Route", "Arrived", "Lost", "Error"] = "New"
    direction: Literal["to site", "from site"] = "to site"


def _technician(emu: FieldNationEmulator, wo: WorkOrder, body: AsTechnician) -> int:
    tech_id = body.technician_id or wo.assignee_id
    if tech_id is None:
        raise ApiError(400, f"Work order {wo.id} has no assignee: say which technician_id acts")
    return emu.state.catalog.user(tech_id, "technician").id


def _buyer(emu: FieldNationEmulator, wo: WorkOrder, body: AsBuyer) -> int:
    return emu.state.catalog.user(body.manager_id or wo.manager_id, "manager").id


def _named_technician(emu: FieldNationEmulator, wo: WorkOrder, body: AsTechnician) -> int:
    if body.technician_id is None:
        raise ApiError(400, "This action needs technician_id")
    return _technician(emu, wo, body)


def _upload(emu: FieldNationEmulator, wo: WorkOrder, b: Upload) -> object:
    # Field Nation's app files a provider's loose uploads under Misc.
    misc = next((f for f in wo.folders if f.name == "Misc"), wo.folders[0])
    folder = wo.folder(b.folder_id) if b.folder_id is not None else misc
    content = b.content.encode("utf-8")
    return op.upload(
        emu, wo, folder, b.name, b.mime, content, b.notes, _technician(emu, wo, b), by_provider=True
    )


def _log_time(emu: FieldNationEmulator, wo: WorkOrder, b: LogTime) -> object:
    end = emu.now()
    start = end - timedelta(hours=b.hours)
    return op.add_time_log(emu, wo, _utc(start), _utc(end), _technician(emu, wo, b))


def _utc(at: datetime) -> FnDateIn:
    return FnDateIn(utc=at.strftime(UTC_FORMAT))


def _ago(emu: FieldNationEmulator, b: Visit) -> FnDateIn | None:
    return None if b.hours_ago is None else _utc(emu.now() - timedelta(hours=b.hours_ago))


@dataclass(frozen=True)
class Action:
    body: type[Strict]
    run: Callable[[FieldNationEmulator, WorkOrder, Any], object]
    who: Literal["technician", "buyer"]


def _sub(sub: str) -> Callable[[FieldNationEmulator, WorkOrder, Any], object]:
    return lambda emu, wo, b: op.set_sub_status(
        emu, wo, sub, _technician(emu, wo, b), getattr(b, "minutes", 0)
    )


ACTIONS: dict[str, Action] = {
    # buyer
    "route": Action(
        AsTechnician, lambda e, w, b: op.route(e, w, _named_technician(e, w, b), w.manager_id), "buyer"
    ),
    "assign": Action(
        AsTechnician, lambda e, w, b: op.assign(e, w, _named_technician(e, w, b), w.manager_id), "buyer"
    ),
    "unassign": Action(AsBuyer, lambda e, w, b: op.unassign(e, w, _buyer(e, w, b)), "buyer"),
    "approve": Action(AsBuyer, lambda e, w, b: op.approve(e, w, _buyer(e, w, b)), "buyer"),
    "cancel": Action(
        CancelAsBuyer, lambda e, w, b: op.cancel_or_delete(e, w, b.reason, _buyer(e, w, b)), "buyer"
    ),
    "pay": Action(AsBuyer, lambda e, w, b: op.pay(e, w, _buyer(e, w, b)), "buyer"),
    "add_tag": Action(TagChange, lambda e, w, b: op.add_tag(e, w, b.label, _buyer(e, w, b)), "buyer"),
    "remove_tag": Action(TagChange, lambda e, w, b: op.remove_tag(e, w, b.label, _buyer(e, w, b)), "buyer"),
    # technician
    "request": Action(
        AsTechnician, lambda e, w, b: op.request(e, w, _named_technician(e, w, b)), "technician"
    ),
    "decline": Action(
        AsTechnician, lambda e, w, b: op.decline(e, w, _named_technician(e, w, b)), "technician"
    ),
    "undecline": Action(
        AsTechnician, lambda e, w, b: op.undecline(e, w, _named_technician(e, w, b)), "technician"
    ),
    "accept": Action(
        AsTechnician, lambda e, w, b: op.accept_route(e, w, _named_technician(e, w, b)), "technician"
    ),
    "confirm": Action(AsTechnician, _sub("confirmed"), "technician"),
    "set_eta": Action(AsTechnician, _sub("eta_set"), "technician"),
    "on_my_way": Action(AsTechnician, _sub("on_my_way"), "technician"),
    "at_risk": Action(AsTechnician, _sub("at_risk"), "technician"),
    "delayed": Action(Delay, _sub("delayed"), "technician"),
    "on_hold": Action(AsTechnician, _sub("on_hold"), "technician"),
    "check_in": Action(
        Visit, lambda e, w, b: op.check_in(e, w, _technician(e, w, b), _ago(e, b)), "technician"
    ),
    "check_out": Action(
        Visit, lambda e, w, b: op.check_out(e, w, _technician(e, w, b), _ago(e, b)), "technician"
    ),
    "log_time": Action(LogTime, _log_time, "technician"),
    "add_expense": Action(
        AddExpense,
        lambda e, w, b: op.add_expense(
            e, w, b.category_id, b.amount, b.quantity, b.description, _technician(e, w, b)
        ),
        "technician",
    ),
    "delete_expense": Action(
        ExpenseChange, lambda e, w, b: op.delete_expense(w, w.expense(b.expense_id)), "technician"
    ),
    "post_message": Action(
        PostMessage,
        lambda e, w, b: op.post_message(e, w, _technician(e, w, b), b.message, b.type),
        "technician",
    ),
    "upload": Action(Upload, _upload, "technician"),
    "closing_notes": Action(
        ClosingNotes, lambda e, w, b: op.add_closing_notes(e, w, b.notes, _technician(e, w, b)), "technician"
    ),
    "complete_task": Action(
        TaskChange,
        lambda e, w, b: op.complete_task(e, w, w.task(b.task_id), _technician(e, w, b)),
        "technician",
    ),
    "incomplete_task": Action(
        TaskChange,
        lambda e, w, b: op.incomplete_task(e, w, w.task(b.task_id), _technician(e, w, b)),
        "technician",
    ),
    "update_part": Action(
        PartUpdate,
        lambda e, w, b: op.update_part(
            e, w, b.name, b.carrier, b.tracking, b.status, b.direction, _technician(e, w, b)
        ),
        "technician",
    ),
    "work_done": Action(
        AsTechnician, lambda e, w, b: op.mark_work_done(e, w, _technician(e, w, b)), "technician"
    ),
}


class TokenSettings(Strict):
    ttl: float = Field(gt=0, le=7 * 24 * 3600)


@router.post("/workorders", status_code=201)
async def create(request: Request, emu: Emu, manager_id: int | None = None) -> JSON:
    """A buyer (`manager_id`, else the API user) makes a work order in the app: the REST create's body and
    rules and its `workorder.created` event, without an API call (which an injected fault would hit)."""
    body = parse_body(WorkOrderIn, await request.body())
    buyer = emu.state.catalog.user(manager_id or emu.state.catalog.api_user_id, "manager").id
    before = len(emu.events.fired)
    wo = op.create_work_order(emu, body, buyer)
    fired = list(emu.events.fired)[before:]
    return {
        "action": "create",
        "as": "buyer",
        "events": [e.name for e in fired],
        "workorder": emu.views().work_order(wo),
    }


@router.post("/workorders/{work_order_id}/{action}")
async def act(request: Request, emu: Emu, work_order_id: int, action: str) -> JSON:
    chosen = ACTIONS.get(action)
    if chosen is None:
        raise ApiError(404, f"No app action {action!r}; known: {', '.join(sorted(ACTIONS))}")
    wo = emu.state.work_order(work_order_id)
    body = parse_body(chosen.body, await request.body())
    before = len(emu.events.fired)
    chosen.run(emu, wo, body)
    fired = list(emu.events.fired)[before:]
    still_there = work_order_id in emu.state.work_orders
    return {
        "action": action,
        "as": chosen.who,
        "events": [e.name for e in fired],
        "workorder": emu.views().work_order(wo) if still_there else None,
    }


@router.get("/actions")
async def actions() -> JSON:
    return {name: {"as": a.who, "body": a.body.model_json_schema()} for name, a in ACTIONS.items()}


@router.get("/events")
async def events(emu: Emu, work_order_id: int | None = None) -> JSON:
    fired = [
        e.as_dict() for e in emu.events.fired if work_order_id is None or e.work_order_id == work_order_id
    ]
    return {"items": fired}


@router.get("/seed")
async def seed(emu: Emu) -> JSON:
    return summary(emu.state)


class SeedSize(Strict):
    workorders: int | None = Field(None, ge=1, le=100_000, description="Work orders the company holds")
    seed: int = Field(0, description="The generator's seed: the same seed makes the same work orders")


@router.post("/seed")
async def reseed(emu: Emu, request: Request) -> JSON:
    """`POST /_sim/reset` with a company of this size, until the next reset (which goes back to the size the
    emulator started with). Answers how many work orders it holds in each status."""
    size = parse_body(SeedSize, await request.body())
    try:
        emu.reseed(CompanySize(size.workorders, size.seed))
    except ValueError as exc:
        raise ApiError(400, str(exc)) from None
    emu.sandbox.clear()
    by_status = Counter(status_name(wo.status_id) for wo in emu.state.work_orders.values())
    return {"seed": size.seed, "work_orders": len(emu.state.work_orders), "by_status": dict(by_status)}


@router.put("/tokens")
async def set_tokens(emu: Emu, request: Request) -> JSON:
    emu.tokens.ttl = parse_body(TokenSettings, await request.body()).ttl
    return {"ttl": emu.tokens.ttl}


@router.post("/tokens/expire")
async def expire_tokens(emu: Emu) -> JSON:
    return {"expired": emu.tokens.expire_all()}
