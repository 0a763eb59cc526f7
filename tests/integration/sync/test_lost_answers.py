"""A create whose answer is lost, or that the service saves only after the client gave up, makes one record
all the same: it is looked up by its marker before anything is made again, and not made again while it
could still appear. Each kind of record the flows create, on both sides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from fieldbridge.sandbox.autotask.seed import STATUS
from fieldbridge.store.inbox import Hint
from tests.integration.sync.bridge import Bridge, fn_hint
from tests.integration.sync.scenario import PERSON, TECH, linked_work, new_work_order, records, tickets_for
from tests.support.waiting import wait_until

LATE = 0.5
"""Seconds after its error answer that a `late_apply` fault saves the create."""
WITHIN_WINDOW = timedelta(seconds=35)
"""A retry that comes while a create of unknown outcome could still appear (one look later)."""


@dataclass(frozen=True)
class Kind:
    entity: str
    post: str
    """The create's path, as a fault's regular expression."""
    expense_target: str = ""


KINDS = {
    "time entry": Kind("TimeEntries", r"/V1\.0/TimeEntries$"),
    "note": Kind("TicketNotes", r"/V1\.0/Tickets/\d+/Notes$"),
    "attachment": Kind("TicketAttachments", r"/V1\.0/Tickets/\d+/Attachments$"),
    "expense item": Kind("ExpenseItems", r"/V1\.0/Expenses/\d+/Items$"),
    "charge": Kind("TicketCharges", r"/V1\.0/Tickets/\d+/Charges$", expense_target="charge"),
}


def on_ticket(bridge: Bridge, kind: Kind) -> list[int]:
    field = "parentID" if kind.entity == "TicketAttachments" else "ticketID"
    return [r["id"] for r in records(bridge, kind.entity, **{field: 7001})]


def worked(bridge: Bridge, kind: Kind) -> int:
    bridge.change(attachment_sync=True, expense_target=kind.expense_target)  # "": expense reports
    return linked_work(bridge)


@pytest.mark.parametrize("name", KINDS)
def test_a_child_whose_answer_was_cut_after_it_was_saved_is_found_not_made_again(
    bridge: Bridge, name: str
) -> None:
    kind = KINDS[name]
    work_order_id = worked(bridge, kind)
    bridge.at.fault(kind="lost_answer", method="POST", path=kind.post, count=1)
    outcome = bridge.deliver(fn_hint(work_order_id, "work-done"))
    assert outcome.status == "done", outcome.lines
    assert len(on_ticket(bridge, kind)) == 1
    assert bridge.fn_event(work_order_id, "again").kind == "unchanged"
    assert len(on_ticket(bridge, kind)) == 1


@pytest.mark.parametrize("name", KINDS)
def test_a_child_saved_after_the_client_gave_up_is_found_not_made_again(bridge: Bridge, name: str) -> None:
    kind = KINDS[name]
    work_order_id = worked(bridge, kind)
    bridge.at.fault(kind="late_apply", method="POST", path=kind.post, seconds=LATE, count=1)
    first = bridge.deliver(fn_hint(work_order_id, "work-done"))
    assert first.status == "retrying", first.lines
    wait_until(lambda: len(on_ticket(bridge, kind)) == 1, what=f"the late {name} to be saved")
    again = bridge.process_when_due(first.event_id, after=WITHIN_WINDOW)
    assert again.status == "done", again.lines
    assert bridge.process_when_due(first.event_id).status == "done"
    assert len(on_ticket(bridge, kind)) == 1


@pytest.mark.parametrize("name", KINDS)
def test_a_child_create_that_never_landed_is_made_once_the_window_is_over(bridge: Bridge, name: str) -> None:
    kind = KINDS[name]
    work_order_id = worked(bridge, kind)
    # A timeout fault answers 504 without the service ever seeing the request: nothing was made.
    bridge.at.fault(kind="timeout", method="POST", path=kind.post, seconds=0.1, count=1)
    first = bridge.deliver(fn_hint(work_order_id, "work-done"))
    assert first.status == "retrying", first.lines
    looked = bridge.process_when_due(first.event_id, after=WITHIN_WINDOW)
    assert looked.status == "retrying"
    assert "not sent again before" in looked.lines[-1][2]
    assert on_ticket(bridge, kind) == []
    assert bridge.process_when_due(first.event_id).status == "done"
    assert len(on_ticket(bridge, kind)) == 1


def work_orders_for(bridge: Bridge, ticket_id: int) -> list[int]:
    state = bridge.fn.emulator.state
    return sorted(wo.id for wo in state.work_orders.values() if wo.correlation_id == str(ticket_id))


def test_a_work_order_whose_answer_was_lost_is_found_not_made_again(creating: Bridge) -> None:
    creating.fn.fault(kind="lost_answer", method="POST", path="/workorders$", count=1)
    outcome = creating.deliver(Hint("import", "autotask", "Ticket", 7002))
    assert outcome.status == "done", outcome.lines
    [work_order_id] = work_orders_for(creating, 7002)
    assert creating.work_order_of(7002) == work_order_id
    # Field Nation's `workorder.created` for it does not become a ticket (Outbound Create is on).
    assert creating.fn_event(work_order_id, "created").kind == "unchanged"
    assert tickets_for(creating, work_order_id) == []


def test_a_work_order_saved_after_the_client_gave_up_is_neither_made_again_nor_turned_into_a_ticket(
    creating: Bridge,
) -> None:
    creating.fn.fault(kind="late_apply", method="POST", path="/workorders$", seconds=LATE, count=1)
    first = creating.deliver(Hint("import", "autotask", "Ticket", 7002))
    assert first.status == "retrying", first.lines
    wait_until(lambda: work_orders_for(creating, 7002), what="the late work order to be saved")
    [work_order_id] = work_orders_for(creating, 7002)
    # Its `workorder.created` comes before the import's retry: it is ours, not a new ticket's work order.
    created = creating.deliver(fn_hint(work_order_id, "created"))
    assert created.status == "retrying"
    assert "whose import has not finished" in created.lines[-1][2]
    assert creating.process_when_due(first.event_id, after=WITHIN_WINDOW).status == "done"
    assert work_orders_for(creating, 7002) == [work_order_id]
    assert creating.work_order_of(7002) == work_order_id
    assert creating.process_when_due(created.event_id).status == "done"
    assert tickets_for(creating, work_order_id) == []


def test_a_ticket_saved_after_the_client_gave_up_is_outbound_created_once(creating: Bridge) -> None:
    creating.at.fault(kind="late_apply", method="POST", path=r"/V1\.0/Tickets$", seconds=LATE, count=1)
    work_order_id = new_work_order(creating)
    first = creating.deliver(fn_hint(work_order_id, "created"))
    assert first.status == "retrying", first.lines
    wait_until(lambda: tickets_for(creating, work_order_id), what="the late ticket to be saved")
    assert creating.process_when_due(first.event_id, after=WITHIN_WINDOW).status == "done"
    assert creating.process_when_due(first.event_id).status == "done"
    [ticket] = tickets_for(creating, work_order_id)
    assert creating.ticket_of(work_order_id) == ticket["id"]


def test_a_ticket_whose_answer_was_cut_is_outbound_created_once(creating: Bridge) -> None:
    creating.at.fault(kind="lost_answer", method="POST", path=r"/V1\.0/Tickets$", count=1)
    work_order_id = new_work_order(creating)
    assert creating.deliver(fn_hint(work_order_id, "created")).status == "done"
    [ticket] = tickets_for(creating, work_order_id)
    assert creating.ticket_of(work_order_id) == ticket["id"]


def test_a_ticket_saved_late_is_brought_up_to_what_its_work_order_became_meanwhile(creating: Bridge) -> None:
    creating.at.fault(kind="late_apply", method="POST", path=r"/V1\.0/Tickets$", seconds=LATE, count=1)
    work_order_id = new_work_order(creating)
    first = creating.deliver(fn_hint(work_order_id, "created"))
    assert first.status == "retrying", first.lines
    wait_until(lambda: tickets_for(creating, work_order_id), what="the late ticket to be saved")
    # The ticket holds the work order as it was when the create was sent; then the work is done, and Field
    # Nation's webhooks about it are lost. The retry finds the ticket by its marker.
    for action, body in (("assign", {"technician_id": TECH}), ("closing_notes", {"notes": "Rack in."})):
        creating.fn.act(work_order_id, action, **body)
    creating.fn.act(work_order_id, "work_done")
    assert creating.process_when_due(first.event_id, after=WITHIN_WINDOW).status == "done"
    [ticket] = tickets_for(creating, work_order_id)
    assert (ticket["status"], ticket["resolution"]) == (STATUS["Complete"], "Rack in.")


def test_a_work_order_saved_late_is_brought_up_to_what_its_ticket_became_meanwhile(creating: Bridge) -> None:
    creating.fn.fault(kind="late_apply", method="POST", path="/workorders$", seconds=LATE, count=1)
    first = creating.deliver(Hint("import", "autotask", "Ticket", 7002))
    assert first.status == "retrying", first.lines
    wait_until(lambda: work_orders_for(creating, 7002), what="the late work order to be saved")
    # The work order holds the ticket as it was when the create was sent; the dispatcher then renames the
    # ticket (its webhook is lost). The import's retry finds the work order by its correlation id.
    creating.at.ui_edit(7002, PERSON, title="Rack install (urgent)", description="Bring two rails.")
    assert creating.process_when_due(first.event_id, after=WITHIN_WINDOW).status == "done"
    [work_order_id] = work_orders_for(creating, 7002)
    work_order = creating.fn.emulator.state.work_orders[work_order_id]
    assert (work_order.title, work_order.description_html) == ("Rack install (urgent)", "Bring two rails.")
