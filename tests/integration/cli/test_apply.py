"""`fieldbridge apply` and `fieldbridge export`: a whole connector as one file, applied idempotently with the
admin API's rules, against both emulators."""

from __future__ import annotations

from pathlib import Path

from fieldbridge.store import connectors, field_catalog, mapping_sets
from fieldbridge.sync import options
from tests.integration.cli.commands import EXAMPLE, Env, database, fieldbridge, first_error


def test_apply_sets_the_whole_connector_up_and_a_second_apply_changes_nothing(acme_env: Env) -> None:
    first = fieldbridge(acme_env, "apply", "-f", str(EXAMPLE))
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines()[0] == "connector acme: create"
    assert "  autotask_secret: set from $ACME_AUTOTASK_SECRET" in first.stdout
    assert "  pass    Field Nation token" in first.stdout
    assert "acme: applied." in first.stdout
    for secret in ("ACME_AUTOTASK_SECRET", "ACME_FIELDNATION_CLIENT_SECRET", "ACME_FIELDNATION_PASSWORD"):
        assert str(acme_env[secret]) not in first.output

    db = database(acme_env)
    with db.transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        assert (row.outbound_create, row.outbound_default_status, row.fieldnation_company_id) == (
            True,
            21,
            4182,
        )
        chosen = options.load(session, row.id)
        assert (chosen.triggers.status_becomes, chosen.resource_id, chosen.role_id) == (
            [24],
            29682886,
            29682831,
        )
        saved = mapping_sets.latest(session, row.id)
        assert saved is not None
        assert saved.version == 1
        catalog = field_catalog.catalog(session, row.id)
        assert catalog is not None  # Refresh Fields ran: the mappings were judged against this instance
        assert "Tickets" in catalog["autotask"]

    second = fieldbridge(acme_env, "apply", "-f", str(EXAMPLE))
    assert second.exit_code == 0, second.output
    assert second.stdout == "acme: no changes.\n"
    with db.transaction() as session:
        assert [m.version for m in mapping_sets.versions(session, row.id)] == [1]


def test_a_dry_run_shows_the_plan_and_makes_no_database(acme_env: Env) -> None:
    result = fieldbridge(acme_env, "apply", "-f", str(EXAMPLE), "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "connector acme: create"
    assert result.stdout.splitlines()[-1] == "Dry run: nothing was changed."
    assert not Path(str(acme_env["FIELDBRIDGE_DATA_DIR"])).exists()


def test_a_dry_run_of_a_changed_file_changes_nothing_and_the_apply_then_does(
    applied: Env, tmp_path: Path
) -> None:
    changed = tmp_path / "acme.yaml"
    changed.write_text(
        EXAMPLE.read_text()
        .replace("status_becomes: [24]", "status_becomes: [24, 22]")
        .replace("outbound_default_status: 21", "outbound_default_status: 22")
    )
    db = database(applied)
    with db.transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        before = (row.updated_at, options.load(session, row.id))

    dry = fieldbridge(applied, "apply", "-f", str(changed), "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert dry.stdout.splitlines()[:4] == [
        "connector acme: update",
        "  outbound_default_status: 21 -> 22",
        "sync options:",
        "  triggers.status_becomes: [24] -> [24, 22]",
    ]
    assert "connection test" not in dry.stdout  # no credential changes
    with db.transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        assert (row.updated_at, options.load(session, row.id)) == before

    done = fieldbridge(applied, "apply", "-f", str(changed))
    assert done.exit_code == 0, done.output
    with db.transaction() as session:
        row = connectors.get(session, "acme")
        assert row is not None
        assert row.outbound_default_status == 22
        assert options.load(session, row.id).triggers.status_becomes == [24, 22]
    assert fieldbridge(applied, "apply", "-f", str(changed)).stdout == "acme: no changes.\n"


def test_export_then_apply_of_the_export_changes_nothing_and_holds_no_secret(
    applied: Env, tmp_path: Path
) -> None:
    exported = tmp_path / "exported.yaml"
    written = fieldbridge(applied, "export", "acme", "-o", str(exported))
    assert written.exit_code == 0, written.output
    text = exported.read_text()
    assert "autotask_secret: {env: ACME_AUTOTASK_SECRET}" in text
    assert "fieldnation_password: {env: ACME_FIELDNATION_PASSWORD}" in text
    for name, value in applied.items():
        if name.endswith(("SECRET", "PASSWORD", "INTEGRATION_CODE")):
            assert str(value) not in text
    assert "webhook_secret" not in text  # provisioning's

    again = fieldbridge(applied, "apply", "-f", str(exported))
    assert again.exit_code == 0, again.output
    assert again.stdout == "acme: no changes.\n"
    assert fieldbridge(applied, "export", "acme").stdout == text


def test_a_changed_secret_is_tested_and_said_without_its_value(applied: Env) -> None:
    wrong = applied | {"ACME_AUTOTASK_SECRET": "Not-The-Secret-2026-xx"}
    refused = fieldbridge(wrong, "apply", "-f", str(EXAMPLE))
    assert refused.exit_code == 1
    assert "  autotask_secret: changed, from $ACME_AUTOTASK_SECRET" in refused.stdout
    assert first_error(refused).startswith("The connection test failed at Autotask authentication: ")
    assert first_error(refused).endswith("; nothing was saved.")
    assert "Not-The-Secret-2026-xx" not in refused.output
    # Still the right secret: the next apply with it changes nothing.
    assert fieldbridge(applied, "apply", "-f", str(EXAMPLE)).stdout == "acme: no changes.\n"


def test_a_new_connector_whose_connection_test_fails_is_not_saved(acme_env: Env) -> None:
    wrong = acme_env | {"ACME_FIELDNATION_PASSWORD": "wrong-password"}
    result = fieldbridge(wrong, "apply", "-f", str(EXAMPLE))
    assert result.exit_code == 1
    assert first_error(result) == (
        "The connection test failed at Field Nation token: Field Nation refused the API user's username or "
        "password; nothing was saved."
    )
    assert (
        result.stderr.splitlines()[1]
        == "Fix: Enter the API user's current credentials, then run the command again."
    )
    with database(acme_env).transaction() as session:
        assert connectors.get(session, "acme") is None


def test_mappings_with_errors_are_refused_and_nothing_is_saved(acme_env: Env, tmp_path: Path) -> None:
    broken = tmp_path / "acme.yaml"
    broken.write_text(
        EXAMPLE.read_text().replace("value: 29683378", "value: null")
    )  # Outbound Create's queue
    result = fieldbridge(acme_env, "apply", "-f", str(broken))
    assert result.exit_code == 1
    assert first_error(result) == "The mapping set has 1 error(s) (listed above); nothing was saved."
    assert "mappings error: " in result.stdout
    with database(acme_env).transaction() as session:
        assert connectors.get(session, "acme") is None


def test_a_secret_written_in_the_file_is_refused_without_echoing_it(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text("schema_version: 1\nname: acme\nconnector:\n  autotask_secret: Zq81-inline-secret\n")
    result = fieldbridge(env, "apply", "-f", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{file}: connector.autotask_secret: a secret is written out.",
        "Fix: Put it in an environment variable and give `autotask_secret: {env: VARIABLE}` instead.",
    ]
    assert "Zq81-inline-secret" not in result.output
    assert not Path(str(env["FIELDBRIDGE_DATA_DIR"])).exists()


def test_every_problem_of_a_file_is_listed_with_its_place(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text(
        "schema_version: 1\nname: acme\nconnector:\n  autotask_secret: {env: ACME_NOT_SET}\n"
        "  expense_target: expenses\nsync_options:\n  triggers: {status_becoms: [5]}\n"
    )
    result = fieldbridge(env, "apply", "-f", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{file} has 3 problems; nothing was changed:",
        "  connector.autotask_secret: the environment variable ACME_NOT_SET is not set; fix: export "
        "ACME_NOT_SET=... before running this command",
        "  connector.expense_target: Input should be '' or 'charge'; fix: correct it",
        "  sync_options.triggers.status_becoms: Extra inputs are not permitted; fix: remove it (or check its "
        "spelling)",
    ]


def test_a_yaml_mistake_names_its_line(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text("schema_version: 1\nname: acme\nconnector:\n  autotask_username: [a\n")
    result = fieldbridge(env, "apply", "-f", str(file))
    assert result.exit_code == 1
    assert first_error(result).startswith(f"{file}: line 5, column 1: not valid YAML: ")
    assert result.stderr.splitlines()[1] == "Fix: Correct the YAML there."


def test_mappings_in_the_file_are_checked_as_a_mapping_set(env: Env, tmp_path: Path) -> None:
    file = tmp_path / "acme.yaml"
    file.write_text(
        "schema_version: 1\nname: acme\nmappings:\n  schema_version: 1\n  inbound:\n"
        "  - {source_field: Title, target_field: title, action: copy}\n  outbound: []\n"
    )
    result = fieldbridge(env, "apply", "-f", str(file))
    assert result.exit_code == 1
    assert first_error(result) == (f"{file}: mappings: inbound[0] (Title -> title): unknown action 'copy'.")


def test_export_of_an_unknown_connector(applied: Env) -> None:
    result = fieldbridge(applied, "export", "globex")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "There is no connector named 'globex'.",
        "Fix: See `fieldbridge connectors list` for the names.",
    ]
