"""Everything a flow needs for one event: the connector, its clients, options and compiled mappings, and a
way to write lines into the pair's history beside the worker's own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

from fieldbridge.autotask.service_objects import SERVICE_OBJECTS, ServiceObject
from fieldbridge.jobs.handlers import Job
from fieldbridge.mapping import Document, Engine, MappingSet, compile_mappings, default_set
from fieldbridge.mapping.model import SetStatic
from fieldbridge.notify.alerts import Alert
from fieldbridge.store import inbox, mapping_sets
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.sync import clients, options
from fieldbridge.sync.clients import ConnectorClients
from fieldbridge.sync.options import SyncOptions


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Context:
    job: Job
    config: ConnectorConfig
    clients: ConnectorClients
    options: SyncOptions
    mappings: MappingSet

    def now(self) -> datetime:
        return self.job.clock()

    @property
    def service_object(self) -> ServiceObject:
        return SERVICE_OBJECTS[self.config.service_object]

    @property
    def entity_path(self) -> str:
        return self.service_object.endpoint

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

    def notify(self, message: str, fix: str | None) -> None:
        """Alert the connector's people (rate limited; the history records whether it went out)."""
        job = self.job
        subject = inbox.describe(job.system, job.entity, job.record_id)
        job.alert(Alert("sync_warning", job.connector.id, job.event_id, subject, message, fix))


def for_job(job: Job) -> Context:
    with job.db.transaction() as session:
        saved = mapping_sets.latest(session, job.connector.id)
        sync_options = options.load(session, job.connector.id)
    mappings = default_set() if saved is None else MappingSet.model_validate(saved.body)
    connector_clients = clients.for_connector(job.connector, job.sync, job.db)
    return Context(job, job.connector, connector_clients, sync_options, mappings)
