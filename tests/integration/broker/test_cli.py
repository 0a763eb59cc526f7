"""The broker's commands, run in this process through the real `fieldbridge` app against a SQLite data dir:
connectors (trigger URL printed once, never a secret), admin users, manual import, events and replay."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from fieldbridge.cli import app
from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, processing
from fieldbridge.store.database import Database, open_database
from tests.support.emulators import AutotaskSim
from tests.support.smtp import free_port

SECRET = "Zq81-autotask-secret-cli"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    cleared: dict[str, str | None] = {name: None for name in os.environ if name.startswith("FIELDBRIDGE_")}
    return cleared | {
        "FIELDBRIDGE_DATA_DIR": str(tmp_path / "data"),
        "FIELDBRIDGE_MASTER_KEY": Fernet.generate_key().decode(),
        "FIELDBRIDGE_PUBLIC_BASE_URL": "https://bridge.example.test",
        "COLUMNS": "250",
    }


def fieldbridge(env: dict[str, str | None], *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def database(env: dict[str, str | None]) -> Database:
    return open_database(Settings(data_dir=Path(str(env["FIELDBRIDGE_DATA_DIR"]))))


def add_acme(env: dict[str, str | None], tmp_path: Path) -> str:
    source = tmp_path / "acme.yaml"
    source.write_text(
        f"name: acme\nautotask_username: svc@acme.example\nautotask_secret: {SECRET}\n"
        f"autotask_api_url: http://127.0.0.1:{free_port()}\n"  # the connection test stays on loopback
    )
    added = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert added.exit_code == 0, added.output
    # Saving credentials runs the connection test; this deployment has no integration code to use.
    assert "fail    Autotask zone discovery: no Autotask integration code" in added.output
    return added.output.strip().splitlines()[-1]


def test_connectors_add_prints_the_trigger_url_once_and_never_the_secret(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    url = add_acme(env, tmp_path)
    assert url.startswith("https://bridge.example.test/v1/broker/inbound?client_token=fbc_")
    listed = fieldbridge(env, "connectors", "list")
    shown = fieldbridge(env, "connectors", "show", "acme")
    for result in (listed, shown):
        assert result.exit_code == 0, result.output
        assert "acme" in result.output
        assert SECRET not in result.output
        assert url.split("=")[1] not in result.output
    assert "autotask_secret: true" in shown.output

    rotated = fieldbridge(env, "connectors", "rotate-token", "acme")
    assert rotated.exit_code == 0
    new_url = rotated.output.strip().splitlines()[-1]
    db = database(env)
    with db.transaction() as session:
        assert client_tokens.connector_for(session, url.split("client_token=")[1]) is None
        assert client_tokens.connector_for(session, new_url.split("client_token=")[1]) is not None
    assert fieldbridge(env, "connectors", "add", "--from", str(tmp_path / "acme.yaml")).exit_code == 1


def test_a_settings_file_with_a_mistake_is_refused_without_echoing_values(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    source = tmp_path / "bad.json"
    source.write_text(f'{{"name": "bad", "autotask_secrett": "{SECRET}", "expense_target": "expense"}}')
    result = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert result.exit_code == 1
    assert "autotask_secrett" in result.output
    assert "expense_target" in result.output
    assert SECRET not in result.output


def test_admin_users_need_a_long_enough_password(env: dict[str, str | None]) -> None:
    created = fieldbridge(
        env, "admin", "create-user", "alice", "--password-stdin", stdin="a long enough password\n"
    )
    assert created.exit_code == 0, created.output
    weak = fieldbridge(env, "admin", "create-user", "bob", "--password-stdin", stdin="short\n")
    assert weak.exit_code == 1
    assert "at least 12 characters" in weak.output
    again = fieldbridge(
        env, "admin", "create-user", "alice", "--password-stdin", stdin="another long password\n"
    )
    assert again.exit_code == 1


def test_import_events_and_replay(env: dict[str, str | None], tmp_path: Path) -> None:
    add_acme(env, tmp_path)
    imported = fieldbridge(env, "import", "42")
    assert imported.exit_code == 0, imported.output
    event_id = int(imported.output.split("event ")[-1].rstrip(".\n"))
    assert "stored as event" in imported.output
    assert "already waiting as event" in fieldbridge(env, "import", "42", "--connector", "acme").output

    listed = fieldbridge(env, "events", "list", "--connector", "acme")
    assert "Autotask Ticket 42" in listed.output
    assert "queued" in listed.output
    shown = fieldbridge(env, "events", "show", str(event_id))
    assert "Change notice received from a manual import." in shown.output

    refused = fieldbridge(env, "events", "replay", str(event_id))
    assert refused.exit_code == 1
    assert "only finished events can be replayed" in refused.output
    db = database(env)
    now = datetime.now(UTC)
    with db.transaction() as session:
        processing.claim(session, event_id, "w1", now, timedelta(seconds=30))
        processing.bury(session, event_id, "w1", now, "Autotask refused the login.", "Check the API user.")
    replayed = fieldbridge(env, "events", "replay", str(event_id))
    assert replayed.exit_code == 0, replayed.output
    assert "Replayed by cli:" in fieldbridge(env, "events", "show", str(event_id)).output
    assert fieldbridge(env, "events", "replay", "999").exit_code == 1


def test_import_needs_a_connector_name_when_there_are_several(
    env: dict[str, str | None], tmp_path: Path
) -> None:
    add_acme(env, tmp_path)
    other = tmp_path / "globex.json"
    other.write_text('{"name": "globex"}')
    assert fieldbridge(env, "connectors", "add", "--from", str(other)).exit_code == 0
    result = fieldbridge(env, "import", "42")
    assert result.exit_code == 1
    assert "2 connectors exist: name one" in result.output
    assert fieldbridge(env, "import", "42", "--connector", "ghost").exit_code == 1


def test_connectors_add_runs_the_full_check_once_signed_in(
    env: dict[str, str | None], tmp_path: Path, autotask_sim: AutotaskSim
) -> None:
    handmade = autotask_sim.user("svc-handmade@")
    source = tmp_path / "handmade.yaml"
    source.write_text(
        f"name: handmade\nautotask_username: {handmade['username']}\nautotask_secret: {handmade['secret']}\n"
        f"autotask_integration_code: {handmade['integration_code']}\nautotask_api_url: {autotask_sim.url}\n"
    )
    added = fieldbridge(env, "connectors", "add", "--from", str(source))
    assert added.exit_code == 0, added.output
    assert "pass    Autotask authentication" in added.output
    # The hand-made level's gaps show up right away, with the fix, not at the first failed sync.
    assert "Tickets — Add" in added.output
    assert "Contacts — View" in added.output
    assert handmade["secret"] not in added.output
