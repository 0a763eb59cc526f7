"""Admin users, sessions and API tokens: hashes only, expiry and revocation honoured."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from fieldbridge.store import admins
from fieldbridge.store.database import Database
from tests.integration.broker.store_helpers import NOW

PASSWORD = "correct horse battery"


def test_passwords_are_argon2_hashes_and_checked(db: Database) -> None:
    with db.transaction() as session:
        admins.create_user(session, "alice", PASSWORD, NOW)
        assert admins.authenticate(session, "alice", PASSWORD) is not None
        assert admins.authenticate(session, "alice", PASSWORD + "!") is None
        assert admins.authenticate(session, "mallory", PASSWORD) is None
        with pytest.raises(admins.UserExists):
            admins.create_user(session, "alice", PASSWORD, NOW)
        with pytest.raises(admins.WeakPassword, match="12 characters"):
            admins.create_user(session, "bob", "short", NOW)
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT password_hash FROM admin_users")).scalar_one()
    assert stored.startswith("$argon2id$")


def test_sessions_expire_and_end(db: Database) -> None:
    with db.transaction() as session:
        user = admins.create_user(session, "alice", PASSWORD, NOW)
        cookie = admins.start_session(session, user, NOW, timedelta(hours=1))
        assert admins.user_for_session(session, cookie, NOW + timedelta(minutes=59)) is user
        assert admins.user_for_session(session, cookie, NOW + timedelta(hours=1)) is None
        admins.end_session(session, cookie)
        assert admins.user_for_session(session, cookie, NOW) is None


def test_api_tokens_work_until_revoked(db: Database) -> None:
    with db.transaction() as session:
        user = admins.create_user(session, "alice", PASSWORD, NOW)
        row, token = admins.issue_api_token(session, user, "ci", NOW)
        assert admins.user_for_api_token(session, token, NOW) is user
        assert row.last_used_at == NOW
        assert admins.user_for_api_token(session, token + "x", NOW) is None
        assert admins.revoke_api_token(session, user, row.id, NOW)
        assert admins.user_for_api_token(session, token, NOW) is None
        assert not admins.revoke_api_token(session, user, row.id, NOW)
    with db.engine.connect() as connection:
        stored = " ".join(
            connection.execute(text("SELECT selector || verifier_hash FROM api_tokens")).scalars()
        )
    assert token.partition(".")[2] not in stored
