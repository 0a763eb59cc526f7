"""Bearer tokens (trigger URL client tokens, API tokens, session cookies) as selector + verifier.

A token reads `<selector>.<verifier>`. The selector is public and finds the row; only the SHA-256 of the
verifier is stored, and it is compared in constant time. So the database never holds a usable token, and
neither a lookup nor a compare tells a caller how close a guess came. Every check, even of a token that
is missing or malformed, does the same hash and compare, so the answer time does not say which it was.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from fieldbridge.store.tables import AdminSession, ApiToken, ClientToken

_UNKNOWN = hashlib.sha256(b"no such token").hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    selector: str
    verifier_hash: str
    plaintext: str
    """Shown to the user once; never stored."""


@dataclass(frozen=True)
class PresentedToken:
    selector: str
    verifier: str


def issue(prefix: str) -> IssuedToken:
    selector = f"{prefix}_{secrets.token_hex(8)}"
    verifier = secrets.token_urlsafe(32)
    return IssuedToken(selector, hash_verifier(verifier), f"{selector}.{verifier}")


def parse(token: str | None) -> PresentedToken:
    """Split a presented token; anything malformed becomes one that matches nothing."""
    selector, _, verifier = (token or "").partition(".")
    return PresentedToken(selector, verifier)


def hash_verifier(verifier: str) -> str:
    return hashlib.sha256(verifier.encode("utf-8")).hexdigest()


def verifier_matches(stored_hash: str | None, presented: PresentedToken) -> bool:
    computed = hash_verifier(presented.verifier)
    expected = stored_hash if stored_hash is not None else _UNKNOWN
    return hmac.compare_digest(expected, computed) and stored_hash is not None and presented.verifier != ""


Row = TypeVar("Row", ClientToken, AdminSession, ApiToken)


def lookup(session: Session, table: type[Row], token: str | None, *where: ColumnElement[bool]) -> Row | None:
    """The row `token` belongs to (narrowed by `where`), or None; the same work whichever way it fails."""
    presented = parse(token)
    row = session.scalars(select(table).where(table.selector == presented.selector, *where)).one_or_none()
    return row if verifier_matches(row.verifier_hash if row else None, presented) else None
