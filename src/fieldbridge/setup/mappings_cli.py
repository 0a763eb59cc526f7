"""`fieldbridge mappings pull|push|diff|versions|preview-live`: a saved connector's mapping sets, as the admin
API keeps them (a new version per save, refused while it has errors, judged against the field catalog), and
a preview of them on a real record fetched now."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from fieldbridge.settings import Settings
from fieldbridge.setup.cli import by, problems_error
from fieldbridge.setup.connectors_cli import AsJson, Name, connector_named
from fieldbridge.terminal import CliError, json_text

if TYPE_CHECKING:
    from fieldbridge.mapping import MappingSet
    from fieldbridge.store.database import Database

File = Annotated[Path, typer.Argument(help="A mapping set, YAML or JSON (by extension).")]


def pull(
    name: Name,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write to this file (JSON if it ends .json).")
    ] = None,
    version: Annotated[int, typer.Option(help="An earlier version (0: the one in force).")] = 0,
    as_json: AsJson = False,
) -> None:
    """The mapping set in force (or an earlier version), as `mappings push` and `apply` take it."""
    from fieldbridge.mapping import MappingSet, default_set, dump
    from fieldbridge.store import mapping_sets

    db = _database()
    with db.transaction() as session:
        saved = mapping_sets.versions(session, connector_named(session, name).id)
    chosen = next((row for row in saved if version in (0, row.version)), None)
    if version and chosen is None:
        known = ", ".join(str(row.version) for row in saved) or "none"
        raise CliError(f"{name} has no mapping set version {version} (saved: {known}).")
    mappings = default_set() if chosen is None else MappingSet.model_validate(chosen.body)
    json_out = as_json or (output is not None and output.suffix.lower() == ".json")
    text = dump(mappings, "json" if json_out else "yaml")
    if chosen is None and not json_out:
        text = "# No mapping set is saved: the setup guide's defaults, in force.\n" + text
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    typer.echo(f"Mapping set of {name} written to {output.absolute()}.")


def push(name: Name, file: File) -> None:
    """Save FILE as the connector's next mapping set version, after validating it against the field
    catalog, the service object and Outbound Create; with an error nothing is saved (exit 1)."""
    from fieldbridge.mapping.config import to_data
    from fieldbridge.setup import rules
    from fieldbridge.setup.plan import mapping_diff
    from fieldbridge.store import mapping_sets

    mappings = _read(file)
    db = _database()
    with db.transaction() as session:
        row = connector_named(session, name)
        in_force = rules.mappings_in_force(session, row.id)
        checked = rules.judged(session, row, mappings)
        for issue in checked.problems:
            typer.echo(f"  {issue.severity}: {issue.where}: {issue.message}. Fix: {issue.fix}")
        if not checked.ok:
            raise CliError(
                f"The mapping set has errors (listed above); {name}'s mappings were not changed.",
                f"correct {file}, then push it again.",
            )
        if not mapping_diff(in_force, mappings, "", ""):
            typer.echo(f"{name}: no changes.")
            return
        saved = mapping_sets.save(session, row.id, to_data(mappings), by(), datetime.now(UTC))
    unchecked = "" if checked.catalog_used else " (not checked against the fields: run refresh-fields)"
    typer.echo(f"{name}: mapping set version {saved.version} saved{unchecked}.")


def diff(name: Name, file: File) -> None:
    """How FILE differs from the mapping set in force; exits 1 when it does (0: the same)."""
    from fieldbridge.setup import rules
    from fieldbridge.setup.plan import mapping_diff

    mappings = _read(file)
    db = _database()
    with db.transaction() as session:
        in_force = rules.mappings_in_force(session, connector_named(session, name).id)
    lines = mapping_diff(in_force, mappings, f"{name} (in force)", str(file))
    for line in lines:
        typer.echo(line)
    if lines:
        raise typer.Exit(1)


def versions(name: Name, as_json: AsJson = False) -> None:
    """Every saved version, newest first: when and by whom."""
    from fieldbridge.store import mapping_sets

    db = _database()
    with db.transaction() as session:
        rows = mapping_sets.versions(session, connector_named(session, name).id)
        listed = [
            {"version": row.version, "created_at": row.created_at, "created_by": row.created_by}
            for row in rows
        ]
    if as_json:
        typer.echo(json_text(listed))
        return
    if not listed:
        typer.echo(f"{name} has no saved mapping set: the setup guide's defaults are in force.")
    for entry in listed:
        typer.echo(f"{entry['version']:>4}  {entry['created_at']:%Y-%m-%d %H:%M:%S}  {entry['created_by']}")


def preview_live(
    name: Name,
    ticket: Annotated[
        str | None, typer.Option(help="A ticket's id or number (T20261201.0001): the inbound mappings.")
    ] = None,
    work_order: Annotated[int | None, typer.Option(help="A work order's id: the outbound mappings.")] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="A mapping set to try instead of the one in force.")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Run the connector's mappings over a real record fetched now: a ticket with the account, location and
    contact the inbound mappings read, or a work order with its expenses, as the outbound mappings read it.
    Shows the document a sync would write from, and where each value came from; writes nothing."""
    import json

    from fieldbridge.mapping import MappingError, MappingSet, compile_mappings, default_set
    from fieldbridge.mapping.cli import print_preview
    from fieldbridge.setup import live_records
    from fieldbridge.setup.connectors_cli import connector_config
    from fieldbridge.store import mapping_sets
    from fieldbridge.sync.clients import shared_limits

    if (ticket is None) == (work_order is None):
        raise CliError(
            "Say which record to preview.", "give --ticket ID-OR-NUMBER or --work-order ID, one of them."
        )
    db = _database()
    config = connector_config(name, db=db)
    if file is not None:
        mappings = _read(file)
    else:
        with db.transaction() as session:
            saved = mapping_sets.latest(session, config.id)
        mappings = default_set() if saved is None else MappingSet.model_validate(saved.body)
    try:
        record = (
            live_records.ticket(config, shared_limits(config, Settings().sync, db), ticket)
            if ticket is not None
            else live_records.work_order(config, work_order or 0)
        )
    except live_records.RecordUnavailable as unavailable:
        raise CliError(unavailable.problem, unavailable.fix) from None
    try:
        engine = compile_mappings(mappings, "inbound" if ticket is not None else "outbound")
    except MappingError as error:
        raise problems_error(file or Path(name), [error.problem]) from None
    result = engine.preview(record)
    if as_json:
        typer.echo(json.dumps(result.to_data(), indent=2, ensure_ascii=False, default=str))
    else:
        print_preview(result)
    raise typer.Exit(0 if result.ok else 1)


def _read(file: Path) -> MappingSet:
    from fieldbridge.mapping import ConfigError, load_file

    try:
        return load_file(file)
    except OSError as error:
        raise CliError(
            f"Cannot read {file.absolute()}: {error.strerror or error}.", "check the path."
        ) from None
    except ConfigError as error:
        raise problems_error(file, error.problems) from None


def _database() -> Database:
    from fieldbridge.store.database import open_database

    return open_database(Settings(), create=False)
