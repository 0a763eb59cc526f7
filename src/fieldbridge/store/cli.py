"""`fieldbridge admin create-user`."""

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


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
