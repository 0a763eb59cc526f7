"""A store of its own and the real worker (inbox, pair lock, sync handlers, history) that processes each event
as soon as it is stored, so a test reads what an event did right after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from fieldbridge.jobs.handlers import load
from fieldbridge.jobs.outcome import Outcome
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.notify.alerts import Alert
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, inbox
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.inbox import Hint
from fieldbridge.store.secrets import SecretBox, load_master_key


class Line(NamedTuple):
    """One history line of an event."""

    level: str
    action: str
    message: str
    fix: str | None


@dataclass(frozen=True)
class Processed:
    event_id: int
    status: str
    lines: list[Line]
    outcome: Outcome | None
    """What the handler did, as data, when the event was processed."""


class InlineWorker:
    """The store `settings` name and a worker with the sync handlers; every alert is kept in `alerts`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db: Database = open_database(settings)
        self.box = SecretBox(load_master_key(settings))
        self.alerts: list[Alert] = []
        self.processor = self.processor_at(lambda: datetime.now(UTC))

    def processor_at(self, clock: Callable[[], datetime]) -> EventProcessor:
        """A processor whose clock is `clock` (one ahead processes an event whose backoff is not yet over)."""
        return EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=load(["fieldbridge.sync.handlers"]),
            queue=EventQueue(self.settings),
            alert=self.alerts.append,
            clock=clock,
        )

    def add_connector(self, fields: dict[str, Any]) -> int:
        with self.db.transaction() as session:
            new = connectors.NewConnector.model_validate(fields)
            return connectors.create(session, self.box, new, datetime.now(UTC)).id

    def run(self, connector_id: int, hint: Hint) -> Processed:
        """Store the hint and process it once; what the event became and its history lines."""
        accepted = inbox.accept(self.db, connector_id, hint, datetime.now(UTC))
        self.processor.process(accepted.event_id)
        return self.outcome(accepted.event_id)

    def outcome(self, event_id: int) -> Processed:
        with self.db.transaction() as session:
            event = inbox.get(session, event_id)
            assert event is not None
            entries = history.for_event(session, event_id)
            lines = [Line(h.level, h.action, h.message, h.fix) for h in entries]
            done = [Outcome.from_data(h.outcome) for h in entries if h.outcome is not None]
            return Processed(event_id, event.status, lines, done[-1] if done else None)

    def close(self) -> None:
        self.db.dispose()
