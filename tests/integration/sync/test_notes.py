"""Notes both ways: an Autotask note published to all becomes one message on the work order, an internal one
does not, and a technician's message becomes one ticket note that never comes back as a message, whatever
the order or the number of times the events arrive."""

from __future__ import annotations

from typing import Any

from fieldbridge.sandbox.autotask.seed import NOTE_TYPE, PUBLISH
from fieldbridge.sync.options import SyncOptions
from tests.integration.sync.bridge import FIELD_TECH_ROLE, TECH_RESOURCE, Bridge
from tests.integration.sync.scenario import PERSON, TECH, records


def add_note(bridge: Bridge, text: str, publish: int, ticket_id: int = 7001) -> int:
    """A dispatcher adds a note to the ticket in Autotask."""
    fields = {
        "ticketID": ticket_id,
        "title": "Dispatcher",
        "description": text,
        "noteType": NOTE_TYPE["Task Notes"],
        "publish": publish,
    }
    answer = bridge.at.control.post("/_sim/ui/TicketNotes", json={"as_resource": PERSON, "fields": fields})
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def messages(bridge: Bridge, work_order_id: int) -> list[str]:
    work_order = bridge.fn.emulator.state.work_orders[work_order_id]
    return [m.text for m in work_order.messages]


def messages_of(bridge: Bridge, work_order_id: int) -> list[int]:
    return [m.id for m in bridge.fn.emulator.state.work_orders[work_order_id].messages]


def notes(bridge: Bridge, ticket_id: int = 7001) -> list[dict[str, Any]]:
    return records(bridge, "TicketNotes", ticketID=ticket_id)


def test_a_note_published_to_all_becomes_one_message_and_an_internal_one_none(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    shared = add_note(bridge, "Gate code is 4411; ask for Dana at reception.", PUBLISH["All Autotask Users"])
    add_note(bridge, "Customer is late on invoices: no extra work.", PUBLISH["Internal Only"])
    summary = bridge.import_ticket(7001)  # the ticket webhook, or the reconciler
    assert summary.written("created", "message") == messages_of(bridge, work_order_id)
    assert messages(bridge, work_order_id) == [
        f"(#{shared}) Dispatcher: Gate code is 4411; ask for Dana at reception."
    ]
    # The same hint again, and the technician's events that follow the message: nothing more.
    bridge.reset_counts()
    assert bridge.import_ticket(7001).kind == "unchanged"
    assert bridge.fn_event(work_order_id, "message-posted").kind == "unchanged"
    assert len(messages(bridge, work_order_id)) == 1
    assert len(notes(bridge)) == 2  # no ticket note came back from our own message
    assert bridge.fn.calls("/workorders/{work_order_id}/messages", "POST") == 0


def test_a_technicians_message_becomes_one_note_that_never_returns_as_a_message(bridge: Bridge) -> None:
    published = {"note_publish": PUBLISH["All Autotask Users"]}
    bridge.set_options(SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE, **published))
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    bridge.fn.act(work_order_id, "route", technician_id=TECH)
    bridge.fn.act(work_order_id, "accept", technician_id=TECH)
    bridge.fn.act(work_order_id, "post_message", message="On site now.")
    # Delivered twice, and the ticket's own event (our note moved its last activity) in between.
    bridge.fn_event(work_order_id, "posted")
    assert bridge.import_ticket(7001).kind == "unchanged"
    bridge.fn_event(work_order_id, "posted-again")
    [note] = notes(bridge)
    assert note["description"].endswith("On site now.")
    assert note["publish"] == PUBLISH["All Autotask Users"]  # published to all, yet not sent back
    assert messages(bridge, work_order_id) == ["On site now."]


def test_notes_and_messages_out_of_order_and_twice_make_one_copy_each(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    bridge.fn.act(work_order_id, "route", technician_id=TECH)
    bridge.fn.act(work_order_id, "accept", technician_id=TECH)
    add_note(bridge, "Bring a ladder.", PUBLISH["All Autotask Users"])
    bridge.fn.act(work_order_id, "post_message", message="Which door?")
    for _ in range(2):  # reordered: the work order's event first, then the ticket's, each twice
        bridge.fn_event(work_order_id, "both")
        bridge.import_ticket(7001)
    assert sorted(m.split(") ", 1)[-1] for m in messages(bridge, work_order_id)) == [
        "Dispatcher: Bring a ladder.",
        "Which door?",
    ]
    descriptions = sorted(n["description"].split(") ", 1)[-1] for n in notes(bridge))
    assert descriptions == ["Bring a ladder.", "Which door?"]
