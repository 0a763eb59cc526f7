"""What one event costs the store, counted on the engine: the worker claims an event and reads what its
flow reads first in one transaction, and records its outcome in another, so an event whose flow finds
nothing to do costs two."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, Pool, event

from fieldbridge.jobs.handlers import HandlerRegistry, Job
from fieldbridge.jobs.outcome import Outcome
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.store import inbox
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import clients, context, request_counts
from tests.integration.sync.bridge import Bridge


@contextmanager
def transactions(engine: Engine) -> Iterator[list[Any]]:
    """The transactions begun on `engine` meanwhile (one item per BEGIN)."""
    begun: list[Any] = []

    def count(connection: Any) -> None:
        begun.append(connection)

    event.listen(engine, "begin", count)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", count)


BEGUN = "-- a transaction begins"


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """The SQL run on `engine` meanwhile, `BEGUN` where each transaction begins."""
    run: list[str] = []

    def began(connection: Any) -> None:
        run.append(BEGUN)

    def executed(connection: Any, cursor: Any, statement: str, *rest: Any) -> None:
        run.append(statement)

    event.listen(engine, "begin", began)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield run
    finally:
        event.remove(engine, "begin", began)
        event.remove(engine, "before_cursor_execute", executed)


def finds_nothing_to_do(job: Job) -> Outcome:
    """A flow's first step on every event, its context (mappings, options, clients), and nothing else."""
    ctx = context.for_job(job)
    return Outcome.ignored(f"Ticket {job.record_id}", f"{len(ctx.mappings.inbound)} inbound mappings read.")


def test_a_no_op_event_costs_two_transactions(bridge: Bridge) -> None:
    registry = HandlerRegistry()
    registry.register("autotask", "Ticket", finds_nothing_to_do, reads=context.read_stored)
    processor = EventProcessor(
        db=bridge.db,
        box=bridge.box,
        settings=bridge.settings,
        registry=registry,
        queue=EventQueue(bridge.settings),
        alert=bridge.alerts.append,
    )
    bridge.import_ticket(7001)  # a linked pair, its mapping set compiled
    hint = Hint("import", "autotask", "Ticket", 7001)
    for _ in range(2):  # the second finds the compiled set and the clients made by the first
        accepted = inbox.accept(bridge.db, bridge.connector_id, hint, datetime.now(UTC))
        with transactions(bridge.db.engine) as begun:
            processor.process(accepted.event_id)
        assert bridge.outcome(accepted.event_id).status == "done"
    # The claim (the pair's locks, the event, its connector, the context's mapping-set version, options
    # and pair), the outcome (with the locks given back).
    assert len(begun) == 2


def test_a_ticket_event_with_nothing_to_change_costs_two_transactions(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    bridge.import_ticket(7001)  # the related records cached, the mapping set compiled, the clients made
    accepted = inbox.accept(
        bridge.db, bridge.connector_id, Hint("import", "autotask", "Ticket", 7001), datetime.now(UTC)
    )
    with transactions(bridge.db.engine) as begun, statements(bridge.db.engine) as run:
        bridge.processor.process(accepted.event_id)
    assert bridge.outcome(accepted.event_id).outcome == Outcome("unchanged", "Ticket 7001")
    # The claim with the context's read (mappings, options, the pair), the outcome: an unchanged pair is
    # not saved again.
    assert len(begun) == 2
    # A linked pair stays linked while its locks are held, so the outcome's transaction reads no link to
    # find the pair's next event.
    claim_statements = run[: len(run) - run[::-1].index(BEGUN)]
    outcome_statements = run[len(run) - run[::-1].index(BEGUN) :]
    assert any(s.startswith("UPDATE inbox_events") for s in outcome_statements)
    assert [s for s in outcome_statements if "FROM links" in s] == []
    # The pair is read with its snapshot in one statement.
    snapshot_reads = [s for s in claim_statements if "sync_pair_snapshots" in s]
    assert len(snapshot_reads) == 1
    assert "FROM links" in snapshot_reads[0]


def test_a_new_ticket_becomes_a_linked_work_order_in_five_transactions(bridge: Bridge) -> None:
    accepted = inbox.accept(
        bridge.db, bridge.connector_id, Hint("import", "autotask", "Ticket", 7001), datetime.now(UTC)
    )
    with transactions(bridge.db.engine) as begun:
        bridge.processor.process(accepted.event_id)
    outcome = bridge.outcome(accepted.event_id).outcome
    assert outcome is not None
    assert [(w.action, w.record) for w in outcome.writes] == [("created", "work order")]
    # The claim, the create made pending, the work order's lock taken with the link written in it, the
    # ticket's notes' links read, the outcome with the pair saved as the import left it.
    assert len(begun) == 5


def test_a_busy_worker_counts_autotask_limits_in_few_transactions_of_its_own(
    bridge: Bridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a node without Redis the limits are kept in the database, on an engine of their own: a busy
    worker keeps its slot and takes the budget ten requests ahead, so its events cost the store's two
    transactions and about a tenth of one for the limits (one no-op event reads one ticket)."""
    # Busy: each next request comes before the slot is due back and before the spares expire, however slow
    # the machine (on a loaded one the 22 events took longer than the spares' second).
    monkeypatch.setattr(request_counts, "SLOT_KEEP", 60.0)
    monkeypatch.setattr(request_counts, "SPARE_SECONDS", 60.0)
    bridge.import_ticket(7001)
    bridge.import_ticket(7001)  # the related records cached, the mapping set compiled, the clients made
    counts = clients.shared_limits(bridge.config(), bridge.settings.sync, bridge.db).counts
    assert isinstance(counts, request_counts.DatabaseCounts)  # what the workers count in: no Redis here
    begun: list[Pool] = []
    processing = False

    def count(connection: Connection) -> None:
        if processing:
            begun.append(connection.engine.pool)  # the store's read-only engine shares the store's pool

    event.listen(Engine, "begin", count)
    try:
        for _ in range(22):
            accepted = inbox.accept(
                bridge.db, bridge.connector_id, Hint("import", "autotask", "Ticket", 7001), datetime.now(UTC)
            )
            processing = True
            bridge.processor.process(accepted.event_id)
            processing = False
            assert bridge.outcome(accepted.event_id).outcome == Outcome("unchanged", "Ticket 7001")
    finally:
        event.remove(Engine, "begin", count)
    # Counted by engine: the limits an earlier test of this process counted in its own store may be given
    # back meanwhile, by their writer thread.
    limits = sum(pool is counts.db.engine.pool for pool in begun)
    assert sum(pool is bridge.db.engine.pool for pool in begun) == 22 * 2
    assert 1 <= limits <= 2  # one admission in eleven writes; the others draw on what it took
