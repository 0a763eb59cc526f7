"""The broker app served over real HTTP on loopback, with helpers to reach into its store, and admin API
clients signed in by session cookie or by API token."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from fieldbridge.sandbox.server import running
from fieldbridge.settings import Settings
from fieldbridge.store import admins, client_tokens, connectors, inbox
from fieldbridge.store.database import Database
from fieldbridge.store.tables import InboxEvent
from fieldbridge.tls import client_context
from fieldbridge.web.app import create_app
from fieldbridge.web.deps import Broker

ADMIN_PASSWORD = "correct horse battery staple"


@dataclass
class Served:
    url: str
    http: httpx.Client
    broker: Broker

    def add_connector(self, name: str | None = None, **settings: object) -> tuple[str, str]:
        """Create a connector in the store (a fresh name unless given); returns its name and client token."""
        name = name or f"c-{uuid.uuid4().hex[:10]}"
        fields: dict[str, object] = {
            "name": name,
            "autotask_username": "svc@acme.example",
            "autotask_secret": "x" * 16,
        }
        fields.update(settings)
        with self.broker.db.transaction() as session:
            connector = connectors.create(
                session, self.broker.box, connectors.NewConnector.model_validate(fields), datetime.now(UTC)
            )
            return name, client_tokens.rotate(session, connector, datetime.now(UTC))

    def rotate_token(self, name: str) -> str:
        with self.broker.db.transaction() as session:
            connector = connectors.get(session, name)
            assert connector is not None
            return client_tokens.rotate(session, connector, datetime.now(UTC))

    def add_admin(self, username: str | None = None) -> str:
        username = username or f"admin-{uuid.uuid4().hex[:8]}"
        with self.broker.db.transaction() as session:
            admins.create_user(session, username, ADMIN_PASSWORD, datetime.now(UTC))
        return username

    def event(self, event_id: int) -> InboxEvent:
        with self.broker.db.transaction() as session:
            event = inbox.get(session, event_id)
            assert event is not None
            return event

    def events(self, connector_name: str) -> list[InboxEvent]:
        with self.broker.db.transaction() as session:
            connector = connectors.get(session, connector_name)
            assert connector is not None
            return inbox.page(session, connector_id=connector.id, limit=500)


def signed_in(served: Served) -> httpx.Client:
    """A client signed in with a session cookie. The cookie is `Secure` (the public URL is https), so a
    client would not send it over this loopback http: the test sends it by hand."""
    username = served.add_admin()
    response = served.http.post("/v1/admin/session", json={"username": username, "password": ADMIN_PASSWORD})
    assert response.status_code == 200, response.text
    cookie = response.cookies["fieldbridge_session"]
    return httpx.Client(
        base_url=served.url,
        timeout=30,
        headers={"Cookie": f"fieldbridge_session={cookie}"},
        verify=client_context(),
    )


def with_api_token(db: Database, url: str) -> httpx.Client:
    """A client on the admin API at `url` that carries the API token of a new admin of the store `db`."""
    with db.transaction() as session:
        user = admins.create_user(session, f"admin-{uuid.uuid4().hex[:8]}", ADMIN_PASSWORD, datetime.now(UTC))
        _, token = admins.issue_api_token(session, user, "tests", datetime.now(UTC))
    return httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30, verify=client_context()
    )


@contextmanager
def serve(settings: Settings, *, consume: bool = False) -> Iterator[Served]:
    app = create_app(settings, consume=consume)
    with (
        running(app) as server,
        httpx.Client(base_url=server.url, timeout=30, verify=client_context()) as http,
    ):
        yield Served(server.url, http, app.state.broker)
