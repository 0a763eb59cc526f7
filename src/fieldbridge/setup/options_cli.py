"""`fieldbridge sync-options show|set`: a connector's sync options (trigger conditions, the time entry
resource and role, markers, note settings, the reconciler's interval), as the admin API reads and saves
them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from fieldbridge.settings import Settings
from fieldbridge.setup.cli import problems_error
from fieldbridge.setup.connectors_cli import AsJson, Name, connector_named
from fieldbridge.terminal import CliError, json_text

sync_options_app = typer.Typer(
    no_args_is_help=True,
    help="A connector's sync options: trigger conditions, time entry resource and role, notes, reconciler.",
)


@sync_options_app.command("show")
def show(name: Name, as_json: AsJson = False) -> None:
    """The options in force (the defaults until some are saved)."""
    from fieldbridge.store.database import open_database
    from fieldbridge.sync import options

    db = open_database(Settings(), create=False)
    with db.transaction() as session:
        chosen = options.load(session, connector_named(session, name).id).model_dump(mode="json")
    typer.echo(json_text(chosen) if as_json else yaml.safe_dump(chosen, sort_keys=False).rstrip())


@sync_options_app.command("set")
def set_options(
    name: Name,
    changes: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="KEY=VALUE, the key dotted (triggers.status_becomes), the value in YAML ([24], 29682886). "
            "Repeat for several.",
        ),
    ] = None,
    source: Annotated[
        Path | None, typer.Option("--from", help="A YAML file holding all the options: it replaces them.")
    ] = None,
) -> None:
    """Change some options (--set) or replace them all (--from); the next event uses them."""
    from fieldbridge.mapping import Problem
    from fieldbridge.setup.document import checked
    from fieldbridge.setup.plan import flat_changes
    from fieldbridge.store.database import open_database
    from fieldbridge.sync import options
    from fieldbridge.sync.options import SyncOptions

    if bool(changes) == bool(source):
        raise CliError(
            "Give --set KEY=VALUE (one or more) or --from FILE.", "see `fieldbridge sync-options set --help`."
        )
    db = open_database(Settings(), create=False)
    with db.transaction() as session:
        row = connector_named(session, name)
        before = options.load(session, row.id).model_dump(mode="json")
        wanted = _file(source) if source else _assigned(before, changes or [])
        problems: list[Problem] = []
        chosen = checked(lambda: SyncOptions.model_validate(wanted), "sync_options", problems)
        if chosen is None:
            raise problems_error(source or "--set", problems)
        lines = flat_changes(before, chosen.model_dump(mode="json"))
        if not lines:
            typer.echo(f"{name}: no changes.")
            return
        options.save(session, row.id, chosen)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{name}: sync options saved.")


def _assigned(before: dict[str, Any], changes: list[str]) -> dict[str, Any]:
    """The options with each KEY=VALUE set; a key names a place in them (`triggers.queues`)."""
    after: dict[str, Any] = yaml.safe_load(yaml.safe_dump(before))  # a deep copy
    for change in changes:
        key, sep, value = change.partition("=")
        if not sep or not key.strip():
            raise CliError(
                f"--set {change!r} is not KEY=VALUE.", "write e.g. --set triggers.status_becomes=[24]."
            )
        *parents, last = key.strip().split(".")
        place = after
        for part in parents:
            place = place.setdefault(part, {})
            if not isinstance(place, dict):
                raise CliError(
                    f"--set {key}: {part} holds no options.", "see `fieldbridge sync-options show NAME`."
                )
        try:
            place[last] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise CliError(
                f"The value of --set {key} is not valid YAML.", "quote it, or correct it."
            ) from None
    return after


def _file(source: Path) -> Any:
    try:
        return yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    except OSError as error:
        raise CliError(
            f"Cannot read {source.absolute()}: {error.strerror or error}.", "check the path."
        ) from None
    except yaml.YAMLError as error:
        raise CliError(
            f"{source} is not valid YAML: {str(error).splitlines()[0]}", "correct the YAML there."
        ) from None
