"""One connector wired to both emulators, and the real worker processing each of its events as soon as it
is stored, so a sync test reads state right after each event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from fieldbridge.jobs.outcome import Outcome
from fieldbridge.mapping import MappingSet
from fieldbridge.mapping.config import to_data
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, links, mapping_sets
from fieldbridge.store.inbox import Hint
from fieldbridge.sync import options, reconcile
from fieldbridge.sync.options import SyncOptions
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields
from tests.support.inline_worker import InlineWorker, Processed

TECH_RESOURCE, FIELD_TECH_ROLE = 29682886, 29682831


class Bridge(InlineWorker):
    """Connector "acme" (`connector` overrides its settings) as the Field Nation API user, with time entries
    going to the technician resource and role."""

    def __init__(self, tmp: Path, at: AutotaskSim, fn: FieldNationSim, **connector: Any) -> None:
        super().__init__(Settings(data_dir=tmp, master_key=Fernet.generate_key().decode()))
        self.at, self.fn = at, fn
        fields = {
            "name": "acme",
            **connector_fields(at, fn, "svc-fieldnation"),
            "autotask_integration_code": at.creds["integration_code"],
            **connector,
        }
        self.connector_id = self.add_connector(fields)
        self.set_options(SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE))

    def set_options(self, sync_options: SyncOptions) -> None:
        with self.db.transaction() as session:
            options.save(session, self.connector_id, sync_options)

    def change(self, **fields: Any) -> None:
        with self.db.transaction() as session:
            row = session.get(connectors.Connector, self.connector_id)
            assert row is not None
            connectors.update(
                session, self.box, row, connectors.ConnectorChanges(**fields), datetime.now(UTC)
            )

    def deliver(self, hint: Hint) -> Processed:
        """Store the hint and process it once; what the event became and its history lines."""
        return self.run(self.connector_id, hint)

    def process_when_due(self, event_id: int, after: timedelta = timedelta(days=1)) -> Processed:
        """Process a retrying event as the worker would once its backoff is over (a clock `after` ahead)."""
        self.processor_at(lambda: datetime.now(UTC) + after).process(event_id)
        return self.outcome(event_id)

    def _done(self, hint: Hint) -> Outcome:
        processed = self.deliver(hint)
        assert processed.status == "done", processed.lines
        assert processed.outcome is not None, processed.lines
        return processed.outcome

    def import_ticket(self, ticket_id: int, entity: str = "Ticket") -> Outcome:
        return self._done(Hint("import", "autotask", entity, ticket_id))

    def ticket_webhook(self, ticket_id: int, fields: dict[str, Any], sequence: int) -> Outcome:
        payload = {"Action": "Update", "Guid": "g", "EntityType": "Ticket", "Id": ticket_id, "Fields": fields}
        return self._done(
            Hint("autotask-webhook", "autotask", "Ticket", ticket_id, payload, f"at:{sequence}:{ticket_id}")
        )

    def fn_event(self, work_order_id: int, delivery: str) -> Outcome:
        return self._done(fn_hint(work_order_id, delivery))

    def config(self) -> connectors.ConnectorConfig:
        with self.db.transaction() as session:
            row = session.get(connectors.Connector, self.connector_id)
            assert row is not None
            return connectors.config(row, self.box, None)

    def reconcile(self) -> reconcile.Pass:
        """One reconciler pass whose hints are processed as they are stored."""
        return reconcile.reconcile(
            self.db, self.config(), self.settings.sync, self.deliver, datetime.now(UTC)
        )

    def save_mappings(self, mapping_set: MappingSet) -> None:
        with self.db.transaction() as session:
            mapping_sets.save(session, self.connector_id, to_data(mapping_set), "tests", datetime.now(UTC))

    def ticket_of(self, work_order_id: int) -> int | None:
        with self.db.transaction() as session:
            pair = links.pair_records(session, self.connector_id, "fieldnation", "workorder", work_order_id)
            return next((record_id for system, _, record_id in pair if system == "autotask"), None)

    def work_order_of(self, ticket_id: int, entity: str = "Ticket") -> int:
        with self.db.transaction() as session:
            pair = links.pair_records(session, self.connector_id, "autotask", entity, ticket_id)
            assert len(pair) == 2, f"{entity} {ticket_id} is not linked"
            return pair[1][2]

    def pair_history(self, ticket_id: int) -> list[tuple[str, str]]:
        with self.db.transaction() as session:
            keys = links.pair_keys(session, self.connector_id, "autotask", "Ticket", ticket_id)
            return [(h.level, h.message) for h in history.for_pair(session, self.connector_id, keys)]

    def autotask_calls(self) -> dict[str, int]:
        """Calls per (method route) since the last reset of the counts, zone discovery left out."""
        items = self.at.calls()["items"]
        return {i["route"]: i["count"] for i in items if "zoneInformation" not in i["route"]}

    def reset_counts(self) -> None:
        self.at.control.delete("/_sim/calls")
        self.fn.control.delete("/_sim/calls")


def fn_hint(work_order_id: int, delivery: str) -> Hint:
    payload = {"event": {"name": "workorder.changed", "params": {"work_order_id": work_order_id}}}
    return Hint("fieldnation-webhook", "fieldnation", "workorder", work_order_id, payload, delivery)
