"""What one event costs the store, counted on the engine: the worker claims an event in one transaction
and records its outcome in another, so an event whose flow reads its context and finds nothing to do costs
three."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event

from fieldbridge.jobs.handlers import HandlerRegistry, Job
from fieldbridge.jobs.outcome import Outcome
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.store import inbox
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import context
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


def finds_nothing_to_do(job: Job) -> Outcome:
    """A flow's first step on every event, its context (mappings, options, clients), and nothing else."""
    ctx = context.for_job(job)
    return Outcome.ignored(f"Ticket {job.record_id}", f"{len(ctx.mappings.inbound)} inbound mappings read.")


def test_a_no_op_event_costs_three_transactions(bridge: Bridge) -> None:
    registry = HandlerRegistry()
    registry.register("autotask", "Ticket", finds_nothing_to_do)
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
    # Claim (the pair's locks, the event, its connector), the context's read, the outcome (with the
    # locks given back).
    assert len(begun) == 3


def test_a_ticket_event_with_nothing_to_change_costs_three_transactions(bridge: Bridge) -> None:
    bridge.import_ticket(7001)
    bridge.import_ticket(7001)  # the related records cached, the mapping set compiled, the clients made
    accepted = inbox.accept(
        bridge.db, bridge.connector_id, Hint("import", "autotask", "Ticket", 7001), datetime.now(UTC)
    )
    with transactions(bridge.db.engine) as begun:
        bridge.processor.process(accepted.event_id)
    assert bridge.outcome(accepted.event_id).outcome == Outcome("unchanged", "Ticket 7001")
    # The claim, the context's read (mappings, options, the pair), the outcome: an unchanged pair is not
    # saved again.
    assert len(begun) == 3
