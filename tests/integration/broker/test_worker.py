"""The worker on its own: outcomes, retries, dead letters, alerts, pair locks and leases, on a real database
and a real (SQLite) huey queue, with handlers registered by the test."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldbridge import autotask, fieldnation
from fieldbridge.jobs import intake
from fieldbridge.jobs.consumer import Parts, start_in_background
from fieldbridge.jobs.handlers import Handler, HandlerRegistry, Job, JobFailed
from fieldbridge.jobs.outcome import Outcome, Skip, Write
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.sweeper import Sweeper
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.notify.alerts import Alert
from fieldbridge.settings import RetrySettings, Settings
from fieldbridge.store import connectors, dead_letters, history, inbox, links, pair_locks, processing
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.tables import Connector, InboxEvent, PairLock
from tests.integration.broker.store_helpers import add_connector, ticket_hint
from tests.support.waiting import wait_until

SECRET = "s3cret-Autotask-9f"


class World:
    """A connector, a queue (not consumed unless a test starts a consumer) and a processor."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.box = SecretBox(load_master_key(settings))
        self.connector_id = add_connector(db, self.box, autotask_secret=SECRET)
        self.queue = EventQueue(settings)
        self.registry = HandlerRegistry()
        self.alerts: list[Alert] = []
        self.processor = EventProcessor(
            db=db,
            box=self.box,
            settings=settings,
            registry=self.registry,
            queue=self.queue,
            alert=self.alerts.append,
            rand=lambda: 0.0,
        )

    def handle(self, handler: Handler) -> None:
        self.registry.register("autotask", "Ticket", handler)

    def store(self, ticket_id: int = 42) -> int:
        return inbox.accept(self.db, self.connector_id, ticket_hint(ticket_id), datetime.now(UTC)).event_id

    def event(self, event_id: int) -> InboxEvent:
        with self.db.transaction() as session:
            event = inbox.get(session, event_id)
            assert event is not None
            return event

    def history(self, event_id: int) -> list[tuple[str, str]]:
        with self.db.transaction() as session:
            return [(line.action, line.message) for line in history.for_event(session, event_id)]


@pytest.fixture
def world(settings: Settings, db: Database) -> World:
    settings.retry = RetrySettings(attempts=3, base_delay_seconds=30, max_delay_seconds=60)
    return World(settings, db)


def test_a_handled_event_is_done_with_the_handlers_summary(world: World) -> None:
    seen: list[Job] = []

    def handler(job: Job) -> Outcome:
        seen.append(job)
        job.skip("The file was too large.", "Attach it by hand.")
        return Outcome.of("Ticket 42", [Write("created", "work order", 7)])

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == "done"
    assert world.history(event_id)[-2:] == [
        ("skipped", "The file was too large."),
        ("processed", "Ticket 42: work order 7 created."),
    ]
    with world.db.transaction() as session:
        recorded = history.for_event(session, event_id)[-1].outcome
    assert recorded is not None
    assert Outcome.from_data(recorded) == Outcome(
        "synced",
        "Ticket 42",
        (Write("created", "work order", 7),),
        skips=(Skip("The file was too large.", "Attach it by hand."),),
    )
    (job,) = seen
    assert (job.record_id, job.attempt, job.entity) == (42, 1, "Ticket")
    assert job.connector.autotask_secret is not None
    assert job.connector.autotask_secret.get_secret_value() == SECRET


def test_each_event_runs_with_the_connector_as_it_is_now_not_as_the_worker_first_read_it(
    world: World,
) -> None:
    # The worker keeps each connector's settings with their secrets opened; a change saved since (here as
    # `fieldbridge connectors update` or the console save it, through another session) must reach the next
    # event, as must a connector disabled meanwhile.
    seen: list[Job] = []
    world.handle(lambda job: seen.append(job) or Outcome.of("Ticket 42", []))
    world.processor.process(world.store())
    with world.db.transaction() as session:
        row = session.get(Connector, world.connector_id)
        assert row is not None
        changes = connectors.ConnectorChanges(
            autotask_secret=SecretStr("rotated-Secret-7"), expense_target="charge"
        )
        connectors.update(session, world.box, row, changes, datetime.now(UTC))
    world.processor.process(world.store())
    assert [job.connector.expense_target for job in seen] == ["", "charge"]
    secret = seen[-1].connector.autotask_secret
    assert secret is not None
    assert secret.get_secret_value() == "rotated-Secret-7"
    with world.db.transaction() as session:
        row = session.get(Connector, world.connector_id)
        assert row is not None
        connectors.update(
            session, world.box, row, connectors.ConnectorChanges(enabled=False), datetime.now(UTC)
        )
    disabled = world.store()
    world.processor.process(disabled)
    assert world.event(disabled).status == "skipped"
    assert len(seen) == 2


def test_a_connector_on_the_default_integration_code_follows_the_deployments(world: World) -> None:
    seen: list[Job] = []
    world.handle(lambda job: seen.append(job) or Outcome.of("Ticket 42", []))
    for code in ("PARTNER-ONE", "PARTNER-TWO"):
        world.settings.default_integration_code = SecretStr(code)
        world.processor.process(world.store())
    codes = [job.connector.autotask_integration_code for job in seen]
    assert [code.get_secret_value() if code else None for code in codes] == ["PARTNER-ONE", "PARTNER-TWO"]


def test_an_event_without_a_flow_is_skipped_and_says_so(world: World) -> None:
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == "skipped"
    action, message = world.history(event_id)[-1]
    assert action == "skipped"
    assert "No sync flow handles Autotask Ticket 42" in message


def test_each_attempt_logs_one_info_line_with_its_outcome_and_no_secret(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    def handler(job: Job) -> Outcome:
        if job.record_id == 43:
            raise JobFailed(f"refused {SECRET}", retry=False)
        return Outcome.of("Ticket 42", [])

    world.handle(handler)
    done, failed = world.store(42), world.store(43)
    with caplog.at_level(logging.INFO, logger="fieldbridge.jobs.worker"):
        world.processor.process(done)
        world.processor.process(failed)
    lines = [r.getMessage() for r in caplog.records if r.name == "fieldbridge.jobs.worker"]
    assert len(lines) == 2, lines
    pattern = r"event {} {}: Autotask Ticket {}, connector {}, attempt 1, took \d+\.\d\d s"
    assert re.fullmatch(pattern.format(done, "processed", 42, world.connector_id), lines[0]), lines[0]
    assert re.fullmatch(pattern.format(failed, "dead letter", 43, world.connector_id), lines[1]), lines[1]
    assert {r.levelno for r in caplog.records if r.name == "fieldbridge.jobs.worker"} == {logging.INFO}
    assert SECRET not in caplog.text


def test_a_failure_is_retried_later_with_the_secret_scrubbed(world: World) -> None:
    def handler(job: Job) -> None:
        assert job.connector.autotask_secret is not None
        raise ConnectionError(f"zone refused login {job.connector.autotask_secret.get_secret_value()}")

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    event = world.event(event_id)
    assert (event.status, event.attempts) == ("retrying", 1)
    assert event.next_attempt_at is not None
    assert event.next_attempt_at - datetime.now(UTC) > timedelta(seconds=10)
    assert event.last_error == "ConnectionError: zone refused login [redacted]"
    action, message = world.history(event_id)[-1]
    assert action == "retry"
    assert message.startswith("Attempt 1 of 3 failed: ConnectionError")
    assert SECRET not in message
    assert world.queue.pending() == 1
    assert world.alerts == []
    # The retry message arriving early (or twice) does nothing.
    world.processor.process(event_id)
    assert world.event(event_id).attempts == 1


def test_the_last_failed_attempt_becomes_a_dead_letter_with_one_alert(world: World) -> None:
    world.handle(
        lambda job: (_ for _ in ()).throw(JobFailed("Autotask refused the login.", "Check the user."))
    )
    event_id = world.store()
    with world.db.transaction() as session:
        session.get(InboxEvent, event_id).attempts = 2  # type: ignore[union-attr]
    world.processor.process(event_id)
    event = world.event(event_id)
    assert (event.status, event.attempts) == ("dead", 3)
    with world.db.transaction() as session:
        (letter,) = dead_letters.page(session)
    assert (letter.cause, letter.fix, letter.attempts) == (
        "Autotask refused the login.",
        "Check the user.",
        3,
    )
    assert [(a.kind, a.event_id, a.subject) for a in world.alerts] == [
        ("dead_letter", event_id, "Autotask Ticket 42")
    ]


def test_a_permanent_failure_skips_the_retries_and_alerts_its_own_kind(world: World) -> None:
    def handler(job: Job) -> None:
        raise JobFailed(
            "Ticket:QueueID is not mapped.", "Map it.", retry=False, alert="outbound_create_failure"
        )

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert (world.event(event_id).status, world.event(event_id).attempts) == ("dead", 1)
    assert [a.kind for a in world.alerts] == ["outbound_create_failure"]


def test_an_authentication_failure_alerts_while_it_is_still_retried(world: World) -> None:
    world.handle(lambda job: (_ for _ in ()).throw(JobFailed("Wrong secret.", alert="auth_failure")))
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == "retrying"
    assert [a.kind for a in world.alerts] == ["auth_failure"]


@pytest.mark.parametrize(
    "refusal",
    [
        autotask.AuthenticationError("Unauthorized", operation="get", entity="Tickets", status=401),
        fieldnation.AuthenticationError("Unauthorized", method="GET", path="/workorders/1", status=401),
    ],
)
def test_a_refused_sign_in_alerts_on_the_first_attempt_however_it_is_raised(
    world: World, refusal: Exception
) -> None:
    def handler(job: Job) -> None:
        raise refusal

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == "retrying"
    assert [a.kind for a in world.alerts] == ["auth_failure"]


def test_a_link_that_fails_in_the_locks_transaction_leaves_neither_lock_nor_link(world: World) -> None:
    def link_then_fail(session: Session) -> None:
        links.save(session, world.connector_id, ("Ticket", 42), ("workorder", 9), "f", datetime.now(UTC))
        raise RuntimeError("the link could not be written")

    def handler(job: Job) -> None:
        with pytest.raises(RuntimeError):
            job.lock("fieldnation", "workorder", 9, then=link_then_fail)
        with job.db.transaction() as session:
            assert session.scalars(select(PairLock.key)).all() == [f"{world.connector_id}:autotask:Ticket:42"]
            job.hold(session)  # raises if the rolled-back lock were still counted as held

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == "done", world.history(event_id)
    with world.db.read() as session:
        assert links.pair_records(session, world.connector_id, "autotask", "Ticket", 42) == [
            ("autotask", "Ticket", 42)
        ]


def _link_at_end(world: World, job: Job, work_order_id: int) -> None:
    job.write_at_end(
        lambda session: links.save(
            session, world.connector_id, ("Ticket", 42), ("workorder", work_order_id), "f", datetime.now(UTC)
        )
    )


def _linked_work_orders(world: World) -> list[tuple[str, str, int]]:
    with world.db.read() as session:
        records = links.pair_records(session, world.connector_id, "autotask", "Ticket", 42)
    return [r for r in records if r[0] == "fieldnation"]


@pytest.mark.parametrize("ends", ["done", "retrying"])
def test_a_flows_last_write_commits_with_the_attempts_end_whatever_it_is(world: World, ends: str) -> None:
    def handler(job: Job) -> Outcome:
        _link_at_end(world, job, 9)
        with world.db.read() as session:
            assert links.pair_records(session, world.connector_id, "autotask", "Ticket", 42) == [
                ("autotask", "Ticket", 42)
            ], "written before the attempt ended"
        if ends == "retrying":
            raise JobFailed("Field Nation did not answer.")
        return Outcome.of("Ticket 42", [])

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert world.event(event_id).status == ends
    assert _linked_work_orders(world) == [("fieldnation", "workorder", 9)]


def test_an_attempt_that_lost_its_event_writes_nothing_at_its_end(world: World) -> None:
    def handler(job: Job) -> Outcome:
        _link_at_end(world, job, 9)
        with world.db.transaction() as session:  # its lease ran out and another worker took the event
            session.get(InboxEvent, job.event_id).lease_holder = "another worker"  # type: ignore[union-attr]
        return Outcome.of("Ticket 42", [])

    world.handle(handler)
    event_id = world.store()
    world.processor.process(event_id)
    assert (world.event(event_id).status, world.event(event_id).lease_holder) == (
        "processing",
        "another worker",
    )
    assert _linked_work_orders(world) == []


def test_a_busy_pair_sends_the_event_back_without_counting_an_attempt(world: World) -> None:
    world.handle(lambda job: None)
    event_id = world.store()
    now = datetime.now(UTC)
    with world.db.transaction() as session:
        assert pair_locks.acquire(
            session, [f"{world.connector_id}:autotask:Ticket:42"], "other", now, now + timedelta(60)
        )
    world.processor.process(event_id)
    event = world.event(event_id)
    assert (event.status, event.attempts) == ("received", 0)
    assert world.queue.pending() == 1  # a message with a due time, taken by the next consumer to look


def test_the_lock_holder_takes_the_pairs_other_waiting_events_in_order(world: World) -> None:
    seen: list[int] = []
    world.handle(lambda job: seen.append(job.event_id) or None)  # type: ignore[func-returns-value]
    hint = ticket_hint(42, coalesce=False, source="autotask-webhook")
    first, second, third = (
        inbox.accept(
            world.db, world.connector_id, replace(hint, dedup_key=f"d{n}"), datetime.now(UTC)
        ).event_id
        for n in range(3)
    )
    other_pair = world.store(43)
    world.processor.process(first)
    assert seen == [first, second, third]  # ticket 43 is another pair: left to its own message
    assert world.event(other_pair).status == "received"
    world.processor.process(second)  # its own message, arriving later, finds nothing to do
    assert seen == [first, second, third]


def test_a_processor_that_drains_nothing_leaves_the_pairs_next_events_to_the_workers(world: World) -> None:
    """What a backfill runs: its own event, and the pair's lock given back for the workers to take."""
    seen: list[int] = []
    world.handle(lambda job: seen.append(job.event_id) or None)  # type: ignore[func-returns-value]
    hint = ticket_hint(42, coalesce=False, source="autotask-webhook")
    first, second = (
        inbox.accept(
            world.db, world.connector_id, replace(hint, dedup_key=f"d{n}"), datetime.now(UTC)
        ).event_id
        for n in range(2)
    )
    backfill = Parts(
        world.settings, world.db, world.box, world.queue, world.registry, world.alerts.append
    ).processor(drain_limit=1)
    backfill.process(first)
    assert seen == [first]
    assert (world.event(first).status, world.event(second).status) == ("done", "received")
    with world.db.read() as session:
        assert session.scalars(select(PairLock.key)).all() == []
    world.processor.process(second)
    assert seen == [first, second]


def test_an_event_whose_workers_kept_dying_is_buried(world: World) -> None:
    world.handle(lambda job: pytest.fail("must not run a fourth time"))
    event_id = world.store()
    with world.db.transaction() as session:
        session.get(InboxEvent, event_id).attempts = 3  # type: ignore[union-attr]
    world.processor.process(event_id)
    event = world.event(event_id)
    assert event.status == "dead"
    assert "Processing stopped 3 times without finishing" in (event.last_error or "")


def test_leases_are_renewed_while_a_long_handler_runs(world: World) -> None:
    world.settings.lease_seconds = 0.3
    world.processor = EventProcessor(
        db=world.db,
        box=world.box,
        settings=world.settings,
        registry=world.registry,
        queue=world.queue,
        alert=world.alerts.append,
    )
    event_id = world.store()
    first_lease: list[datetime] = []

    def lease_until() -> datetime:
        with world.db.transaction() as session:
            until = session.scalar(select(InboxEvent.lease_until).where(InboxEvent.id == event_id))
            assert until is not None
            return until

    def handler(job: Job) -> None:
        first_lease.append(lease_until())
        # Wait until the lease has been renewed past its first expiry, then check nobody can take over.
        wait_until(lambda: lease_until() > first_lease[0] + timedelta(seconds=0.4), timeout=5, what="renewal")
        now = datetime.now(UTC)
        with world.db.transaction() as session:
            assert now > first_lease[0]
            assert processing.claim(session, event_id, "intruder", now, timedelta(seconds=1)) is None

    world.handle(handler)
    world.processor.process(event_id)
    assert world.event(event_id).status == "done"


def test_the_sweeper_queues_what_was_stored_but_never_queued(world: World) -> None:
    world.settings.enqueue_grace_seconds = 0
    event_id = world.store()
    sweeper = Sweeper(
        world.db, world.queue, world.settings, clock=lambda: datetime.now(UTC) + timedelta(seconds=1)
    )
    assert sweeper.sweep() == [event_id]
    assert world.queue.pending() == 1
    assert world.event(event_id).status == "queued"
    assert world.history(event_id)[-1][0] == "requeued"
    assert sweeper.sweep() == []


def test_the_sweeper_queues_again_an_event_whose_worker_died(world: World) -> None:
    event_id = world.store()
    now = datetime.now(UTC)
    with world.db.transaction() as session:
        assert processing.claim(session, event_id, "a worker that then died", now, timedelta(seconds=1))

    def sweep_at(moment: datetime) -> list[int]:
        return Sweeper(world.db, world.queue, world.settings, clock=lambda: moment).sweep()

    assert sweep_at(now + timedelta(seconds=0.5)) == []  # its lease still runs
    assert sweep_at(now + timedelta(seconds=2)) == [event_id]
    assert world.event(event_id).status == "queued"
    assert world.history(event_id)[-1] == (
        "requeued",
        "Queued again: its worker stopped without finishing (its lease ran out).",
    )


@pytest.fixture
def consuming(world: World) -> Iterator[World]:
    world.settings.retry = RetrySettings(attempts=3, base_delay_seconds=0.01, max_delay_seconds=0.01)
    running = start_in_background(
        Parts(world.settings, world.db, world.box, world.queue, world.registry, world.alerts.append)
    )
    yield world
    running.stop()


def test_the_consumer_says_which_periodic_tasks_run_and_not_that_none_do(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.registry.every("reconciler", 30, lambda parts: None)
    with caplog.at_level(logging.INFO):
        running = start_in_background(
            Parts(world.settings, world.db, world.box, world.queue, world.registry, world.alerts.append)
        )
        running.stop()
    messages = [r.getMessage() for r in caplog.records]
    sweep = f"{world.settings.sweep_interval_seconds:g}"
    assert f"periodic tasks: sweeper every {sweep} s, reconciler every 30 s" in messages
    assert "Huey consumer started" in caplog.text  # huey's own start lines are kept
    assert "Periodic tasks are" not in caplog.text


def test_events_flow_through_the_embedded_consumer_with_retries(consuming: World, tmp_path: Path) -> None:
    calls: list[int] = []
    done = threading.Event()

    def flaky(job: Job) -> None:
        calls.append(job.attempt)
        if job.attempt < 2:
            raise TimeoutError("Autotask took too long")
        done.set()
        return None

    consuming.handle(flaky)
    accepted = intake.submit(
        consuming.db, consuming.queue, consuming.connector_id, ticket_hint(9), datetime.now(UTC)
    )
    wait_until(lambda: consuming.event(accepted.event_id).status == "done", timeout=15, what="event done")
    assert calls == [1, 2]
    assert [action for action, _ in consuming.history(accepted.event_id)] == [
        "received",
        "retry",
        "processed",
    ]
