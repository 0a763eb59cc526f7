"""The sync flows against both emulators over real HTTP, through the real worker (inbox, pair lock,
handler, history) with events processed synchronously, so a test reads state right after each event."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from fieldbridge.jobs.handlers import Alert, load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, inbox, links
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.inbox import Hint
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.sync import options
from fieldbridge.sync.options import SyncOptions
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

    def _run(self, hint: Hint) -> str:
        accepted = inbox.accept(self.db, self.connector_id, hint, datetime.now(UTC))
        self.processor.process(accepted.event_id)
        with self.db.transaction() as session:
            event = inbox.get(session, accepted.event_id)
            assert event is not None
            lines = history.for_event(session, accepted.event_id)
            assert event.status == "done", [(h.action, h.message) for h in lines]
            return lines[-1].message

    def import_ticket(self, ticket_id: int, entity: str = "Ticket") -> str:
        return self._run(Hint("import", "autotask", entity, ticket_id))

    def ticket_webhook(self, ticket_id: int, fields: dict[str, Any], sequence: int) -> str:
        payload = {"Action": "Update", "Guid": "g", "EntityType": "Ticket", "Id": ticket_id, "Fields": fields}
        return self._run(
            Hint("autotask-webhook", "autotask", "Ticket", ticket_id, payload, f"at:{sequence}:{ticket_id}")
        )

    def fn_event(self, work_order_id: int, delivery: str) -> str:
        payload = {"event": {"name": "workorder.changed", "params": {"work_order_id": work_order_id}}}
        return self._run(
            Hint("fieldnation-webhook", "fieldnation", "workorder", work_order_id, payload, delivery)
        )

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


@pytest.fixture
def bridge(tmp_path: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> Iterator[Bridge]:
    b = Bridge(tmp_path, autotask_sim, fn_sim)
    yield b
    b.db.dispose()
