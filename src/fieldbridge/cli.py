"""The `fieldbridge` command: each group lives beside the code it drives.

Every expected failure (a bad flag value, a setting, a database or queue that does not answer, a file that
cannot be read) ends the command with one or two lines on stderr, the cause and the fix, and a non-zero
exit; a traceback only with `--debug`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import typer
from typer._click import exceptions as click  # typer carries its own click
from typer.core import TyperGroup

from fieldbridge import __version__
from fieldbridge.checks.cli import check, reference, webhooks_app
from fieldbridge.demo.command import demo
from fieldbridge.jobs.cli import events_app, import_ticket, resync, worker
from fieldbridge.mapping.cli import mappings_app
from fieldbridge.sandbox.cli import sim_app
from fieldbridge.setup import mappings_cli
from fieldbridge.setup.cli import apply, export
from fieldbridge.setup.connectors_cli import connectors_app
from fieldbridge.setup.options_cli import sync_options_app
from fieldbridge.store.cli import admin_app
from fieldbridge.sync.cli import backfill, reconcile
from fieldbridge.terminal import CliError
from fieldbridge.web.cli import serve

DEBUG_ENV = "FIELDBRIDGE_DEBUG"


class Commands(TyperGroup):
    """The root group: turns what went wrong into its cause and fix (see the module's docstring)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        arguments = list(sys.argv[1:] if args is None else args)
        try:
            code = super().main(arguments, prog_name, complete_var, False, windows_expand_args, **extra)
        except click.NoArgsIsHelpError as shown:
            if shown.format_message():  # the help, unless Rich has printed it already
                shown.show()
            code = shown.exit_code
        except click.ClickException as error:
            code = _report(_usage(error).lines(), error.exit_code)
        except typer.Abort:
            code = _report(["Stopped: nothing more was done."], 1)
        except Exception as error:
            if "--debug" in arguments or os.environ.get(DEBUG_ENV):
                raise
            explained = explain(error)
            code = _report(explained.lines(), explained.code)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _report(lines: list[str], code: int) -> int:
    for line in lines:
        typer.echo(line, err=True)
    return code


def _usage(error: click.ClickException) -> CliError:
    """A bad flag, value or command: the problem, and where the right ones are listed."""
    context = error.ctx if isinstance(error, click.UsageError) else None
    names: list[str] = []
    while context is not None and context.parent is not None:  # the root's own name varies with how it ran
        names.insert(0, context.info_name or "")
        context = context.parent
    where = " ".join(["fieldbridge", *names, "--help"])
    return CliError(f"Error: {error.format_message()}", f"see `{where}` for what it takes.")


def explain(error: Exception) -> CliError:
    """The cause and fix of a failure the commands expect; anything else says where to look."""
    if isinstance(error, CliError):
        return error
    for known in _KNOWN:
        found = known(error)
        if found is not None:
            return found
    said = str(error).splitlines()
    return CliError(
        f"Unexpected error: {type(error).__name__}" + (f": {said[0]}" if said else "."),
        "run the command again with --debug for the traceback, and report it.",
    )


def _store_errors(error: Exception) -> CliError | None:
    store = sys.modules.get("fieldbridge.store.database")
    secrets = sys.modules.get("fieldbridge.store.secrets")
    if store is not None and isinstance(error, store.NoDatabase):
        return CliError(
            f"There is no FieldBridge database at {error.where}.",
            "run the command where the data directory is, or set FIELDBRIDGE_DATA_DIR (or "
            "FIELDBRIDGE_DATABASE_URL); `fieldbridge apply` and `fieldbridge admin create-user` make a new "
            "one.",
        )
    if secrets is not None and isinstance(error, secrets.MasterKeyError | secrets.SecretUnreadable):
        return CliError(f"{_capital(str(error))}.", "see docs/broker.md, the master key.")
    return None


def _service_errors(error: Exception) -> CliError | None:
    """The database or the queue does not answer."""
    sqlalchemy = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy is not None and isinstance(error, sqlalchemy.OperationalError):
        return CliError(
            f"The database at {_setting('database_url')} does not answer: {str(error.orig).splitlines()[0]}",
            "check FIELDBRIDGE_DATABASE_URL and that the database server runs and lets this host in.",
        )
    redis = sys.modules.get("redis.exceptions")
    if redis is not None and isinstance(error, redis.ConnectionError):
        return CliError(
            f"The queue at {_setting('queue_url')} does not answer: {str(error).splitlines()[0]}",
            "check FIELDBRIDGE_QUEUE_URL and that Redis runs and lets this host in.",
        )
    return None


def _settings_errors(error: Exception) -> CliError | None:
    """A FIELDBRIDGE_* variable (or the settings file) holds a value the setting does not take."""
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(error, pydantic.ValidationError) and error.title == "Settings":
        first = error.errors(include_input=False)[0]
        name = "FIELDBRIDGE_" + "__".join(str(part) for part in first["loc"]).upper()
        return CliError(f"The setting {name} is not valid: {first['msg']}.", f"correct or unset {name}.")
    if isinstance(error, FileNotFoundError) and "FIELDBRIDGE_CONFIG_FILE" in str(error):
        return CliError(f"{_capital(str(error))}.", "point FIELDBRIDGE_CONFIG_FILE at the settings file.")
    return None


def _connector_errors(error: Exception) -> CliError | None:
    context = sys.modules.get("fieldbridge.checks.context")
    if context is not None and isinstance(error, context.UnknownConnector):
        return CliError(str(error), "see `fieldbridge connectors list` for the names.")
    return None


_KNOWN = (_store_errors, _service_errors, _settings_errors, _connector_errors)


def _setting(name: str) -> str:
    from sqlalchemy import make_url

    from fieldbridge.settings import Settings

    return make_url(getattr(Settings(), name)).render_as_string(hide_password=True)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fieldbridge {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=Commands,
    no_args_is_help=True,
    add_completion=False,
    help="Keep Autotask PSA and Field Nation in sync.",
)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", envvar=DEBUG_ENV, help="Show the traceback of an unexpected failure."
    ),
) -> None:
    """Keep Autotask PSA and Field Nation in sync."""


app.add_typer(sim_app, name="sim")
app.command("demo")(demo)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("import")(import_ticket)
app.command("resync")(resync)
app.command("backfill")(backfill)
app.command("reconcile")(reconcile)
app.command("apply")(apply)
app.command("export")(export)
app.add_typer(admin_app, name="admin")
app.add_typer(connectors_app, name="connectors")
app.add_typer(events_app, name="events")
mappings_app.command("pull")(mappings_cli.pull)
mappings_app.command("push")(mappings_cli.push)
mappings_app.command("diff")(mappings_cli.diff)
mappings_app.command("versions")(mappings_cli.versions)
mappings_app.command("preview-live")(mappings_cli.preview_live)
app.add_typer(mappings_app, name="mappings")
app.add_typer(sync_options_app, name="sync-options")
app.command("check")(check)
app.add_typer(webhooks_app, name="webhooks")
app.command("reference")(reference)


if __name__ == "__main__":
    app()
