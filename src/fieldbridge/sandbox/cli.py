"""`fieldbridge sim autotask|fieldnation`: run an emulator on loopback.

Each command prints one JSON line first (where to connect and with which credentials), then serves until
interrupted. Emulator modules are imported inside the commands so `fieldbridge --help` stays fast.
"""

from __future__ import annotations

import json

import typer

sim_app = typer.Typer(no_args_is_help=True, help="Run the Autotask or Field Nation emulator on loopback.")

HOST = typer.Option("127.0.0.1", help="Loopback address to listen on.")
PORT = typer.Option(0, help="Port to listen on (0 picks a free one).")
SEED = typer.Option(0, help="Seed of the generated records: the same seed makes the same tenant.")


@sim_app.command("autotask")
def autotask(
    host: str = HOST,
    port: int = PORT,
    print_users: bool = typer.Option(
        False, "--print-users", help="Print every seeded user as JSON and exit."
    ),
    webhook_speed: float = typer.Option(1.0, help="Run webhook retry delays this many times faster."),
    seed_tickets: int | None = typer.Option(
        None, min=1, help="Tickets the tenant holds: the default seed's and generated ones."
    ),
    seed_companies: int | None = typer.Option(
        None, min=1, help="Companies the tenant holds, with their sites and people."
    ),
    seed: int = SEED,
) -> None:
    """Emulate Autotask PSA REST v1.0: zone discovery, entities, security levels, limits, webhooks."""
    from fieldbridge.sandbox.autotask.app import create_app
    from fieldbridge.sandbox.autotask.scale import TenantSize
    from fieldbridge.sandbox.autotask.seed import seeded_users
    from fieldbridge.sandbox.server import serve_forever

    if print_users:
        typer.echo(json.dumps(seeded_users(), indent=2))
        return
    try:
        app = create_app(webhook_speed=webhook_speed, size=TenantSize(seed_tickets, seed_companies, seed))
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    serve_forever(
        app, host, port, announce=app.state.emulator.announce, on_url=app.state.emulator.set_base_url
    )


@sim_app.command("fieldnation")
def fieldnation(
    host: str = HOST,
    port: int = PORT,
    token_ttl: float = typer.Option(3600.0, help="Seconds an access token lives."),
    webhook_speed: float = typer.Option(1.0, help="Run webhook retry delays this many times faster."),
    max_upload_bytes: int = typer.Option(25 * 1024 * 1024, help="Largest attachment upload accepted."),
    seed_workorders: int | None = typer.Option(
        None, min=1, help="Work orders the company holds: the default seed's and generated ones."
    ),
    seed: int = SEED,
) -> None:
    """Emulate Field Nation REST v2 and webhooks v3: tokens, work orders, time, expenses, files, events."""
    from fieldbridge.sandbox.fieldnation.app import create_app
    from fieldbridge.sandbox.fieldnation.scale import CompanySize
    from fieldbridge.sandbox.server import serve_forever

    try:
        app = create_app(
            token_ttl=token_ttl,
            webhook_speed=webhook_speed,
            max_upload_bytes=max_upload_bytes,
            size=CompanySize(seed_workorders, seed),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    emulator = app.state.emulator
    serve_forever(app, host, port, announce=emulator.announce, on_url=emulator.set_base_url)
