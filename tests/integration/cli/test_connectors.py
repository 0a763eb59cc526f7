"""What the admin API does to a connector, from the command line: add (saved only once its connection test
passes), list, show, update, delete, the connection test, Refresh Fields and the catalog, history, trigger
URL rotation, mapping sets (pull, push, diff, versions) and sync options; `--json` on every read."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

from fieldbridge.store import client_tokens, connectors, links, mapping_sets
from fieldbridge.sync import options
from tests.integration.cli.commands import EXAMPLE, Env, database, fieldbridge, first_error
from tests.support.emulators import AutotaskSim, FieldNationSim, connector_fields


def test_add_saves_nothing_when_the_connection_test_fails(env: Env, tmp_path: Path) -> None:
    source = tmp_path / "acme.yaml"
    source.write_text("name: acme\nautotask_username: svc@acme.example\nautotask_secret: Zq81-add-secret\n")
    added = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert added.exit_code == 1
    assert added.stderr.splitlines() == [
        "The connection test failed at Autotask zone discovery: Credentials are missing; nothing was saved.",
        "Fix: Enter the API user's Username (Key) and Password (Secret) (setup guide, Step 3), then run the "
        "command again.",
    ]
    assert "Zq81-add-secret" not in added.output
    listed = fieldbridge(env, "connectors", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_add_runs_the_full_check_once_signed_in_and_leaves_the_trigger_url_to_provisioning(
    env: Env, tmp_path: Path, autotask_sim: AutotaskSim, fn_sim: FieldNationSim
) -> None:
    fields = connector_fields(autotask_sim, fn_sim, "svc-handmade@")
    handmade = autotask_sim.user("svc-handmade@")
    source = tmp_path / "handmade.json"
    source.write_text(
        json.dumps({"name": "handmade", "autotask_integration_code": handmade["integration_code"], **fields})
    )
    added = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert added.exit_code == 0, added.output
    assert "pass    Autotask authentication" in added.output
    # The hand-made level's gaps show up right away, with the fix, not at the first failed sync.
    assert "Tickets — Add" in added.output
    assert "Contacts — View" in added.output
    assert added.stdout.splitlines()[-1] == (
        "Next: fieldbridge webhooks provision --connector handmade (it issues the trigger URL)"
    )
    assert "client_token" not in added.output
    for secret in (handmade["secret"], fields["fieldnation_client_secret"], fields["fieldnation_password"]):
        assert secret not in added.output
    again = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert again.exit_code == 1
    assert first_error(again) == "A connector named 'handmade' exists already."


def test_a_settings_file_with_a_mistake_is_refused_without_echoing_values(env: Env, tmp_path: Path) -> None:
    source = tmp_path / "bad.json"
    source.write_text('{"name": "bad", "autotask_secrett": "Zq81-misspelt", "expense_target": "expense"}')
    result = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{source} has settings the connector does not accept:",
        "  expense_target: Input should be '' or 'charge'",
        "  autotask_secrett: Extra inputs are not permitted",
    ]


def test_list_and_show_never_show_a_secret(applied: Env) -> None:
    listed = fieldbridge(applied, "connectors", "list", "--json")
    shown = fieldbridge(applied, "connectors", "show", "acme", "--json")
    table = fieldbridge(applied, "connectors", "show", "acme")
    assert [view["name"] for view in json.loads(listed.stdout)] == ["acme"]
    view = json.loads(shown.stdout)
    assert view["secrets_set"]["autotask_secret"] is True
    assert view["outbound_default_status"] == 21
    assert "autotask_secret: true" in table.stdout
    for result in (listed, shown, table):
        assert result.exit_code == 0, result.output
        for name, value in applied.items():
            if name.startswith("ACME_") and name.endswith(("SECRET", "PASSWORD")):
                assert str(value) not in result.output


def test_update_changes_what_is_named_and_tests_changed_credentials_first(applied: Env) -> None:
    changed = fieldbridge(
        applied, "connectors", "update", "acme", "--set", "outbound_default_status=22",
        "--set", "notification_emails=[ops@acme-msp.example]",
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.splitlines() == [
        "connector acme: update",
        "  outbound_default_status: 21 -> 22",
        "  notification_emails: ['dispatch@acme-msp.example'] -> ['ops@acme-msp.example']",
        "acme: updated.",
    ]
    same = fieldbridge(applied, "connectors", "update", "acme", "--set", "outbound_default_status=22")
    assert same.stdout == "acme: no changes.\n"

    wrong = applied | {"WRONG_SECRET": "Not-The-Secret-2026-xx"}
    refused = fieldbridge(
        wrong, "connectors", "update", "acme", "--set", "autotask_secret={env: WRONG_SECRET}"
    )
    assert refused.exit_code == 1
    assert first_error(refused).startswith("The connection test failed at Autotask authentication: ")
    assert "Not-The-Secret-2026-xx" not in refused.output
    assert fieldbridge(applied, "connectors", "test", "acme").exit_code == 0  # the right one kept

    inline = fieldbridge(applied, "connectors", "update", "acme", "--set", "autotask_secret=Zq81-inline")
    assert inline.exit_code == 1
    assert first_error(inline) == "--set: connector.autotask_secret: a secret is written out."
    assert "Zq81-inline" not in inline.output


def test_update_switching_outbound_create_on_needs_the_required_mappings(
    acme_env: Env, tmp_path: Path
) -> None:
    file = tmp_path / "acme.yaml"
    # Outbound Create off, so the mappings may leave the new ticket's Priority, Account and Queue blank.
    text = EXAMPLE.read_text().replace("outbound_create: true", "outbound_create: false")
    file.write_text(re.sub(r"value: (2|174|29683378)\b", "value: null", text))
    acme = acme_env
    applied = fieldbridge(acme, "apply", "-f", str(file))
    assert applied.exit_code == 0, applied.output
    refused = fieldbridge(acme, "connectors", "update", "acme", "--set", "outbound_create=true")
    assert refused.exit_code == 1
    assert first_error(refused) == "The mapping set has 3 error(s) (listed above); nothing was saved."
    with database(acme).transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        assert row.outbound_create is False


def test_delete_asks_first(applied: Env) -> None:
    kept = fieldbridge(applied, "connectors", "delete", "acme", stdin="n\n")
    assert kept.exit_code == 1
    assert fieldbridge(applied, "connectors", "show", "acme").exit_code == 0
    deleted = fieldbridge(applied, "connectors", "delete", "acme", "--yes")
    assert deleted.exit_code == 0, deleted.output
    assert json.loads(fieldbridge(applied, "connectors", "list", "--json").stdout) == []


def test_connection_test_refresh_fields_and_the_catalog(applied: Env) -> None:
    tested = fieldbridge(applied, "connectors", "test", "acme", "--json")
    assert tested.exit_code == 0, tested.output
    assert [step["status"] for step in json.loads(tested.stdout)] == ["pass", "pass", "pass"]
    refreshed = fieldbridge(applied, "connectors", "refresh-fields", "acme", "--json")
    assert refreshed.exit_code == 0, refreshed.output
    assert json.loads(refreshed.stdout)["problems"] == []
    statuses = fieldbridge(applied, "connectors", "catalog", "acme", "--field", "status")
    assert "24  Dispatch to Field" in statuses.stdout.splitlines()
    priorities = json.loads(
        fieldbridge(applied, "connectors", "catalog", "acme", "--field", "priority", "--json").stdout
    )
    assert {p["label"]: int(p["value"]) for p in priorities}["Medium"] == 2
    missing = fieldbridge(applied, "connectors", "catalog", "acme", "--field", "stauts")
    assert missing.exit_code == 1
    assert first_error(missing) == "Tickets has no field named 'stauts'."


def test_rotate_token_issues_a_trigger_url_and_revokes_the_one_before(applied: Env) -> None:
    first = fieldbridge(applied, "connectors", "rotate-token", "acme").stdout.splitlines()[-1]
    second = fieldbridge(applied, "connectors", "rotate-token", "acme").stdout.splitlines()[-1]
    assert first.startswith("https://bridge.example.test/v1/broker/inbound?client_token=fbc_")
    with database(applied).transaction() as session:
        assert client_tokens.connector_for(session, first.split("client_token=")[1]) is None
        assert client_tokens.connector_for(session, second.split("client_token=")[1]) is not None


def test_mappings_pull_push_diff_and_versions(applied: Env, tmp_path: Path) -> None:
    pulled = tmp_path / "mappings.yaml"
    assert fieldbridge(applied, "mappings", "pull", "acme", "-o", str(pulled)).exit_code == 0
    assert fieldbridge(applied, "mappings", "diff", "acme", str(pulled)).exit_code == 0
    pulled.write_text(pulled.read_text().replace("value: 174", "value: 175"))
    diff = fieldbridge(applied, "mappings", "diff", "acme", str(pulled))
    assert diff.exit_code == 1
    assert "-  value: 174" in diff.stdout.splitlines()
    assert "+  value: 175" in diff.stdout.splitlines()

    pushed = fieldbridge(applied, "mappings", "push", "acme", str(pulled))
    assert pushed.exit_code == 0, pushed.output
    assert pushed.stdout.splitlines()[-1] == "acme: mapping set version 2 saved."
    assert fieldbridge(applied, "mappings", "push", "acme", str(pulled)).stdout == "acme: no changes.\n"
    versions = json.loads(fieldbridge(applied, "mappings", "versions", "acme", "--json").stdout)
    assert [v["version"] for v in versions] == [2, 1]
    old = fieldbridge(applied, "mappings", "pull", "acme", "--version", "1", "--json")
    assert json.loads(old.stdout)["outbound"][3]["value"] == 174

    pulled.write_text(pulled.read_text().replace("value: 29683378", "value: null"))  # Outbound Create's queue
    refused = fieldbridge(applied, "mappings", "push", "acme", str(pulled))
    assert refused.exit_code == 1
    assert (
        first_error(refused) == "The mapping set has errors (listed above); acme's mappings were not changed."
    )
    with database(applied).transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        latest = mapping_sets.latest(session, row.id)
        assert latest is not None
        assert latest.version == 2


def test_sync_options_show_and_set(applied: Env, tmp_path: Path) -> None:
    shown = json.loads(fieldbridge(applied, "sync-options", "show", "acme", "--json").stdout)
    assert shown["triggers"] == {"status_becomes": [24], "queues": []}
    changed = fieldbridge(
        applied,
        "sync-options",
        "set",
        "acme",
        "--set",
        "triggers.queues=[29683378]",
        "--set",
        "reconcile_minutes=0",
    )
    assert changed.exit_code == 0, changed.output
    assert changed.stdout.splitlines() == [
        "  triggers.queues: [] -> [29683378]",
        "  reconcile_minutes: 15 -> 0",
        "acme: sync options saved.",
    ]
    misspelt = fieldbridge(applied, "sync-options", "set", "acme", "--set", "triggers.queue=[1]")
    assert misspelt.exit_code == 1
    assert misspelt.stderr.splitlines() == [
        "--set: sync_options.triggers.queue: Extra inputs are not permitted.",
        "Fix: Remove it (or check its spelling).",
    ]
    whole = tmp_path / "options.yaml"
    whole.write_text("triggers: {status_becomes: [24]}\n")
    assert fieldbridge(applied, "sync-options", "set", "acme", "--from", str(whole)).exit_code == 0
    with database(applied).transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        chosen = options.load(session, row.id)
        assert (chosen.triggers.queues, chosen.resource_id, chosen.reconcile_minutes) == ([], None, 15)


def test_history_of_the_connector_and_of_a_pair(applied: Env) -> None:
    assert fieldbridge(applied, "import", "7002", "--connector", "acme").exit_code == 0
    pair = fieldbridge(applied, "connectors", "history", "acme", "--record", "autotask/Ticket/7002", "--json")
    assert [line["message"] for line in json.loads(pair.stdout)] == [
        "Change notice received from a manual import."
    ]
    assert json.loads(fieldbridge(applied, "connectors", "history", "acme", "--json").stdout) == []
    bad = fieldbridge(applied, "connectors", "history", "acme", "--record", "Ticket/7002")
    assert bad.exit_code == 1
    assert first_error(bad) == "--record 'Ticket/7002' is not SYSTEM/ENTITY/ID."


def test_resync_stores_a_check_of_both_records_of_a_linked_pair(applied: Env) -> None:
    unlinked = fieldbridge(applied, "resync", "7001", "--connector", "acme")
    assert unlinked.exit_code == 0, unlinked.output
    assert unlinked.stdout.splitlines() == [
        "Autotask Ticket 7001 for connector acme: stored as event 1.",
        "Ticket 7001 is not linked to a work order yet: its import links it.",
    ]
    db = database(applied)
    with db.transaction() as session:
        acme = connectors.get(session, "acme")
        assert acme is not None
        links.save(session, acme.id, ("Ticket", 7002), ("workorder", 14000001), "f" * 64, datetime.now(UTC))
    linked = fieldbridge(applied, "resync", "7002", "--connector", "acme")
    assert linked.stdout.splitlines() == [
        "Autotask Ticket 7002 for connector acme: stored as event 2.",
        "Field Nation workorder 14000001 for connector acme: stored as event 3.",
    ]
