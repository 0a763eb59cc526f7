"""`fieldbridge admin create-user` and `fieldbridge admin unlock`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import NoReturn

import typer

from fieldbridge.settings import Settings

admin_app = typer.Typer(no_args_is_help=True, help="Local admin users of the admin API.")


@admin_app.command("create-user")
def create_user(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Add an admin user (asks for the password twice unless --password-stdin)."""
    from fieldbridge.store import admins
    from fieldbridge.store.database import open_database

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    db = open_database(Settings())
    try:
        with db.transaction() as session:
            admins.create_user(session, username, password, datetime.now(UTC))
    except (admins.UserExists, admins.WeakPassword) as refusal:
        _fail(str(refusal))
    typer.echo(f"Admin user {username} created.")


@admin_app.command("unlock")
def unlock(
    username: str | None = typer.Argument(None, help="The username whose sign-in lockout to lift."),
    address: str | None = typer.Option(None, "--address", help="A client address whose lockout to lift."),
) -> None:
    """Lift a sign-in lockout, and forget the failed attempts, of a username or a client address."""
    from fieldbridge.store import sign_in_throttle
    from fieldbridge.store.database import open_database

    targets = [(f"username {username}", sign_in_throttle.username_subject(username))] if username else []
    if address:
        targets.append((f"address {address}", sign_in_throttle.address_subject(address)))
    if not targets:
        _fail("Name the username to unlock, or give --address.")
    db = open_database(Settings())
    with db.transaction() as session:
        for what, subject in targets:
            lifted = sign_in_throttle.unlock(session, subject, datetime.now(UTC))
            typer.echo(f"Sign-in lockout of {what} lifted." if lifted else f"The {what} was not locked out.")


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
