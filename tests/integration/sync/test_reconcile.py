"""The reconciler heals what webhooks missed (an Autotask payload dropped after its retries, a Field Nation
delivery that never came), imports unlinked tickets only under the trigger conditions, and a pass over
nothing new writes nothing in either system."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from fieldbridge.autotask.webhook_fields import ticket_field_id
from fieldbridge.jobs.consumer import Parts, start_in_background
from fieldbridge.jobs.handlers import load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.store.tables import InboxEvent
from fieldbridge.sync import reconcile
from fieldbridge.sync.options import SyncOptions, TriggerConditions
from tests.integration.sync.bridge import FIELD_TECH_ROLE, TECH_RESOURCE, Bridge
from tests.integration.sync.scenario import PERSON, linked_work, records, work_order, writes
from tests.support.receiver import Receiver, receiver
from tests.support.waiting import wait_until

DISPATCH = 24


@pytest.fixture
def dropping_webhook(bridge: Bridge) -> Iterator[Receiver]:
    """An Autotask ticket webhook to a receiver, every delivery of which Autotask drops."""
    at = bridge.at
    with receiver() as rec, at.api() as api:
        webhook_id = at.add_ticket_webhook(api, rec.url, "hook-secret-0123456789")
        api.post(
            f"TicketWebhooks/{webhook_id}/Fields",
            json={
                "fieldID": ticket_field_id("title"),
                "isSubscribedField": True,
                "isDisplayAlwaysField": True,
            },
        ).raise_for_status()
        at.fault(kind="drop", scope="webhook")
        yield rec


def autotask_events(bridge: Bridge) -> int:
    with bridge.db.transaction() as session:
        count = session.scalar(
            select(func.count()).select_from(InboxEvent).where(InboxEvent.system == "autotask")
        )
        return int(count or 0)


def test_a_change_whose_webhook_autotask_dropped_is_synced_by_the_next_pass(
    bridge: Bridge, dropping_webhook: Receiver
) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    bridge.at.ui_edit(7001, PERSON, title="Core switch replaced, rack 2")
    deliveries = wait_until(
        lambda: [
            d
            for d in bridge.at.control.get("/_sim/webhooks/deliveries").json()["items"]
            if d["state"] != "pending"
        ],
        what="Autotask to give the delivery up",
    )
    assert [d["state"] for d in deliveries] == ["failed"]
    assert dropping_webhook.received == []
    assert work_order(bridge, work_order_id)["title"] != "Core switch replaced, rack 2"

    done = bridge.reconcile()
    assert done.autotask_hints >= 1
    assert work_order(bridge, work_order_id)["title"] == "Core switch replaced, rack 2"


def test_work_field_nation_never_announced_is_synced_by_the_next_pass(bridge: Bridge) -> None:
    work_order_id = linked_work(bridge)  # the technician's work; no Field Nation event delivered
    bridge.reconcile()
    assert len(records(bridge, "TimeEntries", ticketID=7001)) == 1
    assert len(records(bridge, "TicketNotes", ticketID=7001)) == 1
    assert records(bridge, "Tickets", id=7001)[0]["resolution"] == "Replaced the switch; tested all ports."
    assert bridge.ticket_of(work_order_id) == 7001


def fn_writes(bridge: Bridge) -> list[str]:
    items = bridge.fn.control.get("/_sim/calls").json()["items"]
    return [i["route"] for i in items if i["method"] != "GET" and "oauth" not in i["route"]]


def test_a_pass_over_nothing_new_writes_nothing(bridge: Bridge) -> None:
    linked_work(bridge)
    bridge.reconcile()  # writes the technician's work to the ticket
    bridge.reset_counts()
    bridge.reconcile()
    # Our own writes moved the ticket's lastActivityDate: it is read once more, and nothing is written.
    calls = bridge.autotask_calls()
    assert writes(calls) == 0, calls
    assert calls.get("GET /V1.0/Tickets/{id}", 0) <= 1, calls
    assert fn_writes(bridge) == []

    before = autotask_events(bridge)
    bridge.reset_counts()
    again = bridge.reconcile()
    assert bridge.autotask_calls() == {"POST /V1.0/Tickets/query": 1}  # the window, one page, nothing else
    assert fn_writes(bridge) == []
    assert again.changed >= 1  # the overlap window reads the last changes again ...
    assert autotask_events(bridge) == before  # ... as the same versions: no new work


def test_unlinked_tickets_are_imported_only_when_the_trigger_conditions_hold(bridge: Bridge) -> None:
    bridge.reconcile()
    assert bridge.fn.calls("/workorders", "POST") == 0  # no conditions: nothing unlinked is imported
    bridge.set_options(
        SyncOptions(
            resource_id=TECH_RESOURCE,
            role_id=FIELD_TECH_ROLE,
            triggers=TriggerConditions(status_becomes=[DISPATCH]),
        )
    )
    bridge.at.ui_edit(7005, PERSON, title="Wi-Fi dead zone in exam rooms 1-3")  # 7005 is in Dispatch to Field
    bridge.reconcile()
    assert bridge.work_order_of(7005)
    assert bridge.fn.calls("/workorders", "POST") == 1


def test_the_sync_flows_register_the_reconciler_and_it_runs_only_for_due_connectors(bridge: Bridge) -> None:
    registry = load(["fieldbridge.sync.handlers"])
    assert [task.name for task in registry.periodic] == ["reconciler"]
    parts = Parts(
        bridge.settings, bridge.db, bridge.box, EventQueue(bridge.settings), registry, bridge.alerts.append
    )
    bridge.import_ticket(7001)
    reconcile.reconcile_due(parts)  # never ran: due
    first = autotask_events(bridge)
    assert first == 2  # the import, and the reconciler's hint (stored and queued for a worker)
    bridge.at.ui_edit(7001, PERSON, title="Changed again")
    reconcile.reconcile_due(parts)  # ran a moment ago: not due for reconcile_minutes
    assert autotask_events(bridge) == first


def test_a_consuming_process_runs_the_registered_periodic_tasks_until_stopped(bridge: Bridge) -> None:
    registry = load(["fieldbridge.sync.handlers"])
    runs: list[Parts] = []
    registry.every("probe", 0.05, runs.append)
    parts = Parts(
        bridge.settings, bridge.db, bridge.box, EventQueue(bridge.settings), registry, bridge.alerts.append
    )
    consumer = start_in_background(parts)
    try:
        wait_until(lambda: len(runs) >= 2, what="the periodic task to run twice")
    finally:
        consumer.stop()
    assert all(run is parts for run in runs)
    assert not [t for t in threading.enumerate() if t.name in ("probe", "reconciler") and t.is_alive()]
