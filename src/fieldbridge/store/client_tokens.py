"""Trigger URL client tokens: one live token per connector; rotating revokes the one before."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldbridge.paths import INBOUND_PATH
from fieldbridge.store import tokens
from fieldbridge.store.tables import ClientToken, Connector

PREFIX = "fbc"


def rotate(session: Session, connector: Connector, now: datetime) -> str:
    """Revoke the connector's token (if any) and issue a new one; the plaintext is returned once."""
    session.execute(
        update(ClientToken)
        .where(ClientToken.connector_id == connector.id, ClientToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    issued = tokens.issue(PREFIX)
    session.add(
        ClientToken(
            connector_id=connector.id,
            selector=issued.selector,
            verifier_hash=issued.verifier_hash,
            created_at=now,
        )
    )
    session.flush()
    return issued.plaintext


def connector_for(session: Session, token: str | None) -> Connector | None:
    row = tokens.lookup(session, ClientToken, token, ClientToken.revoked_at.is_(None))
    return None if row is None else session.get(Connector, row.connector_id)


def live(session: Session, connector: Connector) -> ClientToken | None:
    """The connector's working token (selector and verifier hash: the token itself is never stored)."""
    query = select(ClientToken).where(
        ClientToken.connector_id == connector.id, ClientToken.revoked_at.is_(None)
    )
    return session.scalars(query.order_by(ClientToken.id.desc()).limit(1)).first()


def trigger_url(public_base_url: str, token: str) -> str:
    return f"{public_base_url}{INBOUND_PATH}?client_token={quote(token, safe='')}"
