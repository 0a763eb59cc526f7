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
from fieldbridge.mapping.config import to_data
from fieldbridge.sandbox.autotask.seed import FIELD_NATION_CODE
from fieldbridge.settings import Settings
from fieldbridge.store import mapping_sets
from fieldbridge.store.inbox import Hint
from tests.integration.checks.bridge import instance_mappings
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields
from tests.support.inline_worker import InlineWorker, Line


class Worker(InlineWorker):
    """A connector per seeded user, and a worker that runs each event as soon as it is stored."""

    def __init__(self, tmp: Path, at: AutotaskSim, fn: FieldNationSim) -> None:
        super().__init__(
            Settings(
                data_dir=tmp,
                master_key=Fernet.generate_key().decode(),
                default_integration_code=SecretStr(FIELD_NATION_CODE),
            )
        )
        self.at, self.fn = at, fn

    def connector(self, user: str, **settings: Any) -> int:
        """Connector of the seeded Autotask user whose name starts with `user`, with the guide's mappings."""
        fields = {"name": user.replace("@", "").lower(), **connector_fields(self.at, self.fn, user)}
        connector_id = self.add_connector(fields | settings)
        with self.db.transaction() as session:
            mapping_sets.save(session, connector_id, to_data(instance_mappings()), "tests", datetime.now(UTC))
        return connector_id

    def last_line(self, connector_id: int, hint: Hint) -> Line:
        """The event's last history line, once the worker has had its first go."""
        return self.run(connector_id, hint).lines[-1]


@pytest.fixture
def worker(tmp_path: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim) -> Iterator[Worker]:
    w = Worker(tmp_path, autotask_sim, fn_sim)
    yield w
    w.close()


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
    line = worker.last_line(worker.connector(user), Hint("import", "autotask", "Ticket", 7001))
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
    line = worker.last_line(
        connector_id, Hint("fieldnation-webhook", "fieldnation", "workorder", work_order, payload, "d-1")
    )
    missing = causes.missing_permission("Tickets", "create")
    assert missing.problem in line.message
    assert line.fix == missing.fix
    assert [(a.kind, a.fix) for a in worker.alerts] == [("outbound_create_failure", missing.fix)]
    assert troubleshooting.row_for(missing) is troubleshooting.TICKET_ADD
