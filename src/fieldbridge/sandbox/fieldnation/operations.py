"""What buyers and technicians do to a work order, as the Field Nation app does it: each function checks the
rule, changes state and fires the webhook events the real app fires. The REST routes and `/_sim/` both call
these, so an API call and the same act in the app cannot drift apart.

Body references to unknown things (a technician, a category) are the request's fault: 400. Unknown things
in the path are 404 (raised by the `state` lookups).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from fieldbridge.sandbox.fieldnation.errors import ApiError
from fieldbridge.sandbox.fieldnation.lifecycle import (
    APPROVED,
    ASSIGNED,
    CANCELLED,
    DRAFT,
    PAID,
    PUBLISHED,
    ROUTED,
    STATUSES,
    SUB_STATUSES,
    WORK_DONE,
    check,
    require_assigned,
    status_name,
)
from fieldbridge.sandbox.fieldnation.payloads import (
    FnDateIn,
    LocationIn,
    ScheduleIn,
    WorkOrderIn,
    WorkOrderUpdate,
)
from fieldbridge.sandbox.fieldnation.state import (
    Attachment,
    CustomFieldDef,
    Expense,
    Folder,
    Message,
    Named,
    Offer,
    ServiceWindow,
    Shipment,
    Task,
    TimeLog,
    WorkOrder,
)
from fieldbridge.sandbox.fieldnation.timezones import parse_local, parse_utc, zone_id_for

if TYPE_CHECKING:
    from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator

T = TypeVar("T")

DEFAULT_FOLDERS = ("Documents", "Misc")
# Field Nation's usual task list; the app completes each when the matching act happens.
DEFAULT_TASKS = (
    ("set_eta", "Set ETA"),
    ("checkin", "Check in"),
    ("checkout", "Check out"),
    ("closing_notes", "Enter closing notes"),
)
LOCKED = (APPROVED, PAID, CANCELLED)


def _ref(table: dict[int, T], ident: int, what: str) -> T:
    found = table.get(ident)
    if found is None:
        raise ApiError(400, f"{what} {ident} does not exist")
    return found


def _to_utc(value: FnDateIn, zone_id: int, field: str) -> datetime:
    if value.utc is not None:
        return parse_utc(value.utc, field)
    assert value.local is not None  # the payload model guarantees one of the two
    return parse_local(value.local.date, value.local.time, zone_id, field)


def _note(emu: FieldNationEmulator, wo: WorkOrder, actor: int, text: str) -> None:
    """A reason given with a status change is kept as an internal message (no event of its own)."""
    wo.messages.append(Message(emu.state.new_id(), actor, text, "INTERNAL", emu.now()))


# -- creating and editing -------------------------------------------------------------------------
def create_work_order(emu: FieldNationEmulator, fields: WorkOrderIn, actor: int) -> WorkOrder:
    state, now = emu.state, emu.now()
    wo = WorkOrder(
        id=state.new_work_order_id(),
        title=fields.title,
        manager_id=actor,
        created=now,
        time_zone_id=state.catalog.default_time_zone_id,
    )
    wo.folders = [Folder(state.new_id(), name, "document") for name in DEFAULT_FOLDERS]
    wo.tasks = [Task(state.new_id(), label, key) for key, label in DEFAULT_TASKS]
    wo.milestones["draft"] = now
    _apply(emu, wo, fields)
    state.work_orders[wo.id] = wo
    emu.publish("workorder.created", wo, actor)
    return wo


def update_work_order(emu: FieldNationEmulator, wo: WorkOrder, fields: WorkOrderUpdate, actor: int) -> None:
    if wo.status_id in LOCKED:
        raise ApiError(409, f"Work order {wo.id} is {status_name(wo.status_id)} and can no longer be edited")
    if _apply(emu, wo, fields):
        emu.publish("workorder.schedule_updated", wo, actor)


def set_schedule(emu: FieldNationEmulator, wo: WorkOrder, schedule: ScheduleIn, actor: int) -> None:
    update_work_order(emu, wo, WorkOrderUpdate(schedule=schedule), actor)


def _apply(emu: FieldNationEmulator, wo: WorkOrder, f: WorkOrderUpdate) -> bool:
    """Check every reference first, then change, so a refused update changes nothing.
    True when the schedule moved."""
    c = emu.state.catalog
    for ref, table, what in (
        (f.type_of_work, c.types_of_work, "Type of work"),
        (f.client, c.clients, "Client"),
        (f.project, c.projects, "Project"),
    ):
        if ref is not None:
            _ref(table, ref.id, what)
    if f.manager is not None:
        c.user(f.manager.id, "manager")
    zone_id = wo.time_zone_id
    if f.location is not None:
        zone_id = _check_location(emu, f.location) or zone_id
    window = None
    if f.schedule is not None:
        tz = f.schedule.time_zone
        zone_id = zone_id_for(tz.id, tz.name) if tz is not None else zone_id
        sw = f.schedule.service_window
        start = _to_utc(sw.start, zone_id, "service_window.start")
        end = _to_utc(sw.end, zone_id, "service_window.end") if sw.end is not None else None
        if end is not None and end < start:
            raise ApiError(400, "service_window.end is before service_window.start")
        window = ServiceWindow(sw.mode, start, end)

    given = f.model_fields_set
    if "title" in given and f.title is not None:
        wo.title = f.title
    if f.description is not None:
        wo.description_html = f.description.html
    if f.confidential is not None:
        wo.confidential_html = f.confidential.html
    if f.location is not None:
        wo.location = f.location
    if f.pay is not None:
        wo.pay = f.pay
    if f.contacts is not None:
        wo.contacts = f.contacts
    if f.closing_notes is not None:
        wo.closing_notes = f.closing_notes
    if "correlation_id" in given:
        wo.correlation_id = f.correlation_id
    if f.type_of_work is not None:
        wo.type_of_work_id = f.type_of_work.id
    if f.client is not None:
        wo.client_id = f.client.id
    if f.project is not None:
        wo.project_id = f.project.id
    if f.manager is not None:
        wo.manager_id = f.manager.id
    wo.time_zone_id = zone_id
    if window is None or window == wo.schedule:
        return False
    wo.schedule = window
    return True


def _check_location(emu: FieldNationEmulator, loc: LocationIn) -> int | None:
    """Validate a location's references; a saved location brings its own time zone."""
    c = emu.state.catalog
    if loc.type is not None:
        _ref(c.location_types, loc.type.id, "Location type")
    if loc.saved_location is not None:
        return _ref(c.saved_locations, loc.saved_location.id, "Saved location").time_zone_id
    return None


# -- status lifecycle -----------------------------------------------------------------------------
def move(emu: FieldNationEmulator, wo: WorkOrder, transition: str, actor: int) -> None:
    t = check(transition, wo.id, wo.status_id)
    previous = wo.status_id
    wo.status_id = t.target
    wo.sub_status = None
    wo.delay_minutes = 0
    wo.milestones.setdefault(STATUSES[t.target][1], emu.now())
    emu.publish(t.event, wo, actor, previous)


def publish(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    move(emu, wo, "publish", actor)


def unpublish(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    move(emu, wo, "unpublish", actor)


def route(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int, actor: int) -> None:
    tech = emu.state.catalog.user(technician_id, "technician")
    check("route", wo.id, wo.status_id)
    if any(r.technician_id == tech.id and not r.declined for r in wo.routes):
        raise ApiError(409, f"Work order {wo.id} is already routed to {tech.name}")
    wo.routes.append(Offer(emu.state.new_id(), tech.id, emu.now()))
    if wo.status_id != ROUTED:
        move(emu, wo, "route", actor)
    emu.publish("workorder.routed", wo, actor)


def assign(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int, actor: int) -> None:
    tech = emu.state.catalog.user(technician_id, "technician")
    check("assign", wo.id, wo.status_id)
    wo.assignee_id = tech.id
    wo.confirmed = False
    move(emu, wo, "assign", actor)


def accept_route(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int) -> None:
    if not any(r.technician_id == technician_id and not r.declined for r in wo.routes):
        raise ApiError(409, f"Work order {wo.id} is not routed to technician {technician_id}")
    assign(emu, wo, technician_id, technician_id)


def unassign(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    if wo.open_time_log() is not None:
        raise ApiError(409, f"Work order {wo.id} has a technician checked in; check out first")
    move(emu, wo, "unassign", actor)
    wo.assignee_id = None
    wo.confirmed = False


def mark_work_done(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    if wo.status_id == ASSIGNED and wo.open_time_log() is not None:
        raise ApiError(
            409, f"Work order {wo.id} has a technician checked in; check out before marking work done"
        )
    move(emu, wo, "work_done", actor)


def mark_incomplete(emu: FieldNationEmulator, wo: WorkOrder, reason: str | None, actor: int) -> None:
    move(emu, wo, "incomplete", actor)
    if reason:
        _note(emu, wo, actor, f"Marked incomplete: {reason}")


def approve(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    move(emu, wo, "approve", actor)


def pay(emu: FieldNationEmulator, wo: WorkOrder, actor: int) -> None:
    move(emu, wo, "pay", actor)


def cancel_or_delete(emu: FieldNationEmulator, wo: WorkOrder, reason: str | None, actor: int) -> bool:
    """A draft was never seen by anyone and is deleted (True); anything later is cancelled (False)."""
    if wo.status_id == DRAFT:
        del emu.state.work_orders[wo.id]
        return True
    if wo.open_time_log() is not None:
        raise ApiError(409, f"Work order {wo.id} has a technician checked in; check out before cancelling")
    if reason:
        _note(emu, wo, actor, f"Cancelled: {reason}")
    move(emu, wo, "cancel", actor)
    return False


def set_sub_status(emu: FieldNationEmulator, wo: WorkOrder, sub: str, actor: int, minutes: int = 0) -> None:
    require_assigned(wo.id, wo.status_id, f"set {SUB_STATUSES[sub][0]}")
    wo.sub_status = sub
    wo.delay_minutes = minutes if sub == "delayed" else 0
    wo.confirmed = wo.confirmed or sub == "confirmed"
    event = SUB_STATUSES[sub][1]
    if event is not None:
        emu.publish(event, wo, actor)
    if sub == "eta_set":
        _complete_task_by_key(emu, wo, "set_eta", actor)


# -- offers from technicians ----------------------------------------------------------------------
def request(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int) -> None:
    tech = emu.state.catalog.user(technician_id, "technician")
    _require_offered(wo, "request")
    if any(r.technician_id == tech.id for r in wo.requests):
        raise ApiError(409, f"{tech.name} has already requested work order {wo.id}")
    wo.requests.append(Offer(emu.state.new_id(), tech.id, emu.now()))
    emu.publish("workorder.requested", wo, tech.id)


def decline(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int) -> None:
    tech = emu.state.catalog.user(technician_id, "technician")
    _require_offered(wo, "decline")
    if any(d.technician_id == tech.id for d in wo.declines):
        raise ApiError(409, f"{tech.name} has already declined work order {wo.id}")
    for r in wo.routes:
        r.declined = r.declined or r.technician_id == tech.id
    wo.declines.append(Offer(emu.state.new_id(), tech.id, emu.now(), declined=True))
    emu.publish("workorder.declined", wo, tech.id)


def undecline(emu: FieldNationEmulator, wo: WorkOrder, technician_id: int) -> None:
    tech = emu.state.catalog.user(technician_id, "technician")
    if not any(d.technician_id == tech.id for d in wo.declines):
        raise ApiError(409, f"{tech.name} has not declined work order {wo.id}")
    wo.declines = [d for d in wo.declines if d.technician_id != tech.id]
    for r in wo.routes:
        r.declined = r.declined and r.technician_id != tech.id
    emu.publish("workorder.undeclined", wo, tech.id)


def _require_offered(wo: WorkOrder, doing: str) -> None:
    if wo.status_id not in (PUBLISHED, ROUTED):
        raise ApiError(
            409,
            f"Cannot {doing} work order {wo.id}: it is {status_name(wo.status_id)}, not Published or Routed",
        )


# -- on site: time, expenses, closing notes, tasks ------------------------------------------------
def _require_worked(wo: WorkOrder, doing: str) -> None:
    if wo.status_id not in (ASSIGNED, WORK_DONE):
        raise ApiError(
            409,
            f"Cannot {doing} on work order {wo.id}: "
            f"it is {status_name(wo.status_id)}, not Assigned or Work Done",
        )


def check_in(emu: FieldNationEmulator, wo: WorkOrder, actor: int, at: FnDateIn | None = None) -> TimeLog:
    require_assigned(wo.id, wo.status_id, "check in")
    if wo.open_time_log() is not None:
        raise ApiError(409, f"Work order {wo.id} is already checked in")
    assert wo.assignee_id is not None  # Assigned implies an assignee
    when = _to_utc(at, wo.time_zone_id, "created") if at else emu.now()
    log = TimeLog(emu.state.new_id(), logged_by=wo.assignee_id, checked_in_at=when, checked_in_by=actor)
    wo.time_logs.append(log)
    set_sub_status(emu, wo, "checked_in", actor)
    _complete_task_by_key(emu, wo, "checkin", actor)
    return log


def check_out(emu: FieldNationEmulator, wo: WorkOrder, actor: int, at: FnDateIn | None = None) -> TimeLog:
    require_assigned(wo.id, wo.status_id, "check out")
    log = wo.open_time_log()
    if log is None:
        raise ApiError(409, f"Work order {wo.id} is not checked in")
    when = _to_utc(at, wo.time_zone_id, "created") if at else emu.now()
    if when < log.checked_in_at:
        raise ApiError(400, "Check-out time is before the check-in time")
    log.checked_out_at, log.checked_out_by = when, actor
    set_sub_status(emu, wo, "checked_out", actor)
    _complete_task_by_key(emu, wo, "checkout", actor)
    return log


def add_time_log(
    emu: FieldNationEmulator, wo: WorkOrder, start: FnDateIn, end: FnDateIn | None, actor: int
) -> TimeLog:
    _require_worked(wo, "log time")
    assert wo.assignee_id is not None
    log = TimeLog(emu.state.new_id(), logged_by=wo.assignee_id, checked_in_at=emu.now(), checked_in_by=actor)
    _set_times(wo, log, start, end, actor)
    if log.checked_out_at is None and wo.open_time_log() is not None:
        raise ApiError(409, f"Work order {wo.id} already has an open time log")
    wo.time_logs.append(log)
    return log


def update_time_log(
    wo: WorkOrder, log: TimeLog, start: FnDateIn | None, end: FnDateIn | None, actor: int
) -> None:
    _require_worked(wo, "edit time")
    _set_times(wo, log, start, end, actor)


def _set_times(wo: WorkOrder, log: TimeLog, start: FnDateIn | None, end: FnDateIn | None, actor: int) -> None:
    checked_in = _to_utc(start, wo.time_zone_id, "in.created") if start else log.checked_in_at
    checked_out = _to_utc(end, wo.time_zone_id, "out.created") if end else log.checked_out_at
    if checked_out is not None and checked_out <= checked_in:
        raise ApiError(400, "out.created must be after in.created")
    log.checked_in_at, log.checked_out_at = checked_in, checked_out
    if end is not None:
        log.checked_out_by = actor


def delete_time_log(wo: WorkOrder, log: TimeLog) -> None:
    _require_worked(wo, "delete time")
    wo.time_logs.remove(log)


def add_expense(
    emu: FieldNationEmulator,
    wo: WorkOrder,
    category_id: int,
    amount: float,
    quantity: float,
    description: str,
    actor: int,
) -> Expense:
    _require_worked(wo, "add an expense")
    _ref(emu.state.catalog.expense_categories, category_id, "Expense category")
    expense = Expense(emu.state.new_id(), category_id, amount, quantity, description, actor, emu.now())
    wo.expenses.append(expense)
    return expense


def delete_expense(wo: WorkOrder, expense: Expense) -> None:
    """The technician takes back an expense not reviewed yet (in the app; REST v2 has no such call)."""
    if wo.status_id in LOCKED or expense.status != "new":
        raise ApiError(409, f"Expense {expense.id} is {expense.status} and can no longer be deleted")
    wo.expenses.remove(expense)


def review_expense(wo: WorkOrder, expense: Expense, approved: bool, reason: str | None) -> None:
    if wo.status_id in LOCKED:
        raise ApiError(
            409, f"Work order {wo.id} is {status_name(wo.status_id)}; its expenses can no longer change"
        )
    if expense.status != "new":
        raise ApiError(409, f"Expense {expense.id} is already {expense.status}")
    expense.status = "approved" if approved else "disapproved"
    expense.reason = None if approved else reason


def set_closing_notes(wo: WorkOrder, notes: str) -> None:
    if wo.status_id in LOCKED:
        raise ApiError(
            409, f"Work order {wo.id} is {status_name(wo.status_id)}; closing notes can no longer change"
        )
    wo.closing_notes = notes


def add_closing_notes(emu: FieldNationEmulator, wo: WorkOrder, notes: str, actor: int) -> None:
    set_closing_notes(wo, notes)
    _complete_task_by_key(emu, wo, "closing_notes", actor)


def complete_task(emu: FieldNationEmulator, wo: WorkOrder, task: Task, actor: int) -> None:
    if task.completed is not None:
        raise ApiError(409, f"Task {task.id} is already complete")
    task.completed = emu.now()
    emu.publish("workorder.task_completed", wo, actor)


def incomplete_task(emu: FieldNationEmulator, wo: WorkOrder, task: Task, actor: int) -> None:
    if task.completed is None:
        raise ApiError(409, f"Task {task.id} is not complete")
    task.completed = None
    emu.publish("workorder.task_incomplete", wo, actor)


def _complete_task_by_key(emu: FieldNationEmulator, wo: WorkOrder, key: str, actor: int) -> None:
    task = next((t for t in wo.tasks if t.key == key and t.completed is None), None)
    if task is not None:
        complete_task(emu, wo, task, actor)


# -- messages, files, custom fields, tags, parts --------------------------------------------------
def post_message(
    emu: FieldNationEmulator,
    wo: WorkOrder,
    author: int,
    text: str,
    kind: str,
    to_id: int | None = None,
    parent: Message | None = None,
) -> Message:
    if to_id is not None:
        emu.state.catalog.user(to_id)
    # A reply to a reply joins the thread of the first message, as threads are one level deep.
    thread = (parent.parent_id or parent.id) if parent else None
    message = Message(emu.state.new_id(), author, text, kind, emu.now(), to_id, thread)
    wo.messages.append(message)
    emu.publish("workorder.message_posted", wo, author)
    return message


def add_folder(emu: FieldNationEmulator, wo: WorkOrder, name: str, kind: str) -> Folder:
    if any(f.name.lower() == name.lower() for f in wo.folders):
        raise ApiError(409, f"Work order {wo.id} already has a folder named {name!r}")
    folder = Folder(emu.state.new_id(), name, "slot" if kind == "slot" else "document")
    wo.folders.append(folder)
    return folder


def upload(
    emu: FieldNationEmulator,
    wo: WorkOrder,
    folder: Folder,
    name: str,
    mime: str,
    content: bytes,
    notes: str,
    actor: int,
    by_provider: bool,
) -> Attachment:
    if len(content) > emu.max_upload_bytes:
        raise ApiError(
            413, f"The file is {len(content)} bytes, over the upload limit of {emu.max_upload_bytes} bytes"
        )
    if not name.strip():
        raise ApiError(400, "The uploaded file needs a file name")
    attachment = Attachment(
        emu.state.new_id(),
        folder.id,
        name,
        mime,
        content,
        actor,
        emu.now(),
        notes,
        "pending" if by_provider else "approved",
    )
    wo.attachments.append(attachment)
    if by_provider:
        emu.publish("workorder.provider_upload", wo, actor)
    return attachment


def set_custom_field(
    emu: FieldNationEmulator, wo: WorkOrder, field_id: int, value: object, actor: int
) -> None:
    definition = emu.state.catalog.custom_fields.get(field_id)
    if definition is None:
        raise ApiError(404, f"Custom field {field_id} was not found")
    if wo.status_id in LOCKED:
        raise ApiError(
            409, f"Work order {wo.id} is {status_name(wo.status_id)}; custom fields can no longer change"
        )
    wo.custom_values[field_id] = custom_value(definition, value)
    emu.publish("workorder.custom_field_value_updated", wo, actor)


_FORMATS = {
    "date": (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d", "YYYY-MM-DD"),
    "date_time": (
        re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
        "%Y-%m-%d %H:%M:%S",
        "YYYY-MM-DD HH:MM:SS",
    ),
    "time": (re.compile(r"\d{2}:\d{2}"), "%H:%M", "HH:MM"),
}
_PHONE = re.compile(r"\+?[\d\s().-]{7,20}")


def custom_value(definition: CustomFieldDef, value: object) -> str:
    """The value as Field Nation stores it (a string), or a 400 that says what the type wants."""
    if value is None or value == "":
        return ""
    name, kind = definition.name, definition.type
    if kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ApiError(400, f"Custom field {name!r} is numeric; got {value!r}")
        try:
            number = float(value)
        except ValueError:
            raise ApiError(400, f"Custom field {name!r} is numeric; {value!r} is not a number") from None
        return str(int(number)) if number.is_integer() else str(number)
    if not isinstance(value, str):
        raise ApiError(400, f"Custom field {name!r} is {kind}; send the value as a string")
    if kind in _FORMATS:
        pattern, fmt, shown = _FORMATS[kind]
        try:
            if not pattern.fullmatch(value):
                raise ValueError
            datetime.strptime(value, fmt)
        except ValueError:
            raise ApiError(400, f"Custom field {name!r} is {kind} and wants {shown}; got {value!r}") from None
    elif kind == "predefined" and value not in definition.options:
        raise ApiError(400, f"Custom field {name!r} accepts one of {definition.options}; got {value!r}")
    elif kind == "phone" and (not _PHONE.fullmatch(value) or sum(ch.isdigit() for ch in value) < 7):
        raise ApiError(400, f"Custom field {name!r} wants a phone number; got {value!r}")
    return value


def add_tag(emu: FieldNationEmulator, wo: WorkOrder, label: str, actor: int) -> None:
    if any(t.name == label for t in wo.tags):
        raise ApiError(409, f"Work order {wo.id} already has the tag {label!r}")
    wo.tags.append(Named(emu.state.new_id(), label))
    emu.publish("workorder.tag_added", wo, actor)


def remove_tag(emu: FieldNationEmulator, wo: WorkOrder, label: str, actor: int) -> None:
    if not any(t.name == label for t in wo.tags):
        raise ApiError(409, f"Work order {wo.id} has no tag {label!r}")
    wo.tags = [t for t in wo.tags if t.name != label]
    emu.publish("workorder.tag_removed", wo, actor)


def update_part(
    emu: FieldNationEmulator,
    wo: WorkOrder,
    name: str,
    carrier: str,
    tracking: str,
    status: str,
    direction: str,
    actor: int,
) -> Shipment:
    """Add or update the shipment of a part, found by name."""
    shipment = next((s for s in wo.shipments if s.name == name), None)
    if shipment is None:
        shipment = Shipment(emu.state.new_id(), name, carrier, tracking, status, direction, actor, emu.now())
        wo.shipments.append(shipment)
    else:
        shipment.carrier, shipment.tracking, shipment.status, shipment.direction = (
            carrier,
            tracking,
            status,
            direction,
        )
    emu.publish("workorder.part_updated", wo, actor)
    return shipment
