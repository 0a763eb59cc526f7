"""An admin's API tokens from the command line: issued once (shown then only), listed without the token,
revoked so that the admin API refuses it at once."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fieldbridge.store import admins
from tests.integration.cli.commands import Env, database, fieldbridge, first_error


def test_a_token_issued_works_until_revoked_and_is_never_listed(env: Env) -> None:
    password = "a long enough password\n"
    made = fieldbridge(env, "admin", "create-user", "alice", "--password-stdin", stdin=password)
    assert made.exit_code == 0, made.output
    issued = fieldbridge(env, "admin", "issue-token", "alice", "nightly export")
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.splitlines()[-1]
    db = database(env)
    with db.transaction() as session:
        user = admins.user_for_api_token(session, token, datetime.now(UTC))
        assert user is not None
        assert user.username == "alice"
    listed = fieldbridge(env, "admin", "tokens", "alice", "--json")
    [row] = json.loads(listed.stdout)
    assert row["name"] == "nightly export"
    assert row["revoked_at"] is None
    assert token not in listed.stdout
    revoked = fieldbridge(env, "admin", "revoke-token", "alice", str(row["id"]))
    assert revoked.stdout == f"API token {row['id']} of alice revoked.\n"
    with db.transaction() as session:
        assert admins.user_for_api_token(session, token, datetime.now(UTC)) is None
    again = fieldbridge(env, "admin", "revoke-token", "alice", str(row["id"]))
    assert again.exit_code == 1
    assert first_error(again).startswith(f"alice has no API token {row['id']} in use")
    nobody = fieldbridge(env, "admin", "tokens", "bob")
    assert first_error(nobody) == "There is no admin named 'bob' (`fieldbridge admin create-user` makes one)."
