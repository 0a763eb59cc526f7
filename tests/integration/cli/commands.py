"""The `fieldbridge` commands run in this process (typer's CliRunner) with an environment of the test's own,
and what the tests read back: the first error line, the store the commands wrote."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner, Result

from fieldbridge.cli import app
from fieldbridge.settings import Settings
from fieldbridge.store.database import Database, open_database

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "connector.yaml"
Env = dict[str, str | None]


def fieldbridge(env: Env, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env, input=stdin)


def first_error(result: Result) -> str:
    """The first line the command wrote to stderr."""
    return result.stderr.splitlines()[0] if result.stderr else ""


def database(env: Env) -> Database:
    return open_database(Settings(data_dir=Path(str(env["FIELDBRIDGE_DATA_DIR"]))), create=False)
