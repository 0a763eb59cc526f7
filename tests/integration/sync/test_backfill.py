"""Backfill: every open ticket matching the conditions goes through the inbound flow, a page at a time with
related records looked up in batches, once however often it is run, and resumes where it was interrupted."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from fieldbridge.cli import app
from fieldbridge.sandbox.autotask.seed import QUEUE
from fieldbridge.store.inbox import Hint
from fieldbridge.store.tables import InboxEvent
from fieldbridge.sync import backfill, clients
from tests.integration.sync.bridge import Bridge

COMPLETE = 5


def open_tickets(bridge: Bridge, **match: Any) -> list[int]:
    return sorted(
        t["id"]
        for t in bridge.at.records("Tickets")
        if t["status"] != COMPLETE and all(t.get(k) == v for k, v in match.items())
    )


def backfilled(bridge: Bridge) -> list[int]:
    """The ticket of each backfill event, in id order (records load several at a time)."""
    with bridge.db.transaction() as session:
        query = select(InboxEvent.record_id).where(InboxEvent.source == "backfill")
        return sorted(session.scalars(query))


def run(bridge: Bridge, *where: str, **options: Any) -> backfill.Result:
    return backfill.backfill(
        bridge.db, bridge.config(), bridge.settings.sync, bridge.deliver, list(where), page_size=3, **options
    )


def test_every_open_ticket_is_imported_in_pages_with_related_records_in_batches(bridge: Bridge) -> None:
    expected = open_tickets(bridge)
    bridge.reset_counts()
    result = run(bridge)
    assert (result.done, result.total) == (len(expected), len(expected))
    assert backfilled(bridge) == expected  # the Complete ticket is not loaded
    for ticket_id in expected:
        assert bridge.work_order_of(ticket_id)
    calls = bridge.autotask_calls()
    pages = -(-len(expected) // 3)
    assert calls["POST /V1.0/Tickets/query"] == pages + 1  # the last, empty page ends it
    assert calls["POST /V1.0/Companies/query"] == pages  # one `in` lookup per page ...
    assert calls["POST /V1.0/Contacts/query"] == pages
    assert calls["POST /V1.0/CompanyLocations/query"] == pages
    assert "GET /V1.0/Companies/{id}" not in calls  # ... and none per ticket
    assert "GET /V1.0/Tickets/{id}" not in calls  # each import takes its ticket from the page read in full
    assert calls["POST /V1.0/TicketNotes/query"] == pages  # ... and its notes from one query per page
    assert "GET /V1.0/Tickets/{parentId}/Notes" not in calls


def test_a_page_handed_over_is_taken_once_and_what_is_left_is_dropped(bridge: Bridge) -> None:
    in_autotask = {t["id"]: t["title"] for t in bridge.at.records("Tickets")}
    connector_clients = clients.for_connector(bridge.config(), bridge.settings.sync, bridge.db)
    page = [{"id": 7001, "title": "as the page read it"}, {"id": 7002, "title": "never taken"}]
    with connector_clients.handing_over("Tickets", page, {}):
        assert connector_clients.get("Tickets", 7001) == page[0]
        again = connector_clients.get("Tickets", 7001)  # taken already: Autotask is asked
        assert again is not None
        assert again["title"] == in_autotask[7001]
    left = connector_clients.get("Tickets", 7002)
    assert left is not None
    assert left["title"] == in_autotask[7002]


def test_a_second_run_changes_nothing(bridge: Bridge) -> None:
    run(bridge)
    before = backfilled(bridge)
    bridge.reset_counts()
    run(bridge)
    assert backfilled(bridge) == before  # the same versions: duplicates, not new work
    assert bridge.fn.calls("/workorders", "POST") == 0
    assert bridge.fn.calls("/workorders/{work_order_id}", "PUT") == 0


def test_conditions_narrow_what_is_loaded(bridge: Bridge) -> None:
    run(bridge, "companyID=176", f"queueID={QUEUE['Field Services']}")
    expected = open_tickets(bridge, companyID=176)
    assert 0 < len(expected) < len(open_tickets(bridge))
    assert backfilled(bridge) == expected


def test_an_interrupted_backfill_resumes_after_the_last_ticket_done(bridge: Bridge) -> None:
    expected = open_tickets(bridge)

    def interrupt_after_four(done: int, total: int) -> None:
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run(bridge, progress=interrupt_after_four)
    # The first four are loaded, and those already under way; the cursor is after the fourth.
    assert backfilled(bridge)[:4] == expected[:4]
    resumed = run(bridge)
    assert resumed.resumed_after == expected[3]
    assert resumed.done == len(expected) - 4
    assert backfilled(bridge) == expected  # each ticket once
    assert bridge.fn.calls("/workorders", "POST") == len(expected)


def test_the_command_shows_progress_and_refuses_an_unreadable_condition(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FIELDBRIDGE_DATA_DIR", str(bridge.settings.data_dir))
    assert bridge.settings.master_key is not None
    monkeypatch.setenv("FIELDBRIDGE_MASTER_KEY", bridge.settings.master_key.get_secret_value())
    runner = CliRunner()
    refused = runner.invoke(app, ["backfill", "--connector", "acme", "--where", "queueID"])
    assert refused.exit_code == 2
    assert "FIELD=VALUE" in refused.output
    too_few = runner.invoke(app, ["backfill", "--connector", "acme", "--yes", "--concurrency", "0"])
    assert too_few.exit_code == 2
    assert "--concurrency" in too_few.output
    done = runner.invoke(
        app, ["backfill", "--connector", "acme", "--where", "companyID=174,175", "--concurrency", "2"]
    )
    assert done.exit_code == 0, done.output
    assert "Backfill done" in done.output
    assert backfilled(bridge) == sorted(
        open_tickets(bridge, companyID=174) + open_tickets(bridge, companyID=175)
    )


def test_records_load_several_at_a_time_in_a_bounded_pool(bridge: Bridge) -> None:
    # Each load waits on Field Nation's create long enough that the pool's six overlap, however busy the
    # machine; Autotask is asked nothing per record (the page brings the tickets, their notes and related
    # records).
    bridge.fn.fault(kind="latency", method="POST", path=r"/workorders$", seconds=0.4)
    expected = open_tickets(bridge)
    lock, running, peak = threading.Lock(), [0], [0]

    def load(hint: Hint) -> object:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            return bridge.deliver(hint)
        finally:
            with lock:
                running[0] -= 1

    result = backfill.backfill(bridge.db, bridge.config(), bridge.settings.sync, load, [], concurrency=6)
    assert result.done == len(expected)
    assert backfilled(bridge) == expected
    assert peak[0] == 6
