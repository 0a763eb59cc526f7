"""The dead letters page's reads: a page of letters at a time, either way, and every waiting letter for replay
all, however many wait."""

from __future__ import annotations

from cryptography.fernet import Fernet

from fieldbridge.store import dead_letters, inbox
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import DeadLetter
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint

WAITING = 210  # more than the 200 the page once showed at most


def _bury(db: Database, connector_id: int, count: int) -> list[int]:
    """`count` dead letters, oldest first; their ids."""
    event_ids = [inbox.accept(db, connector_id, ticket_hint(n), NOW).event_id for n in range(1, count + 1)]
    with db.transaction() as session:
        letters = [
            DeadLetter(event_id=e, connector_id=connector_id, created_at=NOW, attempts=1, cause="HTTP 403")
            for e in event_ids
        ]
        session.add_all(letters)
        session.flush()
        return [letter.id for letter in letters]


def test_letters_page_both_ways_and_replay_all_takes_every_one(db: Database) -> None:
    box = SecretBox(Fernet.generate_key())
    acme, other = add_connector(db, box, "acme"), add_connector(db, box, "other")
    ids = _bury(db, acme, WAITING)
    _bury(db, other, 1)
    newest_first = ids[::-1]
    with db.transaction() as session:
        first = [d.id for d in dead_letters.page(session, acme, None, None, 50)]
        second = [d.id for d in dead_letters.page(session, acme, first[-1], None, 50)]
        back = [d.id for d in dead_letters.page(session, acme, None, second[0], 50)]
        assert (first, second, back) == (newest_first[:50], newest_first[50:100], first)
        assert not dead_letters.any_open(session, acme, DeadLetter.id > first[0])
        assert dead_letters.any_open(session, acme, DeadLetter.id < first[-1])
        assert dead_letters.count_open(session, acme) == WAITING
        assert dead_letters.count_open(session, None) == WAITING + 1
        assert len(dead_letters.open_event_ids(session, acme)) == WAITING
