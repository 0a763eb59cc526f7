"""`fieldbridge serve` (the broker's HTTP service; with the embedded queue it processes events too) and
`fieldbridge connectors add|list|show|rotate-token`.

`serve` prints one JSON object first, saying where it listens (useful with `--port 0`); logs go to stderr.
Modules are imported inside the commands so that `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
import yaml
from pydantic import ValidationError
from rich.table import Table

from fieldbridge.settings import Settings
from fieldbridge.terminal import console

connectors_app = typer.Typer(
    no_args_is_help=True, help="Connectors: one Autotask tenant paired with one Field Nation company."
)


def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on (0 picks a free one)."),
) -> None:
    """Receive events (trigger URL, Field Nation webhooks) and serve the admin API."""
    from fieldbridge.jobs.redaction import configure_logging
    from fieldbridge.sandbox.server import serve_forever
    from fieldbridge.web.app import create_app

    configure_logging()
    settings = Settings()
    app = create_app(settings, consume=settings.embedded_queue)
    mode = (
        "embedded: this process also processes events" if settings.embedded_queue else "shared: run workers"
    )
    serve_forever(app, host, port, announce=lambda url: {"url": url, "queue": mode}, on_url=lambda url: None)


@connectors_app.command("add")
def add_connector(
    source: Annotated[
        Path, typer.Option("--from", exists=True, dir_okay=False, help="YAML or JSON settings.")
    ],
) -> None:
    """Create a connector from a settings file, test its connection and print its trigger URL (once)."""
    from fieldbridge.checks import runner
    from fieldbridge.checks.cli import print_report
    from fieldbridge.checks.context import load
    from fieldbridge.store import client_tokens, connectors
    from fieldbridge.store.database import open_store
    from fieldbridge.setup.connection_check import AUTHENTICATION, check

    try:
        new = connectors.NewConnector.model_validate(_load(source))
    except ValidationError as invalid:
        _fail(_problems(source, invalid))
    settings = Settings()
    db, box = open_store(settings)
    now = datetime.now(UTC)
    try:
        with db.transaction() as session:
            connector = connectors.create(session, box, new, now)
            token = client_tokens.rotate(session, connector, now)
            config = connectors.config(connector, box, settings.default_integration_code)
    except connectors.ConnectorExists as exists:
        _fail(str(exists))
    typer.echo(f"Connector {new.name} created. Connection test:")
    steps = check(config)
    for step in steps:
        typer.echo(f"  {step.status:<7} {step.name}: {step.detail}")
        if step.cause:
            typer.echo(f"          likely cause: {step.cause}. Fix: {step.fix}")
    if any(s.name == AUTHENTICATION and s.status == "pass" for s in steps):
        # Signed in: the full check (permissions, mappings, webhooks) says what else needs doing, as the
        # admin API does when credentials are saved.
        print_report(runner.check_connector(load(db, box, settings, new.name)))
    typer.echo("Its trigger URL (shown this once; keep it secret):")
    typer.echo(client_tokens.trigger_url(settings.public_base_url, token))


@connectors_app.command("list")
def list_connectors() -> None:
    """Every connector, with which of its secrets are set."""
    from fieldbridge.store import connectors
    from fieldbridge.store.database import open_database

    db = open_database(Settings())
    with db.transaction() as session:
        views = [connectors.view(row) for row in connectors.list_all(session)]
    table = Table("name", "service object", "Autotask user", "outbound create", "secrets set")
    for view in views:
        secrets = ", ".join(name for name, present in view.secrets_set.items() if present) or "none"
        table.add_row(
            view.name, view.service_object, view.autotask_username, str(view.outbound_create), secrets
        )
    console().print(table)


@connectors_app.command("show")
def show_connector(name: str) -> None:
    """One connector's settings (secrets only as set / not set)."""
    from fieldbridge.store import connectors
    from fieldbridge.store.database import open_database

    db = open_database(Settings())
    with db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            _fail(f"There is no connector named {name!r}.")
        view = connectors.view(row)
    typer.echo(yaml.safe_dump(view.model_dump(mode="json"), sort_keys=False).rstrip())


@connectors_app.command("rotate-token")
def rotate_token(name: str) -> None:
    """Issue a new trigger URL; the old one stops working at once."""
    from fieldbridge.store import client_tokens, connectors
    from fieldbridge.store.database import open_database

    settings = Settings()
    db = open_database(settings)
    with db.transaction() as session:
        row = connectors.get(session, name)
        if row is None:
            _fail(f"There is no connector named {name!r}.")
        token = client_tokens.rotate(session, row, datetime.now(UTC))
    typer.echo("New trigger URL (shown this once; the previous one no longer works):")
    typer.echo(client_tokens.trigger_url(settings.public_base_url, token))


def _load(source: Path) -> Any:
    text = source.read_text()
    try:
        return json.loads(text) if source.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        _fail(f"{source} is not valid {'JSON' if source.suffix == '.json' else 'YAML'}: {error}")


def _problems(source: Path, invalid: ValidationError) -> str:
    # Without the values: a misspelt key would otherwise print the secret it holds.
    lines = [f"{source} has settings the connector does not accept:"]
    lines += [
        f"  {'.'.join(map(str, error['loc']))}: {error['msg']}"
        for error in invalid.errors(include_input=False)
    ]
    return "\n".join(lines)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
