"""The doors' grouped intake on a real database and queue: every hint is stored and answered, then queued and
marked queued, and the marks ride in the intake's own store transactions rather than in transactions of
their own, so that under a burst the receiver asks for SQLite's write lock less often."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from fieldbridge.jobs.intake import GroupedIntake
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.settings import Settings
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Accepted
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.tables import InboxEvent
from tests.integration.broker.store_helpers import add_connector, ticket_hint
from tests.support.waiting import wait_until

BURST = 120


@contextmanager
def begun_by_thread(db: Database) -> Iterator[list[str]]:
    """The name of the thread that began each transaction on the store meanwhile."""
    names: list[str] = []

    def began(connection: Any) -> None:
        names.append(threading.current_thread().name)

    event.listen(db.engine, "begin", began)
    try:
        yield names
    finally:
        event.remove(db.engine, "begin", began)


def statuses(db: Database) -> list[str]:
    with db.read() as session:
        return list(session.scalars(select(InboxEvent.status).order_by(InboxEvent.id)))


def submit_burst(intake: GroupedIntake, connector_id: int, first: int) -> list[Accepted | Exception]:
    answers: list[Accepted | Exception] = []
    lock = threading.Lock()

    def answer(result: Accepted | Exception) -> None:
        with lock:
            answers.append(result)

    for ticket_id in range(first, first + BURST):
        intake.submit(connector_id, ticket_hint(ticket_id), answer)
    wait_until(lambda: len(answers) == BURST, timeout=20, what="every hint answered")
    return answers


def test_a_burst_is_stored_answered_queued_and_marked_queued_in_the_stores_own_transactions(
    settings: Settings, db: Database
) -> None:
    connector_id = add_connector(db, SecretBox(load_master_key(settings)))
    queue = EventQueue(settings)
    intake = GroupedIntake(db, queue)
    with begun_by_thread(db) as begun:
        answers = submit_burst(intake, connector_id, first=1)
        assert all(isinstance(answer, Accepted) and not answer.duplicate for answer in answers)
        wait_until(lambda: statuses(db) == ["queued"] * BURST, timeout=20, what="every event marked queued")
        assert queue.pending() == BURST
    # Marked by the intake's thread, in its next store or (the burst over) alone: none by the queue's.
    assert "intake" in begun
    assert "intake-queue" not in begun
    intake.close()


def test_closing_the_intake_queues_and_marks_everything_it_stored(settings: Settings, db: Database) -> None:
    connector_id = add_connector(db, SecretBox(load_master_key(settings)))
    queue = EventQueue(settings)
    intake = GroupedIntake(db, queue)
    answers = submit_burst(intake, connector_id, first=1000)
    intake.close()  # at once: what is stored but not yet queued or marked is done before it returns
    assert all(isinstance(answer, Accepted) for answer in answers)
    assert statuses(db) == ["queued"] * BURST
    assert queue.pending() == BURST
