"""What the connector records when Autotask refuses it carries the setup guide's cause and fix: events run
through the real worker and sync flows against the emulators, with users set up the ways the guide's
troubleshooting table describes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from fieldbridge.autotask import causes
from fieldbridge.checks import troubleshooting
from fieldbridge.jobs.handlers import load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.mapping.config import to_data
from fieldbridge.notify.alerts import Alert
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE
from fieldbridge.settings import Settings
from fieldbridge.store import connectors, history, inbox, mapping_sets
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.inbox import Hint
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.tables import HistoryEntry
from tests.conftest import AutotaskSim
from tests.integration.checks.conftest import instance_mappings
from tests.integration.fieldnation.conftest import FieldNationSim


class Worker:
    """One connector and a worker that runs each event as soon as it is stored."""

    def __init__(self, tmp: Path, at: AutotaskSim, fn: FieldNationSim) -> None:
        self.at, self.fn = at, fn
        self.settings = Settings(
            data_dir=tmp,
            master_key=Fernet.generate_key().decode(),
            default_integration_code=SecretStr(FIELD_NATION_CODE),
        )
        self.db: Database = open_database(self.settings)
        self.box = SecretBox(load_master_key(self.settings))
        self.alerts: list[Alert] = []
        self.processor = EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=load(["fieldbridge.sync.handlers"]),
            queue=EventQueue(self.settings),
            alert=self.alerts.append,
        )

    def connector(self, user: str, **settings: Any) -> int:
        seeded, fn = self.at.user(user), self.fn.announced
        fields = {
            "name": user.replace("@", "").lower(),
            "autotask_api_url": self.at.url,
            "autotask_username": seeded["username"],
            "autotask_secret": seeded["secret"],
            "fieldnation_api_url": fn["url"],
            "fieldnation_client_id": fn["client_id"],
            "fieldnation_client_secret": fn["client_secret"],
            "fieldnation_username": fn["username"],
            "fieldnation_password": fn["password"],
        } | settings
        with self.db.transaction() as session:
            connector = connectors.create(
                session, self.box, connectors.NewConnector.model_validate(fields), now()
            )
            mapping_sets.save(session, connector.id, to_data(instance_mappings()), "tests", now())
            return connector.id

    def run(self, connector_id: int, hint: Hint) -> HistoryEntry:
        """The event's last history line, once the worker has had its first go."""
        accepted = inbox.accept(self.db, connector_id, hint, now())
        self.processor.process(accepted.event_id)
        with self.db.transaction() as session:
            return history.for_event(session, accepted.event_id)[-1]


def now() -> datetime:
    return datetime.now(UTC)


@pytest.fixture
def worker(tmp_path: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> Iterator[Worker]:
    w = Worker(tmp_path, autotask_sim, fn_sim)
    yield w
    w.db.dispose()


@pytest.mark.parametrize(
    ("user", "cause"),
    [
        ("jdoe", causes.RESOURCE_TYPE),
        ("svc-ampersand", causes.SECRET_CHARACTERS),
        ("svc-custom", causes.INTEGRATION_CODE),  # its blank code means Field Nation's, not its own
    ],
)
def test_a_refused_sign_in_is_recorded_with_the_guides_cause_and_fix(
    worker: Worker, user: str, cause: causes.Cause
) -> None:
    line = worker.run(worker.connector(user), Hint("import", "autotask", "Ticket", 7001))
    assert line.action == "retry"
    assert cause.problem in line.message
    assert line.fix == cause.fix
    assert troubleshooting.row_for(cause) in troubleshooting.TABLE  # a cause the guide's table lists


def test_outbound_create_without_ticket_add_names_the_permission_and_alerts(
    worker: Worker, fn_sim: FieldNationSim
) -> None:
    connector_id = worker.connector("svc-handmade", outbound_create=True, outbound_default_status=21)
    work_order = fn_sim.seeded("Published")
    payload = {"event": {"name": "workorder.created", "params": {"work_order_id": work_order}}}
    line = worker.run(
        connector_id, Hint("fieldnation-webhook", "fieldnation", "workorder", work_order, payload, "d-1")
    )
    missing = causes.missing_permission("Tickets", "create")
    assert missing.problem in line.message
    assert line.fix == missing.fix
    assert [(a.kind, a.fix) for a in worker.alerts] == [("outbound_create_failure", missing.fix)]
    assert troubleshooting.row_for(missing) is troubleshooting.TICKET_ADD
