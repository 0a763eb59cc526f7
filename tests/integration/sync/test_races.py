"""Events that race on one pair: a Field Nation event for a work order the inbound import is making waits
until the pair is whole, and an import never swallows a Field Nation change still on its way to Autotask,
even one made while the import creates the work order; and a stalled run whose pair another worker took over
sends no create beside the other's."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import delete, select, update

from fieldbridge.store.inbox import Hint
from fieldbridge.store.tables import PairLock
from tests.integration.sync.bridge import Bridge, fn_hint
from tests.integration.sync.scenario import PERSON, TECH, linked_work, records, tickets_for
from tests.support.inline_worker import Processed
from tests.support.waiting import wait_until

SLOW = 2.0
"""Seconds an injected latency holds a work order GET: long enough for the other event to run meanwhile."""


def in_thread(run: Any) -> tuple[threading.Thread, list[Processed]]:
    outcome: list[Processed] = []
    thread = threading.Thread(target=lambda: outcome.append(run()), daemon=True)
    thread.start()
    return thread, outcome


def locked(bridge: Bridge, key: str) -> bool:
    with bridge.db.transaction() as session:
        return session.scalar(select(PairLock.holder).where(PairLock.key == key)) is not None


def test_a_work_order_event_during_its_import_never_writes_over_the_ticket(creating: Bridge) -> None:
    before = records(creating, "Tickets", id=7002)[0]
    work_order_id = max(creating.fn.emulator.state.work_orders) + 1  # the id the import's create gets
    # Both GETs of the new work order are slow: the Field Nation event's, then the import's own.
    slow = rf"/workorders/{work_order_id}$"
    creating.fn.fault(kind="latency", method="GET", path=slow, seconds=SLOW, count=2)
    # Field Nation's `workorder.created` is taken first, before the work order is linked (or even exists).
    fn_thread, fn_outcome = in_thread(lambda: creating.deliver(fn_hint(work_order_id, "created")))
    fn_key = f"{creating.connector_id}:fieldnation:workorder:{work_order_id}"
    wait_until(lambda: locked(creating, fn_key), what="the work order event to hold its lock")
    import_thread, import_outcome = in_thread(
        lambda: creating.deliver(Hint("import", "autotask", "Ticket", 7002))
    )
    fn_thread.join(timeout=30)
    import_thread.join(timeout=30)
    [imported], [created] = import_outcome, fn_outcome
    assert imported.status == "done", imported.lines
    assert creating.work_order_of(7002) == work_order_id
    if created.status == "retrying":  # it found the import unfinished: its retry finds the pair whole
        created = creating.process_when_due(created.event_id)
    assert created.status == "done", created.lines
    after = records(creating, "Tickets", id=7002)[0]
    # Nothing of Outbound Create's fixed account, queue or priority, nor anything else, was written over it.
    assert {k: after[k] for k in before if k != "lastActivityDate"} == {
        k: v for k, v in before.items() if k != "lastActivityDate"
    }
    assert tickets_for(creating, work_order_id) == []


def test_an_import_does_not_swallow_a_field_nation_change_still_on_its_way(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    bridge.fn.act(work_order_id, "route", technician_id=TECH)
    bridge.fn.act(work_order_id, "accept", technician_id=TECH)
    bridge.fn_event(work_order_id, "assigned")
    # The technician's closing notes: Field Nation's webhook for them is lost.
    bridge.fn.act(work_order_id, "closing_notes", notes="Replaced the switch; tested all ports.")
    # A dispatcher edits the ticket; its import writes the new description to the work order.
    bridge.at.ui_edit(7001, PERSON, description="Caller adds: the second switch blinks amber too.")
    assert bridge.import_ticket(7001).written("updated", "work order") == [work_order_id]
    # The next Field Nation event (or the reconciler) still brings the closing notes over.
    assert "Resolution" in bridge.fn_event(work_order_id, "reconciled").writes[0].detail
    ticket = records(bridge, "Tickets", id=7001)[0]
    assert ticket["resolution"] == "Replaced the switch; tested all ports."
    assert ticket["description"] == "Caller adds: the second switch blinks amber too."


def test_a_field_nation_change_made_while_the_import_creates_the_work_order_reaches_the_ticket(
    bridge: Bridge,
) -> None:
    work_order_id = max(bridge.fn.emulator.state.work_orders) + 1  # the id the import's create gets
    # The import's reads of its new work order are slow, so the buyer and the technician act before the
    # import has read what its work order holds, as they may as soon as it exists.
    slow = rf"/workorders/{work_order_id}$"
    bridge.fn.fault(kind="latency", method="GET", path=slow, seconds=SLOW, count=2)
    import_thread, import_outcome = in_thread(
        lambda: bridge.deliver(Hint("import", "autotask", "Ticket", 7001))
    )
    wait_until(lambda: work_order_id in bridge.fn.emulator.state.work_orders, what="the import's work order")
    bridge.fn.act(work_order_id, "assign", technician_id=TECH)
    bridge.fn.act(work_order_id, "closing_notes", notes="Swapped the switch before the ticket was updated.")
    import_thread.join(timeout=30)
    [imported] = import_outcome
    assert imported.status == "done", imported.lines
    # Field Nation's webhook for the closing notes: what the work order holds that the ticket does not is
    # written, not taken for what the import itself wrote.
    assert "Resolution" in bridge.fn_event(work_order_id, "closing-notes").writes[0].detail
    ticket = records(bridge, "Tickets", id=7001)[0]
    assert ticket["resolution"] == "Swapped the switch before the ticket was updated."


def test_an_attempt_whose_pair_was_taken_over_while_it_stalled_sends_no_create(bridge: Bridge) -> None:
    """A worker that stalls past its lease (a pause, a starved thread) while another takes its pair over
    must not create what the other creates: a create's pending row is written only while the pair is held."""
    work_order_id = linked_work(bridge)
    slow = rf"/workorders/{work_order_id}$"
    bridge.fn.fault(kind="latency", method="GET", path=slow, seconds=SLOW, count=1)
    thread, outcome = in_thread(lambda: bridge.deliver(fn_hint(work_order_id, "work-done")))
    key = f"{bridge.connector_id}:fieldnation:workorder:{work_order_id}"
    wait_until(lambda: locked(bridge, key), what="the work order event to hold its pair")
    with bridge.db.transaction() as session:  # its lease ran out meanwhile, and another worker took the pair
        session.execute(update(PairLock).values(holder="another worker"))
    thread.join(timeout=30)
    [stalled] = outcome
    assert stalled.status == "retrying", stalled.lines
    assert "Another worker took this record over" in stalled.lines[-1].message
    assert records(bridge, "TimeEntries", ticketID=7001) == []
    with bridge.db.transaction() as session:  # the other worker is done with the pair
        session.execute(delete(PairLock))
    assert bridge.process_when_due(stalled.event_id).status == "done"
    assert len(records(bridge, "TimeEntries", ticketID=7001)) == 1
