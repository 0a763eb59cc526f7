"""`fieldbridge apply -f FILE` and `fieldbridge export NAME`: a whole connector as one YAML file.

Modules load inside the commands so that `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import getpass
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fieldbridge.settings import Settings
from fieldbridge.terminal import CliError

if TYPE_CHECKING:
    from fieldbridge.mapping import Problem
    from fieldbridge.setup.apply import Prepared
    from fieldbridge.setup.connection_check import Step
    from fieldbridge.setup.document import Desired
    from fieldbridge.store.database import Database
    from fieldbridge.store.secrets import SecretBox


def apply(
    file: Annotated[Path, typer.Option("-f", "--file", help="The connector document (YAML).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change and check it; change nothing.")
    ] = False,
) -> None:
    """Make a connector what FILE says: settings, secrets (from the environment), sync options, mappings.

    Runs the connection test when credentials change and Refresh Fields when they do (or no catalog exists
    yet), validates the mappings against the catalog, then saves everything in one go, or nothing. Running
    it again changes nothing. Exits 1 when the connection test fails or the mappings have errors."""
    from fieldbridge.setup.apply import commit, current, prepare

    desired = read_document(file)
    settings = Settings()
    store = _store(settings, desired.name, dry_run)
    state, catalog = current(*store, desired.name) if store else (None, None)
    prepared = prepare(settings, store[0] if store else None, desired, state, catalog)
    if prepared.plan.empty:
        typer.echo(f"{desired.name}: no changes.")
        return
    show_prepared(prepared)
    if not prepared.ok:
        raise refusal(prepared)
    if dry_run:
        typer.echo("Dry run: nothing was changed.")
        return
    assert store is not None  # made unless a dry run
    commit(*store, desired, prepared, by(), datetime.now(UTC))
    typer.echo(f"{desired.name}: applied.")
    if prepared.plan.create:
        typer.echo(f"Next: fieldbridge webhooks provision --connector {desired.name}")


def export(
    name: Annotated[str, typer.Argument(help="The connector.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Write a connector as the YAML `fieldbridge apply` takes: secrets as environment references."""
    from fieldbridge.setup import document
    from fieldbridge.setup.apply import exported
    from fieldbridge.setup.document import EnvReference
    from fieldbridge.store.database import open_database

    found = exported(open_database(Settings(), create=False), name)
    if found is None:
        raise unknown_connector(name)
    secrets = [value.variable for value in found["connector"].values() if isinstance(value, EnvReference)]
    header = f"# fieldbridge export {name}: apply with `fieldbridge apply -f FILE`.\n"
    if secrets:
        header += f"# Its secrets come from the environment: {', '.join(secrets)}.\n"
    text = header + document.dump(found)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"Connector {name} written to {output.absolute()}.")


def _store(settings: Settings, name: str, dry_run: bool) -> tuple[Database, SecretBox] | None:
    """The store. A dry run makes nothing: no database, no master key; where the connector does not exist
    yet it needs neither, and plans its creation (None)."""
    from fieldbridge.store import connectors
    from fieldbridge.store.database import NoDatabase, open_database, open_store
    from fieldbridge.store.secrets import SecretBox, load_master_key

    if not dry_run:
        return open_store(settings)
    try:
        db = open_database(settings, create=False)
    except NoDatabase:
        return None
    with db.transaction() as session:
        if connectors.get(session, name) is None:
            return None
    return db, SecretBox(load_master_key(settings, generate=False))


def read_document(file: Path) -> Desired:
    from fieldbridge.setup.document import DocumentError, parse

    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise CliError(
            f"Cannot read {file.absolute()}: {error.strerror or error}.", "Check the path given with -f."
        ) from None
    try:
        return parse(text, os.environ)
    except DocumentError as invalid:
        raise problems_error(file, invalid.problems) from None


def problems_error(source: Path | str, problems: list[Problem]) -> CliError:
    """One problem as the usual two lines; several as a count, then a line each (place, problem, fix)."""
    if len(problems) == 1:
        only = problems[0]
        return CliError(f"{source}: {only.where}: {only.message}.", f"{only.fix}.")
    listed = "\n".join(f"  {p.where}: {p.message}; fix: {p.fix}" for p in problems)
    return CliError(f"{source} has {len(problems)} problems; nothing was changed:\n{listed}")


def by() -> str:
    """Who saved a mapping set from the command line, as its history says."""
    return f"cli:{getpass.getuser()}"


def unknown_connector(name: str) -> CliError:
    return CliError(
        f"There is no connector named {name!r}.", "See `fieldbridge connectors list` for the names."
    )


def print_steps(steps: list[Step]) -> None:
    """The connection test, a line per step, with the guide's likely cause and fix for a failed one."""
    for step in steps:
        typer.echo(f"  {step.status:<7} {step.name}: {step.detail}")
        if step.cause:
            typer.echo(f"          likely cause: {step.cause}. Fix: {step.fix}")


def connection_failure(steps: list[Step]) -> CliError:
    failed = next(step for step in steps if step.status == "fail")
    return CliError(
        f"The connection test failed at {failed.name}: {failed.cause or failed.detail}; nothing was saved.",
        f"{failed.fix}, then run the command again." if failed.fix else "See the steps above.",
    )


def show_prepared(prepared: Prepared) -> None:
    for line in prepared.plan.lines:
        typer.echo(line)
    if prepared.connection_test is not None:
        typer.echo("connection test:")
        print_steps(prepared.connection_test)
    if prepared.fetched is not None:
        found = prepared.fetched.outcome
        counts = [f"{entity} {n}" for entity, n in {**found.autotask, **found.fieldnation}.items()]
        typer.echo(f"Refresh Fields: {', '.join(counts)}")
        for problem in found.problems:
            typer.echo(f"  not read: {problem.name}: {problem.detail}. Fix: {problem.fix}")
    if prepared.validation is not None:
        for issue in prepared.validation.problems:
            typer.echo(f"  mappings {issue.severity}: {issue.where}: {issue.message}. Fix: {issue.fix}")


def refusal(prepared: Prepared) -> CliError:
    if prepared.connection_test is not None and prepared.validation is None:
        return connection_failure(prepared.connection_test)
    assert prepared.validation is not None
    errors = sum(p.severity == "error" for p in prepared.validation.problems)
    return CliError(
        f"The mapping set has {errors} error(s) (listed above); nothing was saved.",
        "Correct the mappings in the file, then run the command again.",
    )
