"""The sign-in throttle's counting, on SQLite and PostgreSQL, with the clock given: failures inside the window
add up, older ones are forgotten, a lockout ends at its time or when an admin lifts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from fieldbridge.settings import SignInSettings
from fieldbridge.store import sign_in_throttle as throttle
from fieldbridge.store.database import Database
from fieldbridge.store.sign_in_throttle import Lockout
from fieldbridge.store.tables import SignInThrottle

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIMITS = SignInSettings(user_failures=3, address_failures=5, window_seconds=600, lockout_seconds=900)


def fail(
    db: Database, at: datetime, username: str = "alice", address: str | None = "192.0.2.1"
) -> Lockout | None:
    with db.transaction() as session:
        return throttle.record_failure(session, username, address, at, LIMITS)


def locked(
    db: Database, at: datetime, username: str = "alice", address: str | None = "192.0.2.1"
) -> Lockout | None:
    with db.transaction() as session:
        return throttle.lockout(session, username, address, at)


def test_failures_inside_the_window_lock_the_name_until_the_lockout_ends(db: Database) -> None:
    assert fail(db, T0) is None
    assert fail(db, T0 + timedelta(minutes=4)) is None
    third = T0 + timedelta(minutes=9)
    assert fail(db, third) == Lockout("username", third + timedelta(minutes=15))
    assert locked(db, third + timedelta(minutes=14, seconds=59)) == Lockout(
        "username", third + timedelta(minutes=15)
    )
    assert locked(db, third + timedelta(minutes=15)) is None


def test_failures_older_than_the_window_are_forgotten(db: Database) -> None:
    fail(db, T0)
    fail(db, T0 + timedelta(minutes=5))
    assert fail(db, T0 + timedelta(minutes=10)) is None  # the window from the first failure is over
    assert locked(db, T0 + timedelta(minutes=10)) is None


def test_an_address_trying_many_names_is_locked_and_the_later_lockout_is_reported(db: Database) -> None:
    for number in range(4):
        assert fail(db, T0, username=f"name-{number}") is None
    fifth = fail(db, T0 + timedelta(seconds=1), username="name-4")
    assert fifth == Lockout("address", T0 + timedelta(seconds=1, minutes=15))
    assert locked(db, T0 + timedelta(minutes=1), username="someone-else") == fifth
    assert locked(db, T0 + timedelta(minutes=1), username="someone-else", address="192.0.2.2") is None


def test_a_success_forgets_the_names_failures_but_not_the_addresss(db: Database) -> None:
    fail(db, T0)
    fail(db, T0)
    with db.transaction() as session:
        throttle.record_success(session, "alice")
    assert fail(db, T0) is None  # the name's count started again
    with db.transaction() as session:
        counts = {row.subject: row.failures for row in session.scalars(select(SignInThrottle))}
    assert counts == {throttle.username_subject("alice"): 1, throttle.address_subject("192.0.2.1"): 3}


def test_names_are_stored_as_digests_and_stale_rows_are_dropped(db: Database) -> None:
    fail(db, T0, username="correct horse battery staple", address=None)  # a password typed as the name
    fail(db, T0 + timedelta(hours=1), username="bob", address=None)
    with db.transaction() as session:
        subjects = list(session.scalars(select(SignInThrottle.subject)))
    assert subjects == [throttle.username_subject("bob")]
    assert all("bob" not in subject for subject in subjects)


def test_unlock_lifts_a_lockout_and_says_whether_there_was_one(db: Database) -> None:
    for _ in range(3):
        fail(db, T0)
    with db.transaction() as session:
        assert throttle.unlock(session, throttle.username_subject("alice"), T0) is True
        assert throttle.unlock(session, throttle.username_subject("alice"), T0) is False
        # The address counted 3 failures but is not locked: unlocking it forgets them, and says so.
        assert throttle.unlock(session, throttle.address_subject("192.0.2.1"), T0) is False
    assert locked(db, T0) is None
    assert fail(db, T0) is None
