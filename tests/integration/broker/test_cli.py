"""The broker's commands, run in this process through the real `fieldbridge` app against a SQLite data dir:
admin users, manual import, events and replay (the connectors commands: tests/integration/cli)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner, Result

from fieldbridge.cli import app
from fieldbridge.settings import Settings
from fieldbridge.store import processing
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.secrets import SecretBox
from tests.integration.broker.store_helpers import add_connector


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


def add_acme(env: dict[str, str | None], name: str = "acme") -> None:
    """A saved connector (its connection test is the connectors commands' business, tested with them)."""
    add_connector(database(env), SecretBox(str(env["FIELDBRIDGE_MASTER_KEY"]).encode()), name)


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


def test_import_events_and_replay(env: dict[str, str | None]) -> None:
    add_acme(env)
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


def test_import_needs_a_connector_name_when_there_are_several(env: dict[str, str | None]) -> None:
    add_acme(env)
    add_acme(env, "globex")
    result = fieldbridge(env, "import", "42")
    assert result.exit_code == 1
    assert "2 connectors exist: name one" in result.output
    assert fieldbridge(env, "import", "42", "--connector", "ghost").exit_code == 1


def test_dead_letters_come_a_page_at_a_time_and_say_where_the_next_is(env: dict[str, str | None]) -> None:
    add_acme(env)
    db, now = database(env), datetime.now(UTC)
    for ticket in (41, 42, 43):
        imported = fieldbridge(env, "import", str(ticket))
        event_id = int(imported.output.split("event ")[-1].rstrip(".\n"))
        with db.transaction() as session:
            processing.claim(session, event_id, "w1", now, timedelta(seconds=30))
            processing.bury(session, event_id, "w1", now, f"Ticket {ticket} was refused.", "Fix the ticket.")

    first = fieldbridge(env, "events", "dead-letters", "--connector", "acme", "--limit", "2")
    assert first.exit_code == 0, first.output
    assert "3 dead letter(s) wait; newest first:" in first.output
    assert "Ticket 43 was refused." in first.output
    assert "Ticket 42 was refused." in first.output
    assert "Ticket 41" not in first.output
    command = first.output.splitlines()[-1].removeprefix("Older letters wait: fieldbridge ")
    assert command != first.output.splitlines()[-1], first.output

    rest = fieldbridge(env, *command.split())
    assert rest.exit_code == 0, rest.output
    assert "Ticket 41 was refused." in rest.output
    assert "Ticket 42" not in rest.output
    assert "Older letters wait" not in rest.output
