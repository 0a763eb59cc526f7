"""`fieldbridge admin create-user`, `unlock`, and an admin's API tokens (`tokens`, `issue-token`,
`revoke-token`), as the admin API's /tokens routes give them to the admin signed in."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn

import typer

from fieldbridge.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fieldbridge.store.database import Database
    from fieldbridge.store.tables import AdminUser

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


@admin_app.command("tokens")
def list_tokens(
    username: str = typer.Argument(..., help="The admin whose API tokens to list."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """An admin's API tokens (never the tokens themselves: they are shown once, when issued)."""
    import json

    from fieldbridge.store import admins

    with _database().transaction() as session:
        rows = [
            {
                "id": row.id,
                "name": row.name,
                "created_at": row.created_at.isoformat(),
                "last_used_at": row.last_used_at.isoformat() if row.last_used_at else None,
                "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None,
            }
            for row in admins.api_tokens(session, _admin(session, username))
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = (
            f"revoked {row['revoked_at']}"
            if row["revoked_at"]
            else f"last used {row['last_used_at'] or 'never'}"
        )
        typer.echo(f"{row['id']:>4}  {row['name']}  (created {row['created_at']}, {state})")


@admin_app.command("issue-token")
def issue_token(
    username: str = typer.Argument(..., help="The admin the token acts as."),
    name: str = typer.Argument(..., help="What the token is for, e.g. the script that uses it."),
) -> None:
    """Issue an API token for the admin API (sent as `Authorization: Bearer ...`); shown once, here."""
    from fieldbridge.store import admins

    with _database().transaction() as session:
        row, token = admins.issue_api_token(session, _admin(session, username), name, datetime.now(UTC))
        token_id = row.id
    typer.echo(f"API token {token_id} ({name}) for {username}; shown this once, keep it as a secret:")
    typer.echo(token)


@admin_app.command("revoke-token")
def revoke_token(
    username: str = typer.Argument(..., help="The admin whose token it is."),
    token_id: int = typer.Argument(..., help="The token's id (`fieldbridge admin tokens USER`)."),
) -> None:
    """Revoke an API token: it stops working at once."""
    from fieldbridge.store import admins

    with _database().transaction() as session:
        revoked = admins.revoke_api_token(session, _admin(session, username), token_id, datetime.now(UTC))
    if not revoked:
        _fail(
            f"{username} has no API token {token_id} in use (`fieldbridge admin tokens {username}` lists"
            " them)."
        )
    typer.echo(f"API token {token_id} of {username} revoked.")


def _admin(session: Session, username: str) -> AdminUser:
    from fieldbridge.store import admins

    user = admins.named(session, username)
    if user is None:
        _fail(f"There is no admin named {username!r} (`fieldbridge admin create-user` makes one).")
    return user


def _database() -> Database:
    from fieldbridge.store.database import open_database

    return open_database(Settings(), create=False)


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(1)
