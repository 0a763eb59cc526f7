"""Inbound: tickets become work orders (the guide's inbound table), updates write only what changed,
Complete tickets are excluded, trigger conditions hold, and a warm import stays within its budget."""

from __future__ import annotations

import httpx

from fieldbridge.jobs.outcome import Write
from fieldbridge.store.inbox import Hint
from fieldbridge.sync.options import SyncOptions, TriggerConditions
from tests.integration.sync.bridge import FIELD_TECH_ROLE, TECH_RESOURCE, Bridge
from tests.integration.sync.scenario import work_order, writes

DISPATCH, COMPLETE = 24, 5


def reads(calls: dict[str, int]) -> int:
    return sum(calls.values()) - writes(calls)


def test_a_ticket_becomes_a_work_order_through_every_inbound_row(bridge: Bridge) -> None:
    summary = bridge.import_ticket(7001)
    wo = work_order(bridge, bridge.work_order_of(7001))
    ticket = next(t for t in bridge.at.records("Tickets") if t["id"] == 7001)
    assert summary.written("created", "work order") == [wo["id"]]
    assert wo["title"] == ticket["title"]  # Title -> title
    assert wo["description"]["html"] == ticket["description"]  # Description -> description
    assert wo["status"]["id"] == 1  # Status -> status_id through the status mapping (default: Draft)
    due = ticket["dueDateTime"][:19].replace("T", " ")
    assert wo["schedule"]["service_window"]["start"]["utc"] == due  # DueDateTime -> time_window
    assert wo["location"]["address1"] == "Northwind Dental Group"  # Account.AccountName -> location.name
    assert wo["correlation_id"] == "7001"


def test_importing_twice_changes_nothing_and_writes_nothing(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    bridge.reset_counts()
    summary = bridge.import_ticket(7001)
    assert summary.kind == "unchanged"
    assert writes(bridge.autotask_calls()) == 0
    assert bridge.fn.calls("/workorders", "POST") == 0
    assert bridge.fn.calls("/workorders/{work_order_id}", "PUT") == 0


def test_a_changed_ticket_updates_only_the_changed_field_and_a_warm_import_reads_little(
    bridge: Bridge,
) -> None:
    bridge.import_ticket(7001)
    bridge.at.control.patch(
        "/_sim/ui/Tickets/7001", json={"as_resource": 29682887, "fields": {"title": "Switch replaced twice"}}
    ).raise_for_status()
    bridge.reset_counts()
    summary = bridge.import_ticket(7001)
    [update] = summary.writes
    assert (update.action, update.record, update.detail) == ("updated", "work order", "title")
    wo = work_order(bridge, bridge.work_order_of(7001))
    assert wo["title"] == "Switch replaced twice"
    calls = bridge.autotask_calls()
    assert reads(calls) <= 2, calls  # company, location and contact come from the cache
    assert writes(calls) == 0, calls


def test_a_complete_ticket_is_not_loaded_and_history_says_so(bridge: Bridge) -> None:
    summary = bridge.import_ticket(7006)
    assert summary.kind == "ignored"
    assert "Complete status (5)" in summary.reason
    assert bridge.fn.calls("/workorders", "POST") == 0


def test_trigger_conditions_apply_to_webhook_events(bridge: Bridge) -> None:
    bridge.set_options(
        SyncOptions(
            resource_id=TECH_RESOURCE,
            role_id=FIELD_TECH_ROLE,
            triggers=TriggerConditions(status_becomes=[DISPATCH]),
        )
    )
    refused = bridge.ticket_webhook(7002, {"title": "Install two workstations"}, 1)
    assert refused.kind == "ignored"
    accepted = bridge.ticket_webhook(7005, {"status": DISPATCH}, 2)
    assert accepted.written("created", "work order") == [bridge.work_order_of(7005)]


def test_service_object_service_call_imports_service_calls(bridge: Bridge) -> None:
    bridge.change(service_object="ServiceCall")
    summary = bridge.import_ticket(8601, entity="ServiceCall")
    wo = work_order(bridge, bridge.work_order_of(8601, entity="ServiceCall"))
    assert summary.written("created", "work order") == [wo["id"]]
    assert wo["description"]["html"] == "Switch replacement visit"


def test_duplicated_and_reordered_webhooks_leave_the_latest_state(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    work_order_id = bridge.work_order_of(7001)
    for title in ("Switch replaced", "Switch replaced and labelled"):
        bridge.at.control.patch(
            "/_sim/ui/Tickets/7001", json={"as_resource": 29682887, "fields": {"title": title}}
        ).raise_for_status()
    # The later change's webhook arrives first, then the earlier one, then the later one again.
    later = bridge.ticket_webhook(7001, {"title": "Switch replaced and labelled"}, 2)
    assert later.writes == (Write("updated", "work order", work_order_id, "title"),)
    bridge.reset_counts()
    assert bridge.ticket_webhook(7001, {"title": "Switch replaced"}, 1).kind == "unchanged"
    # The same delivery again is the same event: its outcome, nothing processed twice.
    assert bridge.ticket_webhook(7001, {"title": "Switch replaced and labelled"}, 2) == later
    assert work_order(bridge, work_order_id)["title"] == "Switch replaced and labelled"
    assert bridge.fn.calls("/workorders/{work_order_id}", "PUT") == 0
    assert writes(bridge.autotask_calls()) == 0


def test_the_admin_api_shows_an_events_outcome_as_data(bridge: Bridge, admin_api: httpx.Client) -> None:
    processed = bridge.deliver(Hint("import", "autotask", "Ticket", 7001))
    shown = admin_api.get(f"/v1/admin/events/{processed.event_id}").json()
    [line] = [line for line in shown["history"] if line["outcome"] is not None]
    work_order_id = bridge.work_order_of(7001)
    assert line["message"] == f"Ticket 7001: work order {work_order_id} created."
    assert line["outcome"]["kind"] == "synced"
    assert line["outcome"]["writes"] == [
        {"action": "created", "record": "work order", "id": work_order_id, "detail": ""}
    ]
