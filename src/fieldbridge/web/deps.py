"""What endpoints depend on: the broker's running parts, and the admin making the request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from fieldbridge.autotask import SharedLimits
from fieldbridge.jobs.intake import GroupedIntake
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.settings import Settings
from fieldbridge.store import admins
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.doors import DoorCache
from fieldbridge.store.secrets import SecretBox
from fieldbridge.store.tables import AdminUser
from fieldbridge.sync.clients import shared_limits
from fieldbridge.web.metrics import Metrics

SESSION_COOKIE = "fieldbridge_session"


@dataclass(frozen=True)
class Broker:
    settings: Settings
    db: Database
    box: SecretBox
    queue: EventQueue
    metrics: Metrics
    intake: GroupedIntake
    """How the doors store events (the admin API's import stores one at a time, `jobs.intake.submit`)."""
    doors: DoorCache = field(default_factory=DoorCache)

    def autotask_limits(self, config: ConnectorConfig) -> SharedLimits:
        """Autotask's limits of the connector's API user, counted with the workers' requests."""
        return shared_limits(config, self.settings.sync, self.db)


def utcnow() -> datetime:
    return datetime.now(UTC)


def broker_of(request: Request) -> Broker:
    broker: Broker = request.app.state.broker
    return broker


async def get_broker(request: Request) -> Broker:
    """async: FastAPI runs a plain `def` dependency on the thread pool, a hop for nothing here."""
    return broker_of(request)


BrokerDep = Annotated[Broker, Depends(get_broker)]


def current_admin(request: Request, broker: BrokerDep) -> AdminUser:
    """The admin behind an API token (`Authorization: Bearer ...`) or a session cookie; else 401."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    with broker.db.transaction() as session:
        if scheme.lower() == "bearer":
            user = admins.user_for_api_token(session, token.strip(), utcnow())
        else:
            user = admins.user_for_session(session, request.cookies.get(SESSION_COOKIE), utcnow())
    if user is None:
        raise HTTPException(
            401,
            "Sign in first (POST /v1/admin/session) or send an API token as 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


AdminDep = Annotated[AdminUser, Depends(current_admin)]
