"""The sync flows run one event at a time against the in-memory fakes (tests/unit/sync/fakes.py): a connector
in a SQLite store of its own holds the pairs and links, through the same store functions the flows use."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy.orm import Session

from fieldbridge.jobs.handlers import Job
from fieldbridge.jobs.outcome import Outcome, Skip
from fieldbridge.mapping import MappingSet, default_set
from fieldbridge.notify.alerts import Alert
from fieldbridge.settings import SyncSettings
from fieldbridge.store import inbox
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import inbound, outbound, pairs
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.context import CompiledSet, Context
from fieldbridge.sync.options import SyncOptions
from tests.unit.sync.fakes import FakeAutotask, FakeClients, FakeFieldNation, Write, field_info

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
STATUS = {"New": 21, "In Progress": 22, "Dispatch to Field": 24, "Complete": 5}
TICKET_FIELDS = (
    field_info("id"),
    field_info("title", required=True),
    field_info("description"),
    field_info("status", required=True, picklist=STATUS),
    field_info("priority", required=True, picklist={"High": 1, "Medium": 2}),
    field_info("resolution"),
)
"""The ticket fields the flows read the metadata of: required ones are never cleared, Complete is excluded."""


def ticket(ticket_id: int, **fields: Any) -> dict[str, Any]:
    """A ticket as Autotask returns it, in Dispatch to Field unless `fields` say otherwise."""
    return {
        "id": ticket_id,
        "title": "Replace the core switch",
        "description": "Rack 2, second floor.",
        "status": STATUS["Dispatch to Field"],
        "priority": 2,
        "lastActivityDate": "2026-03-02T14:00:00Z",
    } | fields


@dataclass
class Flows:
    db: Database
    config: ConnectorConfig
    autotask: FakeAutotask
    fieldnation: FakeFieldNation
    options: SyncOptions = field(default_factory=SyncOptions)
    mappings: MappingSet = field(default_factory=default_set)
    now: datetime = NOW
    locks: list[tuple[str, str, int]] = field(default_factory=list)
    """Pair locks the flows took besides their event's own (system, entity, id)."""
    alerts: list[Alert] = field(default_factory=list)
    last_event: int = 0
    last_job: Job | None = None
    _deliveries: itertools.count[int] = field(default_factory=itertools.count)

    def import_record(self, record_id: int, entity: str = "Ticket") -> Outcome:
        """An import of the Autotask record (inbound)."""
        return self._run(inbound.import_record, Hint("import", "autotask", entity, record_id))

    def work_order_changed(self, work_order_id: int) -> Outcome:
        """A Field Nation webhook about the work order (outbound)."""
        payload = {"event": {"name": "workorder.changed", "params": {"work_order_id": work_order_id}}}
        hint = Hint("fieldnation-webhook", "fieldnation", "workorder", work_order_id, payload)
        return self._run(outbound.sync_work_order, hint)

    def _run(self, flow: Callable[[Context], Outcome], hint: Hint) -> Outcome:
        """The flow on one event; then, however it ended, the writes it left for the end (as the worker
        makes them with the attempt's outcome, a retry's included)."""
        ctx = self._context(hint)
        try:
            return flow(ctx)
        finally:
            with self.db.transaction() as session:
                for write in ctx.job.end_writes:
                    write(session)

    def skips(self) -> list[Skip]:
        """What the flows left undone on the last event, for its history."""
        assert self.last_job is not None, "no event was processed yet"
        return self.last_job.skips

    def _lock(
        self, system: str, entity: str, record_id: int, then: Callable[[Session], None] | None = None
    ) -> None:
        self.locks.append((system, entity, record_id))
        if then is not None:
            with self.db.transaction() as session:
                then(session)

    def _context(self, hint: Hint) -> Context:
        # Each run is an event of its own in the inbox, so the flows' history lines have one to go to.
        delivered = replace(hint, dedup_key=f"d-{next(self._deliveries)}")
        self.last_event = inbox.accept(self.db, self.config.id, delivered, self.now).event_id
        job = self.last_job = Job(
            event_id=self.last_event,
            attempt=1,
            source=hint.source,
            system=hint.system,
            entity=hint.entity,
            record_id=hint.record_id,
            payload=hint.payload,
            connector=self.config,
            db=self.db,
            lock=self._lock,
            hold=lambda session: None,  # one run at a time here
            clock=lambda: self.now,
            sync=SyncSettings(),
            alert=self.alerts.append,
        )
        # Context names the real clients' class; the fakes have the methods the flows call on it.
        clients = cast(ConnectorClients, FakeClients(self.autotask, self.fieldnation))
        with self.db.transaction() as session:
            pair = pairs.find(session, self.config.id, hint.system, hint.entity, hint.record_id)
        return Context(job, self.config, clients, self.options, CompiledSet(self.mappings), pair)


def written(writes: Sequence[Write]) -> list[tuple[str, str]]:
    """(what, entity) of each write, in order."""
    return [(w.what, w.entity) for w in writes]
