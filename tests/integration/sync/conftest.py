"""The sync flows against both emulators over real HTTP, through the real worker (inbox, pair lock,
handler, history) with events processed synchronously, so a test reads state right after each event."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.fernet import Fernet

from fieldbridge.jobs.handlers import load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.mapping import MappingSet
from fieldbridge.mapping.config import to_data
from fieldbridge.notify.alerts import Alert
from fieldbridge.sandbox.server import running
from fieldbridge.settings import Settings
from fieldbridge.store import admins, connectors, history, inbox, links, mapping_sets
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.inbox import Hint
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.sync import options, reconcile
from fieldbridge.sync.options import SyncOptions
from fieldbridge.web.app import create_app
from tests.conftest import AutotaskSim
from tests.integration.fieldnation.conftest import FieldNationSim, serve

TECH_RESOURCE, FIELD_TECH_ROLE = 29682886, 29682831


@pytest.fixture(scope="module")
def fn_server() -> Iterator[FieldNationSim]:
    with serve(max_upload_bytes=8 * 1024 * 1024) as sim:
        yield sim


@pytest.fixture
def fn_sim(fn_server: FieldNationSim) -> FieldNationSim:
    assert fn_server.control.post("/_sim/reset").status_code == 200
    return fn_server


class Bridge:
    """One connector wired to both emulators, and a worker that processes each event as it is stored."""

    def __init__(self, tmp: Path, at: AutotaskSim, fn: FieldNationSim, **connector: Any) -> None:
        self.at, self.fn = at, fn
        self.settings = Settings(data_dir=tmp, master_key=Fernet.generate_key().decode())
        self.db: Database = open_database(self.settings)
        self.box = SecretBox(load_master_key(self.settings))
        self.alerts: list[Alert] = []
        creds, fn_creds = at.creds, fn.announced
        fields: dict[str, Any] = {
            "name": "acme",
            "autotask_api_url": at.url,
            "autotask_username": creds["username"],
            "autotask_secret": creds["secret"],
            "autotask_integration_code": creds["integration_code"],
            "fieldnation_api_url": fn.url,
            "fieldnation_client_id": fn_creds["client_id"],
            "fieldnation_client_secret": fn_creds["client_secret"],
            "fieldnation_username": fn_creds["username"],
            "fieldnation_password": fn_creds["password"],
            **connector,
        }
        with self.db.transaction() as session:
            self.connector_id = connectors.create(
                session, self.box, connectors.NewConnector.model_validate(fields), datetime.now(UTC)
            ).id
        self.set_options(SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE))
        self.processor = EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=load(["fieldbridge.sync.handlers"]),
            queue=EventQueue(self.settings),
            alert=self.alerts.append,
        )

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

    def deliver(self, hint: Hint) -> Outcome:
        """Store the hint and process it once; what the event became and its history lines."""
        accepted = inbox.accept(self.db, self.connector_id, hint, datetime.now(UTC))
        self.processor.process(accepted.event_id)
        return self.outcome(accepted.event_id)

    def outcome(self, event_id: int) -> Outcome:
        with self.db.transaction() as session:
            event = inbox.get(session, event_id)
            assert event is not None
            lines = [(h.level, h.action, h.message, h.fix) for h in history.for_event(session, event_id)]
            return Outcome(event_id, event.status, lines)

    def process_when_due(self, event_id: int, after: timedelta = timedelta(days=1)) -> Outcome:
        """Process a retrying event as the worker would once its backoff is over (a clock `after` ahead)."""
        later = EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=load(["fieldbridge.sync.handlers"]),
            queue=EventQueue(self.settings),
            alert=self.alerts.append,
            clock=lambda: datetime.now(UTC) + after,
        )
        later.process(event_id)
        return self.outcome(event_id)

    def _run(self, hint: Hint) -> str:
        outcome = self.deliver(hint)
        assert outcome.status == "done", outcome.lines
        return outcome.lines[-1][2]

    def import_ticket(self, ticket_id: int, entity: str = "Ticket") -> str:
        return self._run(Hint("import", "autotask", entity, ticket_id))

    def ticket_webhook(self, ticket_id: int, fields: dict[str, Any], sequence: int) -> str:
        payload = {"Action": "Update", "Guid": "g", "EntityType": "Ticket", "Id": ticket_id, "Fields": fields}
        return self._run(
            Hint("autotask-webhook", "autotask", "Ticket", ticket_id, payload, f"at:{sequence}:{ticket_id}")
        )

    def fn_event(self, work_order_id: int, delivery: str) -> str:
        return self._run(fn_hint(work_order_id, delivery))

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


@dataclass(frozen=True)
class Outcome:
    event_id: int
    status: str
    lines: list[tuple[str, str, str, str | None]]
    """(level, action, message, fix) of each history line of the event."""


def fn_hint(work_order_id: int, delivery: str) -> Hint:
    payload = {"event": {"name": "workorder.changed", "params": {"work_order_id": work_order_id}}}
    return Hint("fieldnation-webhook", "fieldnation", "workorder", work_order_id, payload, delivery)


@pytest.fixture
def bridge(tmp_path: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> Iterator[Bridge]:
    b = Bridge(tmp_path, autotask_sim, fn_sim)
    yield b
    b.db.dispose()


@pytest.fixture
def admin_api(bridge: Bridge) -> Iterator[httpx.Client]:
    """The broker's admin API over HTTP on the bridge's own store."""
    with running(create_app(bridge.settings, consume=False)) as server:
        with bridge.db.transaction() as session:
            user = admins.create_user(session, "alice", "correct horse battery", datetime.now(UTC))
            _, token = admins.issue_api_token(session, user, "tests", datetime.now(UTC))
        with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {token}"}) as client:
            yield client


@pytest.fixture
def creating(bridge: Bridge) -> Bridge:
    """The bridge with Outbound Create on and the six required ticket fields mapped."""
    from tests.integration.sync.test_outbound_create import complete_set

    bridge.change(outbound_create=True)
    bridge.save_mappings(complete_set())
    return bridge
