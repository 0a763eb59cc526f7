"""`fieldbridge connectors ...`: what the admin API does to a connector, from the command line.

Secrets never come as flags (they would show in the process list and shell history): a secret is set as an
environment reference, `--set 'autotask_secret={env: ACME_AUTOTASK_SECRET}'`. Modules load inside the
commands so that `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from fieldbridge.settings import Settings
from fieldbridge.setup.cli import (
    by,
    connection_failure,
    print_steps,
    problems_error,
    refusal,
    show_prepared,
    unknown_connector,
)
from fieldbridge.terminal import CliError, console, json_text

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fieldbridge.store.connectors import ConnectorConfig
    from fieldbridge.store.database import Database
    from fieldbridge.store.secrets import SecretBox
    from fieldbridge.store.tables import Connector

connectors_app = typer.Typer(
    no_args_is_help=True, help="Connectors: one Autotask tenant paired with one Field Nation company."
)

Name = Annotated[str, typer.Argument(help="The connector.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@connectors_app.command("add")
def add_connector(
    source: Annotated[
        Path, typer.Option("--from", exists=True, dir_okay=False, help="YAML or JSON settings.")
    ],
) -> None:
    """Create a connector from a file of the admin API's connector fields; it is saved only once its
    connection test passes. (`fieldbridge apply` sets up a whole connector from one file.)"""
    from pydantic import ValidationError

    from fieldbridge.checks import runner
    from fieldbridge.checks.cli import print_report
    from fieldbridge.checks.context import load
    from fieldbridge.setup import connection_check, rules
    from fieldbridge.store import connectors
    from fieldbridge.store.database import open_store
    from fieldbridge.sync.clients import shared_limits

    try:
        new = connectors.NewConnector.model_validate(_load(source))
    except ValidationError as invalid:
        raise CliError(_problems(source, invalid)) from None
    settings = Settings()
    db, box = open_store(settings)
    with db.transaction() as session:
        if connectors.get(session, new.name) is not None:
            raise CliError(
                f"A connector named {new.name!r} exists already.",
                f"change it with `fieldbridge connectors update {new.name}` or `fieldbridge apply`.",
            )
    options = new.model_dump(include=set(connectors.ConnectorOptions.model_fields))
    secrets = {field: getattr(new, field) for field in connectors.SECRET_FIELDS}
    unsaved = connectors.assemble_config(0, new.name, options, secrets, settings.default_integration_code)
    typer.echo("Connection test:")
    steps = connection_check.check(unsaved, shared_limits(unsaved, settings.sync, db))
    print_steps(steps)
    if not rules.connection_passed(steps):
        raise connection_failure(steps)
    with db.transaction() as session:
        connectors.create(session, box, new, datetime.now(UTC))
    typer.echo(f"Connector {new.name} created.")
    # The full check (permissions, mappings, webhooks) says what else needs doing, as the admin API does
    # when credentials are saved.
    print_report(runner.check_connector(load(db, box, settings, new.name)))
    typer.echo(f"Next: fieldbridge webhooks provision --connector {new.name} (it issues the trigger URL)")


@connectors_app.command("list")
def list_connectors(as_json: AsJson = False) -> None:
    """Every connector, with which of its secrets are set."""
    from fieldbridge.store import connectors

    db, _ = _store()
    with db.transaction() as session:
        views = [connectors.view(row) for row in connectors.list_all(session)]
    if as_json:
        typer.echo(json_text([view.model_dump(mode="json") for view in views]))
        return
    table = Table("name", "service object", "Autotask user", "outbound create", "secrets set")
    for view in views:
        secrets = ", ".join(name for name, present in view.secrets_set.items() if present) or "none"
        table.add_row(
            view.name, view.service_object, view.autotask_username, str(view.outbound_create), secrets
        )
    console().print(table)


@connectors_app.command("show")
def show_connector(name: Name, as_json: AsJson = False) -> None:
    """One connector's settings (secrets only as set / not set)."""
    from fieldbridge.store import connectors

    db, _ = _store()
    with db.transaction() as session:
        view = connectors.view(connector_named(session, name))
    data = view.model_dump(mode="json")
    typer.echo(json_text(data) if as_json else yaml.safe_dump(data, sort_keys=False).rstrip())


@connectors_app.command("update")
def update_connector(
    name: Name,
    changes: Annotated[
        list[str],
        typer.Option(
            "--set",
            help="FIELD=VALUE, the value in YAML (true, 21, [a@x.com]); a secret as FIELD={env: VARIABLE}. "
            "Repeat for several.",
        ),
    ],
) -> None:
    """Change some of a connector's settings; the rest stay. Changed credentials are tested first (and
    Refresh Fields runs); the mappings are judged again; nothing is saved when either fails."""
    from fieldbridge.setup import document
    from fieldbridge.setup.apply import changed, commit, current, prepare
    from fieldbridge.setup.document import DocumentError

    settings = Settings()
    db, box = _store(settings)
    state, catalog = current(db, box, name)
    if state is None:
        raise unknown_connector(name)
    values, sources, problems = document.resolve(_assignments(changes), os.environ)
    try:
        if problems:
            raise DocumentError(problems)
        desired = changed(state, name, values, sources)
    except DocumentError as invalid:
        raise problems_error("--set", invalid.problems) from None
    prepared = prepare(settings, db, desired, state, catalog)
    if prepared.plan.empty:
        typer.echo(f"{name}: no changes.")
        return
    show_prepared(prepared)
    if not prepared.ok:
        raise refusal(prepared)
    commit(db, box, desired, prepared, by(), datetime.now(UTC))
    typer.echo(f"{name}: updated.")


@connectors_app.command("disable")
def disable_connector(name: Name) -> None:
    """Stop syncing a connector, keeping everything: its events are still received and kept, but each is
    skipped with the reason (replayable), and the reconciler passes it by."""
    _switch(name, enabled=False)
    typer.echo(
        f"Connector {name} disabled: its events are kept and skipped; "
        f"`fieldbridge connectors enable {name}` turns it back on."
    )


@connectors_app.command("enable")
def enable_connector(name: Name) -> None:
    """Sync a disabled connector again (replay the events it skipped meanwhile with `events replay`)."""
    _switch(name, enabled=True)
    typer.echo(f"Connector {name} enabled.")


def _switch(name: str, *, enabled: bool) -> None:
    from fieldbridge.store import connectors

    db, box = _store()
    with db.transaction() as session:
        row = connector_named(session, name)
        connectors.update(session, box, row, connectors.ConnectorChanges(enabled=enabled), datetime.now(UTC))


@connectors_app.command("delete")
def delete_connector(
    name: Name,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete a connector with its events, history, links, mappings and tokens. Its webhooks in Autotask
    and Field Nation are left: they then post to a URL that refuses them, so delete them there."""
    db, _ = _store()
    if not yes:
        typer.confirm(
            f"Delete connector {name} with its events, history, links, mappings and tokens?", abort=True
        )
    with db.transaction() as session:
        session.delete(connector_named(session, name))
    typer.echo(f"Connector {name} deleted. Delete its webhooks in Autotask and Field Nation too.")


@connectors_app.command("test")
def connection_test(name: Name, as_json: AsJson = False) -> None:
    """Run the connection test with the saved credentials; exits 1 when a step fails."""
    from fieldbridge.setup import connection_check, rules
    from fieldbridge.sync.clients import shared_limits

    settings = Settings()
    db, box = _store(settings)
    config = connector_config(name, settings, db, box)
    steps = connection_check.check(config, shared_limits(config, settings.sync, db))
    if as_json:
        typer.echo(json_text([step.model_dump(mode="json") for step in steps]))
    else:
        print_steps(steps)
    if not rules.connection_passed(steps):
        raise typer.Exit(1)


@connectors_app.command("refresh-fields")
def refresh_fields(name: Name, as_json: AsJson = False) -> None:
    """Read fields, UDFs and picklists (Autotask) and custom fields, expense categories and statuses
    (Field Nation) into the catalog mapping validation uses; exits 1 when something could not be read."""
    from fieldbridge.setup.refresh_fields import refresh
    from fieldbridge.sync.clients import shared_limits

    settings = Settings()
    db, box = _store(settings)
    config = connector_config(name, settings, db, box)
    limits = shared_limits(config, settings.sync, db)
    done = refresh(db, config, limits, datetime.now(UTC))
    if as_json:
        typer.echo(json_text(done.model_dump(mode="json")))
    else:
        for system, found in (("Autotask", done.autotask), ("Field Nation", done.fieldnation)):
            typer.echo(f"{system}: " + ", ".join(f"{what} {count}" for what, count in found.items()))
        for problem in done.problems:
            typer.echo(f"  not read: {problem.name}: {problem.detail}. Fix: {problem.fix}")
    if done.problems:
        raise typer.Exit(1)


@connectors_app.command("catalog")
def show_catalog(
    name: Name,
    entity: Annotated[
        str, typer.Option(help="An Autotask entity (Tickets, TimeEntries, ...): its fields.")
    ] = "",
    field: Annotated[
        str, typer.Option(help="A field whose picklist to list (of --entity, else the service object's).")
    ] = "",
    as_json: AsJson = False,
) -> None:
    """What Refresh Fields found: the entities, an entity's fields, or a field's picklist (its ids, which
    differ per instance, are what mappings and sync options take)."""
    from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
    from fieldbridge.store import field_catalog

    db, _ = _store()
    with db.transaction() as session:
        row = connector_named(session, name)
        found = field_catalog.catalog(session, row.id)
        service_object = row.service_object
    if found is None:
        raise CliError(
            f"Refresh Fields has not run for {name} yet.",
            f"run `fieldbridge connectors refresh-fields {name}`.",
        )
    autotask = found["autotask"]
    if not entity and not field:
        shown: Any = {"autotask": {e: len(f.get("fields", [])) for e, f in autotask.items()}}
        shown["fieldnation"] = [f["name"] for f in found["fieldnation"]["fields"]]
        typer.echo(json_text(shown) if as_json else _entities_text(shown))
        return
    entity = entity or SERVICE_OBJECTS[service_object].endpoint
    fields = _fields(autotask, entity, name)
    if not field:
        typer.echo(json_text(fields) if as_json else _fields_text(fields))
        return
    chosen = next((f for f in fields if str(f.get("name", "")).lower() == field.lower()), None)
    if chosen is None:
        raise CliError(
            f"{entity} has no field named {field!r}.",
            f"see `fieldbridge connectors catalog {name} --entity {entity}`.",
        )
    values = chosen.get("picklistValues") or []
    typer.echo(json_text(values) if as_json else _picklist_text(values) or f"{field} has no picklist.")


@connectors_app.command("history")
def connector_history(
    name: Name,
    record: Annotated[
        str, typer.Option(help="SYSTEM/ENTITY/ID (autotask/Ticket/42): that pair's history, both sides.")
    ] = "",
    as_json: AsJson = False,
) -> None:
    """The connector's own history (failed reconciler passes, their alerts), or one pair's; newest first."""
    from fieldbridge.store import history, links
    from fieldbridge.store.views import HistoryOut

    db, _ = _store()
    with db.transaction() as session:
        row = connector_named(session, name)
        if record:
            system, entity, record_id = _record(record)
            keys = links.pair_keys(session, row.id, system, entity, record_id)
        else:
            keys = [history.CONNECTOR]
        lines = [HistoryOut.model_validate(line) for line in history.for_pair(session, row.id, keys)]
    if as_json:
        typer.echo(json_text([line.model_dump(mode="json") for line in lines]))
        return
    for line in lines:
        console().print(f"{line.at:%Y-%m-%d %H:%M:%S} {line.level:<7} {escape(line.message)}")
        if line.fix:
            console().print(f"{'':<27} Fix: {escape(line.fix)}")


@connectors_app.command("rotate-token")
def rotate_token(name: Name) -> None:
    """Issue a new trigger URL; the old one stops working at once (update the Autotask webhook with
    `fieldbridge webhooks provision --connector NAME`, which then carries the new one)."""
    from fieldbridge.store import client_tokens

    settings = Settings()
    db, _ = _store(settings)
    with db.transaction() as session:
        token = client_tokens.rotate(session, connector_named(session, name), datetime.now(UTC))
    typer.echo("New trigger URL (shown this once; the previous one no longer works):")
    typer.echo(client_tokens.trigger_url(settings.public_base_url, token))


def connector_named(session: Session, name: str) -> Connector:
    from fieldbridge.store import connectors

    row = connectors.get(session, name)
    if row is None:
        raise unknown_connector(name)
    return row


def _store(settings: Settings | None = None) -> tuple[Database, SecretBox]:
    from fieldbridge.store.database import open_store

    return open_store(settings or Settings(), create=False)


def connector_config(
    name: str, settings: Settings | None = None, db: Database | None = None, box: SecretBox | None = None
) -> ConnectorConfig:
    from fieldbridge.store import connectors

    settings = settings or Settings()
    if db is None or box is None:
        db, box = _store(settings)
    with db.transaction() as session:
        return connectors.config(connector_named(session, name), box, settings.default_integration_code)


def _assignments(changes: list[str]) -> dict[str, Any]:
    parsed: dict[str, Any] = {}
    for change in changes:
        field, sep, value = change.partition("=")
        if not sep or not field.strip():
            raise CliError(f"--set {change!r} is not FIELD=VALUE.", "write e.g. --set outbound_create=true.")
        try:
            parsed[field.strip()] = yaml.safe_load(value) if value.strip() else ""
        except yaml.YAMLError:
            raise CliError(
                f"The value of --set {field.strip()} is not valid YAML.", "quote it, or correct it."
            ) from None
    return parsed


def _record(text: str) -> tuple[str, str, int]:
    system, entity, record_id = [*text.split("/"), "", "", ""][:3]
    if system not in ("autotask", "fieldnation") or not entity or not record_id.isdigit():
        raise CliError(
            f"--record {text!r} is not SYSTEM/ENTITY/ID.", "write e.g. --record autotask/Ticket/42."
        )
    return system, entity, int(record_id)


def _fields(autotask: dict[str, Any], entity: str, name: str) -> list[dict[str, Any]]:
    found = next((f for e, f in autotask.items() if e.lower() == entity.lower()), None)
    if found is None:
        raise CliError(
            f"The catalog of {name} has no Autotask entity {entity!r}.",
            f"see `fieldbridge connectors catalog {name}` for the entities.",
        )
    return [*found.get("fields", []), *found.get("userDefinedFields", [])]


def _entities_text(shown: dict[str, Any]) -> str:
    lines = [f"Autotask {entity}: {count} field(s)" for entity, count in shown["autotask"].items()]
    return "\n".join([*lines, f"Field Nation: {', '.join(shown['fieldnation'])}"])


def _fields_text(fields: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{f.get('name')}  {f.get('dataType', f.get('type', ''))}"
        + (f"  ({len(f['picklistValues'])} picklist values)" if f.get("picklistValues") else "")
        for f in fields
    )


def _picklist_text(values: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"{v.get('value')}  {v.get('label')}" + ("" if v.get("isActive", True) else "  (inactive)")
        for v in values
    )


def _load(source: Path) -> Any:
    text = source.read_text()
    try:
        return json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        kind = "JSON" if source.suffix == ".json" else "YAML"
        raise CliError(
            f"{source} is not valid {kind}: {str(error).splitlines()[0]}", f"correct the {kind} there."
        ) from None


def _problems(source: Path, invalid: Any) -> str:
    # Without the values: a misspelt key would otherwise print the secret it holds.
    lines = [f"{source} has settings the connector does not accept:"]
    lines += [
        f"  {'.'.join(map(str, error['loc']))}: {error['msg']}"
        for error in invalid.errors(include_input=False)
    ]
    return "\n".join(lines)
