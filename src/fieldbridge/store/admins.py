"""Local admin users (argon2 password hashes), their login sessions and their API tokens."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from fieldbridge.settings import SignInSettings
from fieldbridge.store import sign_in_throttle, tokens
from fieldbridge.store.sign_in_throttle import Lockout
from fieldbridge.store.tables import AdminSession, AdminUser, ApiToken

MIN_PASSWORD_LENGTH = 12
SESSION_PREFIX = "fbs"
API_TOKEN_PREFIX = "fba"  # noqa: S105 (a public prefix, not a secret)

_hasher = PasswordHasher()


@functools.cache
def _unknown_user_hash() -> str:
    return _hasher.hash("no such user")


class UserExists(Exception):
    pass


class WeakPassword(Exception):
    pass


def create_user(session: Session, username: str, password: str, now: datetime) -> AdminUser:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalars(select(AdminUser).where(AdminUser.username == username)).one_or_none():
        raise UserExists(f"an admin user named {username!r} exists already")
    user = AdminUser(username=username, password_hash=_hasher.hash(password), created_at=now)
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> AdminUser | None:
    user = session.scalars(select(AdminUser).where(AdminUser.username == username)).one_or_none()
    # An unknown name costs the same argon2 verify as a wrong password, so timing does not reveal names.
    stored = user.password_hash if user else _unknown_user_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in(
    session: Session, username: str, password: str, address: str | None, now: datetime, limits: SignInSettings
) -> AdminUser | Lockout | None:
    """The admin; or the lockout that stops this attempt (checked first: a locked name or address gets no
    password check), or that this failure starts; or None for a wrong name or password."""
    locked = sign_in_throttle.lockout(session, username, address, now)
    if locked is not None:
        return locked
    user = authenticate(session, username, password)
    if user is None:
        return sign_in_throttle.record_failure(session, username, address, now, limits)
    sign_in_throttle.record_success(session, username)
    return user


def start_session(session: Session, user: AdminUser, now: datetime, lifetime: timedelta) -> str:
    issued = tokens.issue(SESSION_PREFIX)
    session.add(
        AdminSession(
            user_id=user.id,
            selector=issued.selector,
            verifier_hash=issued.verifier_hash,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    session.flush()
    return issued.plaintext


def user_for_session(session: Session, cookie: str | None, now: datetime) -> AdminUser | None:
    row = tokens.lookup(session, AdminSession, cookie, AdminSession.expires_at > now)
    return None if row is None else session.get(AdminUser, row.user_id)


def end_session(session: Session, cookie: str | None) -> None:
    session.execute(delete(AdminSession).where(AdminSession.selector == tokens.parse(cookie).selector))


def issue_api_token(session: Session, user: AdminUser, name: str, now: datetime) -> tuple[ApiToken, str]:
    """A new token for `user`; the plaintext is returned once and never stored."""
    issued = tokens.issue(API_TOKEN_PREFIX)
    row = ApiToken(
        user_id=user.id,
        name=name,
        selector=issued.selector,
        verifier_hash=issued.verifier_hash,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row, issued.plaintext


def user_for_api_token(session: Session, token: str | None, now: datetime) -> AdminUser | None:
    row = tokens.lookup(session, ApiToken, token, ApiToken.revoked_at.is_(None))
    if row is None:
        return None
    row.last_used_at = now
    return session.get(AdminUser, row.user_id)


def named(session: Session, username: str) -> AdminUser | None:
    return session.scalars(select(AdminUser).where(AdminUser.username == username)).one_or_none()


def api_tokens(session: Session, user: AdminUser) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_api_token(session: Session, user: AdminUser, token_id: int, now: datetime) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True
