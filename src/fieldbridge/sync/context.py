"""Everything a flow needs for one event: the connector, its clients, options and compiled mappings, and a
way to write lines into the pair's history beside the worker's own.

What does not change from one event to the next is kept per connector and made again only when its version
changes: the mapping set, validated and compiled once per saved version (`CompiledSet`), and the clients
(`clients.for_connector`, by the connector's settings). So an event costs one small read for them, the
version in force and the sync options, made with the pair's in the worker's claiming transaction
(`read_stored`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from sqlalchemy.orm import Session

from fieldbridge.autotask.service_objects import SERVICE_OBJECTS, ServiceObject
from fieldbridge.jobs.handlers import Job
from fieldbridge.mapping import Document, Engine, MappingSet, compile_mappings, default_set
from fieldbridge.mapping.model import SetStatic
from fieldbridge.notify.alerts import Alert
from fieldbridge.store import inbox, mapping_sets
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.tables import InboxEvent
from fieldbridge.sync import clients, options, pairs
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.options import SyncOptions
from fieldbridge.sync.pairs import Pair


def utcnow() -> datetime:
    return datetime.now(UTC)


def save_at_end(job: Job, pair: Pair) -> None:
    """Save the pair (its link and snapshot) with the attempt's outcome, as a flow's last write."""
    connector_id = job.connector.id
    job.write_at_end(lambda session: pairs.save(session, connector_id, pair, utcnow()))


class CompiledSet:
    """One version of a connector's mapping set, each direction compiled when first used and kept for as
    long as that version is in force (a Jsonnet mapping's compile alone starts a Jsonnet VM)."""

    def __init__(self, mappings: MappingSet) -> None:
        self.mappings = mappings

    @cached_property
    def inbound(self) -> Engine:
        return compile_mappings(self.mappings, "inbound")

    @cached_property
    def outbound(self) -> Engine:
        return compile_mappings(self.mappings, "outbound")

    @cached_property
    def outbound_statics(self) -> Document:
        """The ticket fields the outbound mappings fill with fixed values, whatever the work order holds
        (Outbound Create's account, queue, priority): never written over an existing ticket's own."""
        fixed = MappingSet(outbound=[m for m in self.mappings.outbound if isinstance(m, SetStatic)])
        statics: Document = compile_mappings(fixed, "outbound").apply({}).get("Ticket", {})
        return statics


@dataclass
class Context:
    job: Job
    config: ConnectorConfig
    clients: ConnectorClients
    options: SyncOptions
    compiled: CompiledSet
    pair: Pair | None
    """The pair of the event's record as the job found it (read with the rest, under the pair's lock)."""

    @property
    def mappings(self) -> MappingSet:
        return self.compiled.mappings

    def now(self) -> datetime:
        return self.job.clock()

    @property
    def service_object(self) -> ServiceObject:
        return SERVICE_OBJECTS[self.config.service_object]

    @property
    def entity_path(self) -> str:
        return self.service_object.endpoint

    @property
    def inbound(self) -> Engine:
        return self.compiled.inbound

    @property
    def outbound(self) -> Engine:
        return self.compiled.outbound

    @property
    def outbound_statics(self) -> Document:
        return self.compiled.outbound_statics

    def notify(self, message: str, fix: str | None) -> None:
        """Alert the connector's people (rate limited; the history records whether it went out)."""
        job = self.job
        subject = inbox.describe(job.system, job.entity, job.record_id)
        job.alert(Alert("sync_warning", job.connector.id, job.event_id, subject, message, fix))


_compiled: dict[tuple[str, int], tuple[tuple[int, datetime] | None, CompiledSet]] = {}
"""Per store and connector: the mapping-set version in force (`mapping_sets.latest_stamp`; None: the
defaults) and that set compiled."""
_compiled_lock = threading.Lock()


@dataclass(frozen=True)
class Stored:
    """What every flow reads of the store first, read in the transaction that claims its event
    (`Registered.reads`)."""

    stamp: tuple[int, datetime] | None
    """The mapping-set version in force (`mapping_sets.latest_stamp`; None: the defaults)."""
    options: SyncOptions
    pair: Pair | None


def read_stored(session: Session, event: InboxEvent) -> Stored:
    return Stored(
        mapping_sets.latest_stamp(session, event.connector_id),
        options.load(session, event.connector_id),
        pairs.find(session, event.connector_id, event.system, event.entity, event.record_id),
    )


def for_job(job: Job) -> Context:
    stored = job.stored
    assert isinstance(stored, Stored), "the sync flows' handlers are registered with `read_stored`"
    key = (str(job.db.engine.url), job.connector.id)
    with _compiled_lock:
        known = _compiled.get(key)
    if known is None or known[0] != stored.stamp:
        known = _compile(job, stored.stamp)
        with _compiled_lock:
            _compiled[key] = known
    connector_clients = clients.for_connector(job.connector, job.sync, job.db)
    return Context(job, job.connector, connector_clients, stored.options, known[1], stored.pair)


def _compile(job: Job, stamp: tuple[int, datetime] | None) -> tuple[tuple[int, datetime] | None, CompiledSet]:
    """The set in force compiled, with its own stamp: a version saved since `stamp` was read is the one
    compiled, and the next event compiles nothing again."""
    with job.db.read() as session:
        saved = mapping_sets.latest(session, job.connector.id) if stamp else None
    mappings = default_set() if saved is None else MappingSet.model_validate(saved.body)
    return (None if saved is None else (saved.id, saved.created_at)), CompiledSet(mappings)
