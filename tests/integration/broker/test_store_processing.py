"""Claims, leases and outcomes: exactly one worker owns an attempt, and only it records the outcome."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet

from fieldbridge.store import dead_letters, history, inbox, links, pair_locks, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus, Hint
from fieldbridge.store.secrets import SecretBox
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint

LEASE = timedelta(seconds=30)


@pytest.fixture
def event_id(db: Database) -> int:
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    return inbox.accept(db, connector_id, ticket_hint(42), NOW).event_id


def test_only_one_worker_claims_an_event(db: Database, event_id: int) -> None:
    with db.transaction() as session:
        claimed = processing.claim(session, event_id, "w1", NOW, LEASE)
        assert claimed is not None
        assert (claimed.status, claimed.attempts, claimed.lease_holder) == ("processing", 1, "w1")
        assert processing.claim(session, event_id, "w2", NOW, LEASE) is None


def test_an_expired_lease_lets_another_worker_take_over(db: Database, event_id: int) -> None:
    later = NOW + LEASE + timedelta(seconds=1)
    with db.transaction() as session:
        processing.claim(session, event_id, "w1", NOW, LEASE)
        taken = processing.claim(session, event_id, "w2", later, LEASE)
        assert taken is not None
        assert taken.attempts == 2
        # The first worker woke up too late: its outcome is not recorded.
        assert not processing.finish(session, event_id, "w1", EventStatus.DONE, later)
        assert processing.finish(session, event_id, "w2", EventStatus.DONE, later)
        session.expire_all()  # the event as stored, not as claimed above: finishing does not load it back
        done = inbox.get(session, event_id)
        assert done is not None
        assert (done.status, done.lease_holder, done.finished_at) == ("done", None, later)
        assert processing.claim(session, event_id, "w3", later, LEASE) is None


def test_renewing_keeps_the_lease(db: Database, event_id: int) -> None:
    with db.transaction() as session:
        processing.claim(session, event_id, "w1", NOW, LEASE)
        assert processing.renew(session, event_id, "w1", NOW + 2 * LEASE)
        assert not processing.renew(session, event_id, "w2", NOW + 2 * LEASE)
        assert processing.claim(session, event_id, "w2", NOW + LEASE + timedelta(seconds=1), LEASE) is None


def test_a_retry_waits_until_it_is_due(db: Database, event_id: int) -> None:
    due = NOW + timedelta(seconds=40)
    with db.transaction() as session:
        processing.claim(session, event_id, "w1", NOW, LEASE)
        assert processing.retry_later(session, event_id, "w1", due, "Autotask answered 503")
        assert not processing.retry_later(session, event_id, "w1", due, "its lease is given up")
        session.expire_all()  # the event as stored: a retry does not load it back either
        waiting = inbox.get(session, event_id)
        assert waiting is not None
        assert (waiting.status, waiting.last_error, waiting.next_attempt_at) == (
            "retrying",
            "Autotask answered 503",
            due,
        )
        assert processing.claim(session, event_id, "w2", due - timedelta(seconds=1), LEASE) is None
        again = processing.claim(session, event_id, "w2", due, LEASE)
        assert again is not None
        assert again.attempts == 2


def test_bury_and_replay(db: Database, event_id: int) -> None:
    with db.transaction() as session:
        processing.claim(session, event_id, "w1", NOW, LEASE)
        letter = processing.bury(
            session, event_id, "w1", NOW, "Autotask refused the login.", "Check the user."
        )
        assert letter is not None
        assert [d.id for d in dead_letters.page(session)] == [letter.id]
        event = inbox.get(session, event_id)
        assert event is not None
        assert event.status == "dead"
        processing.replay(session, event, NOW, "alice")
        assert dead_letters.page(session) == []
        assert (event.status, event.attempts, event.last_error) == ("received", 0, None)
        with pytest.raises(processing.NotReplayable, match="only finished events"):
            processing.replay(session, event, NOW, "alice")
        actions = [line.action for line in history.for_event(session, event_id)]
    assert actions == ["received", "dead-letter", "replay"]


def test_the_sweeper_finds_what_fell_through(db: Database, event_id: int) -> None:
    grace, requeue_after = timedelta(seconds=10), timedelta(seconds=600)
    with db.transaction() as session:
        assert processing.overdue(session, NOW, grace, requeue_after) == []
        # Stored but never enqueued (the receiver died before it could):
        later = NOW + timedelta(seconds=11)
        assert processing.overdue(session, later, grace, requeue_after) == [(event_id, "received")]
        assert processing.requeue(session, event_id, later, grace, requeue_after)
        assert not processing.requeue(session, event_id, later, grace, requeue_after)
        # Claimed by a worker that then died: found once the lease runs out.
        processing.claim(session, event_id, "w1", later, LEASE)
        assert processing.overdue(session, later + LEASE, grace, requeue_after) == []
        expired = later + LEASE + timedelta(seconds=1)
        assert processing.overdue(session, expired, grace, requeue_after) == [(event_id, "processing")]
        assert processing.requeue(session, event_id, expired, grace, requeue_after)
        # Queued, but the message got lost with the queue:
        lost = expired + requeue_after + timedelta(seconds=1)
        assert processing.overdue(session, lost, grace, requeue_after) == [(event_id, "queued")]


def test_pair_locks_are_exclusive_until_released_or_expired(db: Database) -> None:
    until = NOW + LEASE
    ticket, other = "1:autotask:Ticket:42", "1:autotask:Ticket:43"
    with db.transaction() as session:
        assert pair_locks.acquire(session, [ticket], "w1", NOW, until)
        assert pair_locks.acquire(session, [ticket], "w1", NOW, until)  # its own already: renewed
        assert not pair_locks.acquire(session, [ticket], "w2", NOW, until)
        assert pair_locks.acquire(session, [other], "w2", NOW, until)
        pair_locks.release(session, "w2", [ticket])  # not its lock: nothing happens
        assert not pair_locks.acquire(session, [ticket], "w2", NOW, until)
        assert pair_locks.renew(session, "w1", 1, until + LEASE)
        assert not pair_locks.renew(session, "w1", 2, until + LEASE)  # it holds one lease, not two
        assert not pair_locks.acquire(session, [ticket], "w2", until + timedelta(seconds=1), until)
        assert pair_locks.acquire(session, [ticket], "w2", until + LEASE + timedelta(seconds=1), until)
        pair_locks.release(session, "w2")  # both of its leases
        assert pair_locks.acquire(session, [ticket], "w3", NOW, until)
        assert pair_locks.acquire(session, [other], "w3", NOW, until)


def test_locks_are_taken_all_or_none(db: Database) -> None:
    until = NOW + LEASE
    with db.transaction() as session:
        assert pair_locks.acquire(session, ["1:fieldnation:workorder:7"], "w1", NOW, until)
        keys = ["1:autotask:Ticket:42", "1:fieldnation:workorder:7"]
        assert not pair_locks.acquire(session, keys, "w2", NOW, until)
        # The ticket's lock, taken before the work order's was refused, was given back.
        assert pair_locks.acquire(session, ["1:autotask:Ticket:42"], "w3", NOW, until)


def test_a_linked_work_order_locks_both_records_and_shares_its_tickets_history(db: Database) -> None:
    connector_id = add_connector(db, SecretBox(Fernet.generate_key()))
    work_order = Hint(source="fieldnation-webhook", system="fieldnation", entity="workorder", record_id=7)
    event_id = inbox.accept(db, connector_id, work_order, NOW).event_id
    with db.transaction() as session:
        assert links.pair_records(session, connector_id, "fieldnation", "workorder", 7) == [
            ("fieldnation", "workorder", 7)
        ]
        links.save(session, connector_id, ("Ticket", 42), ("workorder", 7), "f" * 64, NOW)
        records = links.pair_records(session, connector_id, "fieldnation", "workorder", 7)
        assert [links.lock_key(connector_id, r) for r in records] == [
            f"{connector_id}:autotask:Ticket:42",
            f"{connector_id}:fieldnation:workorder:7",
        ]
        keys = links.pair_keys(session, connector_id, "autotask", "Ticket", 42)
        assert keys == ["autotask:Ticket:42", "fieldnation:workorder:7"]
        assert [line.event_id for line in history.for_pair(session, connector_id, keys)] == [event_id]
