"""Outbound Create: a new, unlinked Field Nation work order becomes one Autotask ticket with the six required
fields, linked to it; a mapping set without them cannot be saved; a transient failure is retried without a
second ticket; a permanent one is recorded with the guide's cause and fix and notified."""

from __future__ import annotations

from datetime import timedelta

import httpx

from fieldbridge.mapping import default_set
from fieldbridge.mapping.config import to_data
from fieldbridge.sandbox.autotask.seed import PRIORITY, QUEUE, STATUS
from tests.integration.sync.bridge import Bridge, fn_hint
from tests.integration.sync.scenario import COMPANY, TECH, complete_set, new_work_order, records, tickets_for


def test_a_new_work_order_creates_one_linked_ticket_with_the_six_required_fields(creating: Bridge) -> None:
    work_order_id = new_work_order(creating)
    summary = creating.fn_event(work_order_id, "created")
    [ticket] = tickets_for(creating, work_order_id)
    assert summary.written("created", "Ticket") == [ticket["id"]]
    assert ticket["title"] == "Install a rack in Denver"
    assert ticket["status"] == STATUS["New"]  # the instance's New (21), not the guide's hard-coded 1
    assert ticket["priority"] == PRIORITY["Medium"]
    assert ticket["companyID"] == COMPANY
    assert ticket["queueID"] == QUEUE["Field Services"]
    assert ticket["dueDateTime"].startswith("2026-12-01T15:00:00")
    assert creating.ticket_of(work_order_id) == ticket["id"]

    # Duplicated and reordered deliveries, and the Autotask side imported again: one ticket, no writes.
    creating.reset_counts()
    assert creating.fn_event(work_order_id, "created") == summary  # the same delivery: the same event
    assert creating.fn_event(work_order_id, "published").kind == "unchanged"
    assert creating.import_ticket(ticket["id"]).kind == "unchanged"
    assert len(tickets_for(creating, work_order_id)) == 1
    assert not [route for route in creating.autotask_calls() if not route.startswith("GET")]
    assert creating.fn.calls("/workorders/{work_order_id}", "PUT") == 0


def set_correlation_id(bridge: Bridge, work_order_id: int, value: str) -> None:
    answer = bridge.fn.control.put(
        f"/api/rest/v2/workorders/{work_order_id}",
        params={"access_token": bridge.fn.token()},
        json={"correlation_id": value},
    )
    assert answer.status_code == 200, answer.text


def test_a_work_order_done_before_its_first_sync_becomes_a_ticket_in_its_mapped_status(
    creating: Bridge,
) -> None:
    work_order_id = new_work_order(creating)
    # Field Nation's webhooks come late: the work is done before the first one is processed.
    creating.fn.act(work_order_id, "assign", technician_id=TECH)
    creating.fn.act(work_order_id, "closing_notes", notes="Rack in.")
    creating.fn.act(work_order_id, "work_done")
    created = creating.fn_event(work_order_id, "created")
    [ticket] = tickets_for(creating, work_order_id)
    assert created.written("created", "Ticket") == [ticket["id"]]
    assert (ticket["status"], ticket["resolution"]) == (STATUS["Complete"], "Rack in.")


def test_a_ticket_that_could_not_be_read_back_is_read_again_before_its_children_are_written(
    creating: Bridge,
) -> None:
    work_order_id = new_work_order(creating)
    creating.fn.act(work_order_id, "assign", technician_id=TECH)
    creating.fn.act(work_order_id, "add_expense", category_id=1, amount=42.5, description="Parking")
    # The ticket is made; reading it back, Autotask's rate limit says to come back in ten minutes.
    limited = {"kind": "status", "status": 429, "headers": {"Retry-After": "600"}, "count": 1}
    creating.at.fault(method="GET", path=r"/V1\.0/Tickets/\d+$", **limited)
    first = creating.deliver(fn_hint(work_order_id, "created"))
    assert first.status == "retrying", first.lines
    assert creating.process_when_due(first.event_id, after=timedelta(seconds=35)).status == "done"
    [ticket] = tickets_for(creating, work_order_id)
    [item] = records(creating, "ExpenseItems", ticketID=ticket["id"])
    assert item["companyID"] == ticket["companyID"] == COMPANY


def test_another_systems_correlation_id_does_not_hold_outbound_create_back(creating: Bridge) -> None:
    work_order_id = new_work_order(creating)
    set_correlation_id(creating, work_order_id, "7002")  # no import of ticket 7002 is under way
    created = creating.fn_event(work_order_id, "created")
    [ticket] = tickets_for(creating, work_order_id)
    assert created.written("created", "Ticket") == [ticket["id"]]


def test_a_configured_default_status_is_used_when_the_instance_has_it(creating: Bridge) -> None:
    creating.change(outbound_default_status=STATUS["Dispatch to Field"])
    work_order_id = new_work_order(creating)
    creating.fn_event(work_order_id, "created")
    assert [t["status"] for t in tickets_for(creating, work_order_id)] == [STATUS["Dispatch to Field"]]


def test_without_outbound_create_an_unlinked_work_order_makes_no_ticket(bridge: Bridge) -> None:
    work_order_id = new_work_order(bridge)
    ignored = bridge.fn_event(work_order_id, "created")
    assert (ignored.kind, ignored.writes) == ("ignored", ())
    assert "Outbound Create is off" in ignored.reason
    assert tickets_for(bridge, work_order_id) == []


def test_a_mapping_set_missing_a_required_mapping_is_refused_when_saved(
    bridge: Bridge, admin_api: httpx.Client
) -> None:
    bridge.change(outbound_create=True)
    refused = admin_api.put("/v1/admin/connectors/acme/mappings", json=to_data(default_set()))
    assert refused.status_code == 422
    messages = [p["message"] for p in refused.json()["detail"]["problems"]]
    assert any("Ticket:Priority" in m for m in messages)
    assert any("Ticket:AccountID" in m for m in messages)
    assert any("QueueID" in m for m in messages)
    saved = admin_api.put("/v1/admin/connectors/acme/mappings", json=to_data(complete_set()))
    assert saved.status_code == 200, saved.text


def test_a_503_on_the_create_is_retried_by_the_client_and_makes_one_ticket(creating: Bridge) -> None:
    creating.at.fault(kind="status", status=503, method="POST", path="/V1.0/Tickets$", count=1)
    work_order_id = new_work_order(creating)
    creating.fn_event(work_order_id, "created")
    assert len(tickets_for(creating, work_order_id)) == 1
    assert creating.autotask_calls()["POST /V1.0/Tickets [injected status]"] == 1


def test_a_timed_out_create_is_looked_up_and_made_again_only_once_it_cannot_still_appear(
    creating: Bridge,
) -> None:
    creating.at.fault(kind="timeout", method="POST", path="/V1.0/Tickets$", seconds=0.2, count=1)
    work_order_id = new_work_order(creating)
    first = creating.deliver(fn_hint(work_order_id, "created"))
    assert first.status == "retrying"
    assert "may have been applied" in first.lines[-1][2] or "not found yet" in first.lines[-1][2]
    # Within the settling window the ticket is looked for again, not made again.
    looked = creating.process_when_due(first.event_id, after=timedelta(seconds=35))
    assert looked.status == "retrying"
    assert "not sent again before" in looked.lines[-1][2]
    assert tickets_for(creating, work_order_id) == []
    # Once it cannot still appear, it is made: one ticket.
    assert creating.process_when_due(first.event_id).status == "done"
    assert len(tickets_for(creating, work_order_id)) == 1
    calls = creating.autotask_calls()
    assert calls["POST /V1.0/Tickets [injected timeout]"] == 1
    assert calls["POST /V1.0/Tickets"] == 1


def test_a_create_refused_for_a_while_is_retried_by_the_worker_and_makes_one_ticket(creating: Bridge) -> None:
    # A 429 without Retry-After (the tenant's hourly threshold) is not the client's to wait out: the job
    # comes back later.
    creating.at.fault(kind="status", status=429, method="POST", path="/V1.0/Tickets$", count=1)
    work_order_id = new_work_order(creating)
    first = creating.deliver(fn_hint(work_order_id, "created"))
    assert first.status == "retrying"
    level, action, message, _ = first.lines[-1]
    assert (level, action) == ("warning", "retry")
    assert "Outbound Create" in message
    assert [a.kind for a in creating.alerts] == ["outbound_create_failure"]
    assert tickets_for(creating, work_order_id) == []
    again = creating.process_when_due(first.event_id)
    assert again.status == "done"
    assert len(tickets_for(creating, work_order_id)) == 1
    assert creating.ticket_of(work_order_id) is not None


def test_a_permanent_failure_is_recorded_with_the_guides_cause_and_fix_and_notified(creating: Bridge) -> None:
    creating.at.fault(kind="status", status=403, method="POST", path="/V1.0/Tickets$", count=1)
    work_order_id = new_work_order(creating)
    failed = creating.deliver(fn_hint(work_order_id, "created"))
    assert failed.status == "dead"
    _, _, message, fix = failed.lines[-1]
    assert "Outbound Create" in message
    assert fix is not None
    assert "Tickets" in fix
    assert "Add" in fix
    assert [a.kind for a in creating.alerts] == ["outbound_create_failure"]
    assert creating.ticket_of(work_order_id) is None


def test_outbound_create_cannot_be_switched_on_while_the_mappings_lack_a_required_field(
    admin_api: httpx.Client,
) -> None:
    switched = admin_api.patch("/v1/admin/connectors/acme", json={"outbound_create": True})
    assert switched.status_code == 422
    assert any("Ticket:Priority" in p["message"] for p in switched.json()["detail"]["problems"])
    assert admin_api.get("/v1/admin/connectors/acme").json()["outbound_create"] is False
    assert (
        admin_api.put("/v1/admin/connectors/acme/mappings", json=to_data(complete_set())).status_code == 200
    )
    switched = admin_api.patch("/v1/admin/connectors/acme", json={"outbound_create": True})
    assert switched.status_code == 200, switched.text
