"""Every expected failure ends a command with one or two lines, the cause and the fix, and a non-zero exit;
a traceback only with --debug. No command but serve, admin and apply makes a new, empty database."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from fieldbridge import __version__
from tests.integration.cli.commands import Env, fieldbridge, first_error
from tests.support.emulators import FIELDBRIDGE

NO_DATABASE_FIX = (
    "Fix: Run the command where the data directory is, or set FIELDBRIDGE_DATA_DIR (or "
    "FIELDBRIDGE_DATABASE_URL); `fieldbridge apply` and `fieldbridge admin create-user` make a new one."
)
CLOSED = "postgresql+psycopg://fieldbridge:Zq81-db-password@127.0.0.1:1/fieldbridge"
"""A PostgreSQL URL nothing listens at (port 1), with a password that must never be shown."""


def test_a_bad_flag_value_names_the_flag_and_where_the_right_ones_are(env: Env) -> None:
    result = fieldbridge(env, "events", "list", "--limit", "many")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Error: Invalid value for '--limit': Input should be a valid integer, unable to parse string as an "
        "integer",
        "Fix: See `fieldbridge events list --help` for what it takes.",
    ]
    unknown = fieldbridge(env, "connectors", "lst")
    assert unknown.exit_code == 2
    assert first_error(unknown) == "Error: No such command 'lst'. Did you mean 'list'?"


def test_a_command_that_reads_the_store_makes_no_database_where_there_is_none(env: Env) -> None:
    data = Path(str(env["FIELDBRIDGE_DATA_DIR"]))
    for command in (
        ("events", "list"),
        ("connectors", "list"),
        ("export", "acme"),
        ("check", "--connector", "acme"),
        ("backfill", "--connector", "acme", "--yes"),
        ("worker",),
    ):
        result = fieldbridge(env, *command)
        assert result.exit_code == 1, command
        assert result.stderr.splitlines() == [
            f"There is no FieldBridge database at {data / 'fieldbridge.db'}.",
            NO_DATABASE_FIX,
        ], command
        assert not data.exists(), command


def test_the_data_directory_is_shown_absolute_whatever_the_working_directory(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    relative = env | {"FIELDBRIDGE_DATA_DIR": "data"}
    monkeypatch.chdir(tmp_path)
    result = fieldbridge(relative, "events", "list")
    assert (
        first_error(result) == f"There is no FieldBridge database at {tmp_path / 'data' / 'fieldbridge.db'}."
    )


def test_an_unknown_connector_names_where_the_names_are(applied: Env) -> None:
    fix = "Fix: See `fieldbridge connectors list` for the names."
    for command, code in (
        (("connectors", "show", "globex"), 1),
        (("sync-options", "show", "globex"), 1),
        (("mappings", "pull", "globex"), 1),
        (("events", "list", "--connector", "globex"), 1),
        (("backfill", "--connector", "globex", "--yes"), 1),
        (("check", "--connector", "globex"), 2),
        (("webhooks", "provision", "--connector", "globex"), 2),
    ):
        result = fieldbridge(applied, *command)
        assert result.exit_code == code, command
        assert result.stderr.splitlines() == ["There is no connector named 'globex'.", fix], command


def test_a_database_that_does_not_answer_is_named_without_its_password(env: Env) -> None:
    result = fieldbridge(env | {"FIELDBRIDGE_DATABASE_URL": CLOSED}, "connectors", "list")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        "The database at postgresql+psycopg://fieldbridge:***@127.0.0.1:1/fieldbridge does not answer: "
    )
    assert lines[1:] == [
        "Fix: Check FIELDBRIDGE_DATABASE_URL and that the database server runs and lets this host in."
    ]
    assert "Zq81-db-password" not in result.output
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(env: Env) -> None:
    result = fieldbridge(env | {"FIELDBRIDGE_DATABASE_URL": CLOSED}, "--debug", "connectors", "list")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "OperationalError"  # raised, not explained


def test_a_bad_setting_names_the_variable(env: Env) -> None:
    result = fieldbridge(env | {"FIELDBRIDGE_WORKER_THREADS": "0"}, "connectors", "list")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "The setting FIELDBRIDGE_WORKER_THREADS is not valid: Input should be greater than or equal to 1.",
        "Fix: Correct or unset FIELDBRIDGE_WORKER_THREADS.",
    ]


def test_a_missing_master_key_is_not_replaced_by_a_new_one(applied: Env) -> None:
    data = Path(str(applied["FIELDBRIDGE_DATA_DIR"]))
    result = fieldbridge(applied | {"FIELDBRIDGE_MASTER_KEY": None}, "connectors", "test", "acme")
    assert result.exit_code == 1
    assert first_error(result) == (
        f"There is no master key: {data / 'master.key'} does not exist and neither FIELDBRIDGE_MASTER_KEY "
        "nor FIELDBRIDGE_MASTER_KEY_FILE is set. Give the key the stored secrets were saved with."
    )
    assert not (data / "master.key").exists()


def test_a_where_condition_on_a_field_autotask_lacks_is_refused_before_any_query(applied: Env) -> None:
    result = fieldbridge(applied, "backfill", "--connector", "acme", "--where", "stauts=23")
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "--where: Ticket has no field 'stauts'; the nearest is 'status'.",
        "Fix: Name the fields as Autotask does (`fieldbridge connectors catalog acme --entity Tickets` lists "
        "them).",
    ]


def test_version(env: Env) -> None:
    result = fieldbridge(env, "--version")
    assert (result.exit_code, result.stdout) == (0, f"fieldbridge {__version__}\n")


def test_serve_on_a_port_in_use_says_so_in_two_lines(env: Env) -> None:
    """The real `fieldbridge` program, so nothing between it and the terminal adds a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        variables = {k: v for k, v in (os.environ | env).items() if v is not None}
        done = subprocess.run(
            [FIELDBRIDGE, "serve", "--port", str(port)],
            env=variables,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.splitlines()[-2:] == [
        f"Port {port} on 127.0.0.1 is in use by another process.",
        "Fix: Stop that process, or give another port with --port (or FIELDBRIDGE_PORT; 0 picks a free one).",
    ]
    assert "Traceback" not in done.stderr
