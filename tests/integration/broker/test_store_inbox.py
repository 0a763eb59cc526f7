"""The inbox stores each hint once: deliveries by their id for good, bare ids while one is waiting."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from fieldbridge.store import history, inbox, processing
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import EventStatus
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import InboxEvent
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint

LEASE = timedelta(seconds=30)


@pytest.fixture
def connector_id(db: Database) -> int:
    return add_connector(db, SecretBox(Fernet.generate_key()))


def count_events(db: Database) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(InboxEvent)) or 0


def test_an_event_is_stored_with_its_history_line(db: Database, connector_id: int) -> None:
    accepted = inbox.accept(db, connector_id, ticket_hint(42), NOW)
    assert not accepted.duplicate
    with db.transaction() as session:
        event = inbox.get(session, accepted.event_id)
        assert event is not None
        assert (event.status, event.pair_key, event.attempts) == ("received", "autotask:Ticket:42", 0)
        lines = history.for_event(session, accepted.event_id)
    assert [(line.action, line.message) for line in lines] == [
        ("received", "Change notice received from the trigger URL.")
    ]


def test_a_redelivery_with_the_same_delivery_id_is_the_same_event(db: Database, connector_id: int) -> None:
    hint = ticket_hint(42, coalesce=False, dedup_key="autotask:guid-1:42:7", source="autotask-webhook")
    first = inbox.accept(db, connector_id, hint, NOW)
    second = inbox.accept(db, connector_id, hint, NOW)
    assert second == inbox.Accepted(first.event_id, duplicate=True)
    with db.transaction() as session:
        processing.claim(session, first.event_id, "w1", NOW, LEASE)
        processing.finish(session, first.event_id, "w1", EventStatus.DONE, NOW)
    # Still the same delivery after it was processed: webhook retries must never run twice.
    assert inbox.accept(db, connector_id, hint, NOW).duplicate
    assert count_events(db) == 1


def test_bare_ids_coalesce_only_while_the_event_waits(db: Database, connector_id: int) -> None:
    first = inbox.accept(db, connector_id, ticket_hint(42), NOW)
    assert inbox.accept(db, connector_id, ticket_hint(42), NOW) == inbox.Accepted(first.event_id, True)
    assert not inbox.accept(db, connector_id, ticket_hint(43), NOW).duplicate
    with db.transaction() as session:
        assert processing.claim(session, first.event_id, "w1", NOW, LEASE) is not None
    # The worker may have fetched ticket 42 already: a new notice is a new event.
    later = inbox.accept(db, connector_id, ticket_hint(42), NOW)
    assert not later.duplicate
    assert later.event_id != first.event_id


def test_hints_stored_together_are_told_apart_and_deduplicated(db: Database, connector_id: int) -> None:
    """One transaction for several hints (the doors under load): each is its own event unless it repeats
    one stored before or one earlier in the same group."""
    stored = inbox.accept(db, connector_id, ticket_hint(41), NOW)
    webhook = ticket_hint(50, coalesce=False, dedup_key="autotask:guid-2:50:1", source="autotask-webhook")
    group = [ticket_hint(41), ticket_hint(42), webhook, ticket_hint(42), webhook, ticket_hint(43)]
    answers = inbox.accept_all(db, [(connector_id, hint) for hint in group], NOW)
    assert [answer.duplicate for answer in answers] == [True, False, False, True, True, False]
    assert answers[0].event_id == stored.event_id
    assert answers[3].event_id == answers[1].event_id
    assert answers[4].event_id == answers[2].event_id
    assert len({answer.event_id for answer in answers}) == 4
    assert count_events(db) == 4
    with db.transaction() as session:
        assert [line.action for line in history.for_event(session, answers[5].event_id)] == ["received"]


def test_concurrent_deliveries_of_one_event_store_it_once(db: Database, connector_id: int) -> None:
    hint = ticket_hint(
        7, coalesce=False, dedup_key="fieldnation:5b1d", system="fieldnation", entity="workorder"
    )
    results: list[inbox.Accepted] = []
    barrier = threading.Barrier(8)

    def deliver() -> None:
        barrier.wait()
        results.append(inbox.accept(db, connector_id, hint, NOW))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({result.event_id for result in results}) == 1
    assert sorted(result.duplicate for result in results) == [False] + [True] * 7
    assert count_events(db) == 1


def test_events_page_newest_first(db: Database, connector_id: int) -> None:
    ids = [inbox.accept(db, connector_id, ticket_hint(n), NOW).event_id for n in range(1, 6)]
    with db.transaction() as session:
        first = inbox.page(session, connector_id=connector_id, limit=3)
        rest = inbox.page(session, connector_id=connector_id, before_id=first[-1].id)
        assert inbox.page(session, status="done") == []
    assert [event.id for event in first + rest] == ids[::-1]
