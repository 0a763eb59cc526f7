"""The story: a ticket reaches the trigger status and becomes a work order; a technician does the work in
Field Nation; all of it lands in Autotask; then a work order made in Field Nation becomes a ticket.

People act through the emulators' `/_sim/` doors (the Autotask UI, the Field Nation app), which fire the
real webhooks; the broker does everything else. Each step waits for the outcome and checks it in the
emulators' state, not in what the broker says about itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fieldbridge.demo.scene import DISPATCHER, TECHNICIAN, TICKET, TRIGGER_STATUS, Scene
from fieldbridge.demo.setup import IN_PROGRESS, PRIORITY, QUEUE
from fieldbridge.demo.steps import StepFailed
from fieldbridge.fieldnation.models import WorkOrder
from fieldbridge.sync.outbound_create import external_id
from fieldbridge.sync.outbound_rules import closed_span, time_logs

HOURS = 1.5
EXPENSE = {"category_id": 3, "amount": 18.5, "description": "Parking at the clinic"}
MESSAGE = "On site. The switch in the closet is dead; replacing it with the spare."
PHOTO = "closet-after.jpg"
CLOSING_NOTES = "Replaced the failed switch, patched all 24 ports, tested uplink and VLANs."
NEW_WORK_ORDER = "Install badge reader at the loading dock"
NOTE_FOR_TECHNICIAN = "Gate code 4411; ask for Dana at reception."
INTERNAL_NOTE = "Customer is slow to pay: no extra work without approval."
# Field Nation sends no webhook for a time log or an expense: they reach Autotask with the work order's
# next event, since the broker reads the whole work order whatever the event says.
SILENT = "Field Nation fires no webhook for it: it lands in Autotask with the next event"


def _ticket(scene: Scene) -> dict[str, Any]:
    return scene.stack.records("Tickets", id=TICKET)[0]


def _one(scene: Scene, entity: str, what: str, **match: Any) -> dict[str, Any]:
    found = scene.stack.records(entity, **match)
    if len(found) != 1:
        raise StepFailed(f"expected one {what} in Autotask, found {len(found)}")
    return found[0]


def _time_entries_of(scene: Scene, log_id: int) -> list[dict[str, Any]]:
    """The ticket's time entries carrying a time log's `(#id)` marker (in Summary Notes, the default)."""
    return [
        entry
        for entry in scene.stack.records("TimeEntries", ticketID=TICKET)
        if str(entry.get("summaryNotes") or "").startswith(f"(#{log_id})")
    ]


def dispatch(scene: Scene) -> str:
    stack = scene.stack
    status = scene.picklist("Tickets", "status")[TRIGGER_STATUS]
    person = stack.records("Resources", firstName=DISPATCHER)[0]["id"]
    seen = _created_work_orders(scene)
    stack.autotask_sim.patch(
        f"/_sim/ui/Tickets/{TICKET}", json={"as_resource": person, "fields": {"status": status}}
    ).raise_for_status()
    scene.run.settle()
    new = [wo for wo in _created_work_orders(scene) if wo not in seen]
    if len(new) != 1:
        raise StepFailed(f"expected one new work order in Field Nation, found {len(new)}")
    scene.work_order = new[0]
    with stack.fieldnation_client() as fieldnation:
        work_order = fieldnation.workorders.get(scene.work_order)
    ticket = _ticket(scene)
    if work_order.title != ticket["title"] or work_order.correlation_id != str(TICKET):
        raise StepFailed(f"work order {scene.work_order} does not carry ticket {TICKET}'s title and id")
    state = work_order.status.name if work_order.status else "?"
    return (
        f"a dispatcher set ticket {TICKET} to {TRIGGER_STATUS}; its webhook hit the trigger URL and the "
        f"broker made work order {scene.work_order} ({state}) titled {work_order.title!r}"
    )


def _created_work_orders(scene: Scene) -> list[int]:
    events = scene.stack.fieldnation_sim.get("/_sim/events").raise_for_status().json()["items"]
    return [int(e["work_order_id"]) for e in events if e["name"] == "workorder.created"]


def route(scene: Scene) -> str:
    fired = scene.act_in_fieldnation("route", technician_id=TECHNICIAN)["events"]
    fired += scene.act_in_fieldnation("accept", technician_id=TECHNICIAN)["events"]
    scene.run.settle()
    status = scene.picklist("Tickets", "status")[IN_PROGRESS]
    if _ticket(scene)["status"] != status:
        raise StepFailed(f"ticket {TICKET} is not {IN_PROGRESS} ({status}) after the technician was assigned")
    return (
        f"routed to technician {TECHNICIAN}, who accepted ({', '.join(fired)}); "
        f"ticket {TICKET} is now {IN_PROGRESS}"
    )


def dispatcher_notes(scene: Scene) -> str:
    stack = scene.stack
    person = stack.records("Resources", firstName=DISPATCHER)[0]["id"]
    publish = scene.picklist("TicketNotes", "publish")
    note_type = scene.picklist("TicketNotes", "noteType")["Task Notes"]
    for text, level in ((NOTE_FOR_TECHNICIAN, "All Autotask Users"), (INTERNAL_NOTE, "Internal Only")):
        fields = {"ticketID": TICKET, "title": DISPATCHER, "description": text, "noteType": note_type}
        stack.autotask_sim.post(
            "/_sim/ui/TicketNotes",
            json={"as_resource": person, "fields": fields | {"publish": publish[level]}},
        ).raise_for_status()
    # Autotask fires no ticket webhook for a new note: it reaches the work order with the ticket's next
    # change, the reconciler's next pass, or an import on demand, as here.
    scene.admin("POST", "/import", json={"ticket_id": TICKET})
    scene.run.settle()
    with stack.fieldnation_client() as fieldnation:
        texts = [m.message for m in fieldnation.messages.list(scene.work_order)]
    shared = [t for t in texts if t.endswith(NOTE_FOR_TECHNICIAN)]
    if len(shared) != 1 or any(INTERNAL_NOTE in t for t in texts):
        raise StepFailed("the note published to all is not exactly one message, or the internal one went too")
    return (
        f"a dispatcher added two notes to ticket {TICKET}; the one published to all became a message on work "
        f"order {scene.work_order} ({shared[0]!r}), the internal one stayed in Autotask"
    )


def check_in(scene: Scene) -> str:
    scene.act_in_fieldnation("check_in")
    scene.run.settle()
    if scene.stack.records("TimeEntries", ticketID=TICKET):
        raise StepFailed("an open time log (checked in, not out) was written as a time entry")
    return "checked in; the visit's time log stays open until check-out, so no time entry yet"


def _silently(scene: Scene, action: str, **body: Any) -> None:
    fired = scene.act_in_fieldnation(action, **body)["events"]
    scene.run.settle()
    if fired:
        raise StepFailed(f"Field Nation fired {fired}; the story expected no webhook for '{action}'")


def log_time(scene: Scene) -> str:
    _silently(scene, "log_time", hours=HOURS)
    return f"logged {HOURS} h. {SILENT}"


def add_expense(scene: Scene) -> str:
    _silently(scene, "add_expense", **EXPENSE)
    return f"added an expense of {EXPENSE['amount']} ({EXPENSE['description']}). {SILENT}"


def post_message(scene: Scene) -> str:
    scene.act_in_fieldnation("post_message", message=MESSAGE)
    scene.run.settle()
    notes = [
        n
        for n in scene.stack.records("TicketNotes", ticketID=TICKET)
        if str(n.get("description") or "").endswith(MESSAGE)
    ]
    if len(notes) != 1:
        raise StepFailed(f"the technician's message is {len(notes)} notes on ticket {TICKET}, not one")
    note = notes[0]
    entry = _one(scene, "TimeEntries", "time entry", ticketID=TICKET)
    item = _one(scene, "ExpenseItems", "expense item", ticketID=TICKET)
    return (
        f"note {note['id']} on ticket {TICKET}; with it, from the same read of the work order, time entry "
        f"{entry['id']} ({entry['hoursWorked']} h) and expense item {item['id']} "
        f"({item['expenseCurrencyExpenseAmount']})"
    )


def upload(scene: Scene) -> str:
    photo = base64.b64encode(b"\xff\xd8\xff\xe0 a photo of the closet \xff\xd9").decode()
    scene.act_in_fieldnation("upload", name=PHOTO, content=photo, mime="image/jpeg")
    scene.run.settle()
    attachment = _one(scene, "TicketAttachments", "attachment", parentID=TICKET)
    return (
        f"uploaded {PHOTO}; attachment {attachment['id']} ({attachment['attachmentType']}) on ticket {TICKET}"
    )


def closing_notes(scene: Scene) -> str:
    scene.act_in_fieldnation("closing_notes", notes=CLOSING_NOTES)
    scene.run.settle()
    if _ticket(scene)["resolution"] != CLOSING_NOTES:
        raise StepFailed(f"ticket {TICKET}'s Resolution is not the closing notes")
    return f"closing notes are ticket {TICKET}'s Resolution"


def work_done(scene: Scene) -> str:
    scene.act_in_fieldnation("check_out")
    work_order = scene.act_in_fieldnation("work_done")["workorder"]
    scene.run.settle()
    complete = scene.picklist("Tickets", "status")["Complete"]
    if _ticket(scene)["status"] != complete:
        raise StepFailed(f"ticket {TICKET} is not Complete ({complete}) after work done")
    logs = _closed_time_logs(work_order)
    entries = scene.stack.records("TimeEntries", ticketID=TICKET)
    if len(entries) != len(logs) or any(len(_time_entries_of(scene, log_id)) != 1 for log_id in logs):
        raise StepFailed(f"{len(logs)} closed time logs but {len(entries)} time entries on ticket {TICKET}")
    return (
        f"checked out and marked work done; ticket {TICKET} is Complete ({complete}); "
        f"{len(logs)} of {len(work_order['time_logs']['results'])} time logs end after they start "
        "(a visit under a second long does not), each exactly one time entry"
    )


def _closed_time_logs(work_order: dict[str, Any]) -> list[int]:
    """Time logs that end after they start: Autotask takes only those (a check-in and check-out within one
    second of each other make none)."""
    logs = time_logs(WorkOrder.model_validate(work_order))
    return [log.id for log in logs if closed_span(log) is not None]


def outbound_create(scene: Scene) -> str:
    tickets_before = len(scene.stack.records("Tickets"))
    start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    with scene.stack.fieldnation_client() as fieldnation:
        work_order = fieldnation.workorders.create(
            {
                "title": NEW_WORK_ORDER,
                "schedule": {
                    "service_window": {"mode": "exact", "start": {"utc": start.strftime("%Y-%m-%d %H:%M:%S")}}
                },
            }
        )
    scene.run.settle()
    ticket = _one(scene, "Tickets", "ticket", externalID=external_id(work_order.id))
    if len(scene.stack.records("Tickets")) != tickets_before + 1:
        raise StepFailed("Outbound Create made more than one ticket")
    # The six required fields: title and due date from the work order, the rest as set up (status: New).
    expected = {
        "title": NEW_WORK_ORDER,
        "dueDateTime": start.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "status": scene.picklist("Tickets", "status")["New"],
        "priority": scene.picklist("Tickets", "priority")[PRIORITY],
        "queueID": scene.picklist("Tickets", "queueID")[QUEUE],
        "companyID": _ticket(scene)["companyID"],
    }
    if wrong := sorted(name for name, value in expected.items() if ticket[name] != value):
        raise StepFailed(f"ticket {ticket['id']} has unexpected {', '.join(wrong)}")
    return (
        f"a buyer made work order {work_order.id} (this step's Field Nation calls include the buyer's own); "
        f"the broker created ticket {ticket['id']} with the six required fields (status New, priority "
        f"{PRIORITY}, queue {QUEUE}, account {ticket['companyID']}, due {ticket['dueDateTime']})"
    )


STEPS: tuple[tuple[str, Callable[[Scene], str]], ...] = (
    ("Ticket reaches the trigger status -> work order", dispatch),
    ("Technician routed and assigned", route),
    ("Dispatcher's notes: the one published to all -> a message", dispatcher_notes),
    ("Technician checks in", check_in),
    ("Technician logs time", log_time),
    ("Technician adds an expense", add_expense),
    ("Technician posts a message", post_message),
    ("Technician uploads a photo", upload),
    ("Technician adds closing notes", closing_notes),
    ("Technician checks out, marks work done", work_done),
    ("New Field Nation work order -> ticket (Outbound Create)", outbound_create),
)
