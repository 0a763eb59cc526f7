"""`fieldbridge connectors disable|enable`: a disabled connector keeps its settings, links and events; each
event is skipped with the reason (and can be replayed once it is enabled), the reconciler passes it by, and
a backfill or reconciler pass by hand is refused."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import SecretStr

from fieldbridge.jobs.consumer import open_parts
from fieldbridge.settings import Settings
from fieldbridge.store import history, inbox
from fieldbridge.sync.reconcile import reconcile_due
from tests.integration.cli.commands import Env, database, fieldbridge, first_error
from tests.support.emulators import AutotaskSim, FieldNationSim

TICKET = 7002


def test_a_disabled_connector_keeps_its_events_and_syncs_nothing_until_enabled(
    applied: Env, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    disabled = fieldbridge(applied, "connectors", "disable", "acme")
    assert disabled.exit_code == 0, disabled.output
    assert json.loads(fieldbridge(applied, "connectors", "show", "acme", "--json").stdout)["enabled"] is False
    parts = open_parts(
        Settings(
            data_dir=Path(str(applied["FIELDBRIDGE_DATA_DIR"])),
            master_key=SecretStr(str(applied["FIELDBRIDGE_MASTER_KEY"])),
        ),
        create=False,
    )

    imported = fieldbridge(applied, "import", str(TICKET), "--connector", "acme")
    event_id = int(imported.stdout.split("event ")[-1].rstrip(".\n"))
    parts.processor().process(event_id)
    with database(applied).transaction() as session:
        event = inbox.get(session, event_id)
        assert event is not None
        assert event.status == "skipped"
        last = history.for_event(session, event_id)[-1]
        assert (last.message, last.fix) == (
            "Connector acme is disabled, so nothing was synced.",
            "Enable it (`fieldbridge connectors enable acme`), then replay the event.",
        )
    assert "workorder.created" not in fn_sim.events()

    autotask_sim.control.delete("/_sim/calls").raise_for_status()
    reconcile_due(parts)  # its interval has passed (it never ran): an enabled connector would be read now
    assert autotask_sim.count() == 0
    refused = fieldbridge(applied, "backfill", "--connector", "acme", "--yes")
    assert refused.exit_code == 1
    assert refused.stderr.splitlines() == [
        "Connector acme is disabled.",
        "Fix: Enable it: `fieldbridge connectors enable acme`.",
    ]
    assert (
        first_error(fieldbridge(applied, "reconcile", "--connector", "acme")) == "Connector acme is disabled."
    )

    assert fieldbridge(applied, "connectors", "enable", "acme").exit_code == 0
    assert fieldbridge(applied, "events", "replay", str(event_id)).exit_code == 0
    parts.processor().process(event_id)
    with database(applied).transaction() as session:
        event = inbox.get(session, event_id)
        assert event is not None
        assert event.status == "done"
    assert "workorder.created" in fn_sim.events()
    parts.db.dispose()
