"""Everything the demo runs against, started in this process on loopback: both emulators and the broker
on the embedded default (SQLite database and huey queue in a temporary data directory), with an admin user
whose password is made for this run."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

from fieldbridge.fieldnation import Credentials, FieldNationClient
from fieldbridge.sandbox.autotask.app import create_app as autotask_app
from fieldbridge.sandbox.fieldnation.app import create_app as fieldnation_app
from fieldbridge.sandbox.server import running
from fieldbridge.settings import Settings, SmtpSettings
from fieldbridge.store import admins
from fieldbridge.store.database import open_database
from fieldbridge.tls import client_context
from fieldbridge.web.app import create_app as broker_app

ADMIN = "admin"
TIMEOUT = 15.0


@dataclass(frozen=True)
class Stack:
    broker_url: str
    autotask_url: str
    fieldnation_url: str
    autotask_credentials: dict[str, str]
    fieldnation_credentials: dict[str, Any]
    admin_password: str
    settings: Settings
    admin: httpx.Client
    """Signed in to the broker's admin API."""
    autotask_sim: httpx.Client
    """The Autotask emulator's `/_sim/` controls: act in the UI, read records without counting a call."""
    fieldnation_sim: httpx.Client

    def fieldnation_client(self) -> FieldNationClient:
        """The API user's client: for a buyer's own act (a new work order) and for reading what the broker
        made (Field Nation has no uncounted read)."""
        creds = self.fieldnation_credentials
        return FieldNationClient(
            creds["url"],
            Credentials(creds["client_id"], creds["client_secret"], creds["username"], creds["password"]),
        )

    def calls(self) -> tuple[int, int]:
        """API calls each emulator has answered so far (Autotask, Field Nation); `/_sim/` is not counted."""
        at = self.autotask_sim.get("/_sim/calls").raise_for_status().json()["total"]
        fn = self.fieldnation_sim.get("/_sim/calls").raise_for_status().json()["total"]
        return int(at), int(fn)

    def records(self, entity: str, **match: Any) -> list[dict[str, Any]]:
        """Autotask records as the emulator holds them (no API call), those matching `match`."""
        items = self.autotask_sim.get(f"/_sim/records/{entity}").raise_for_status().json()["items"]
        return [r for r in items if all(r.get(k) == v for k, v in match.items())]


def demo_settings(data_dir: Path) -> Settings:
    """The embedded default, pinned: a FIELDBRIDGE_* variable meant for a real deployment (its database,
    its Redis queue, its SMTP server) must not reach the demo."""
    return Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'fieldbridge.db'}",
        queue_url=f"sqlite:///{data_dir / 'queue.db'}",
        master_key=SecretStr(Fernet.generate_key().decode()),  # the data dies with the run: no key file
        smtp=SmtpSettings(),
        handler_modules=["fieldbridge.sync.handlers"],
    )


def _create_admin(settings: Settings) -> str:
    password = secrets.token_urlsafe(18)
    db = open_database(settings)
    try:
        with db.transaction() as session:
            admins.create_user(session, ADMIN, password, datetime.now(UTC))
    finally:
        db.dispose()
    return password


@contextmanager
def started() -> Iterator[Stack]:
    with ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fieldbridge-demo-")))
        settings = demo_settings(data_dir)
        password = _create_admin(settings)
        at, fn = autotask_app(), fieldnation_app()
        at_server = stack.enter_context(running(at))
        fn_server = stack.enter_context(running(fn))
        at.state.emulator.set_base_url(at_server.url)
        fn.state.emulator.set_base_url(fn_server.url)
        broker = stack.enter_context(running(broker_app(settings, consume=True)))
        # Trigger URLs are built from the public base URL, known only now that the port is bound; the app
        # holds this same settings object, and nothing has built a URL yet.
        settings.public_base_url = broker.url
        clients = [
            stack.enter_context(httpx.Client(base_url=url, timeout=TIMEOUT, verify=client_context()))
            for url in (broker.url, at_server.url, fn_server.url)
        ]
        clients[0].post(
            "/v1/admin/session", json={"username": ADMIN, "password": password}
        ).raise_for_status()
        yield Stack(
            broker_url=broker.url,
            autotask_url=at_server.url,
            fieldnation_url=fn_server.url,
            autotask_credentials=at.state.emulator.announce(at_server.url),
            fieldnation_credentials=fn.state.emulator.announce(fn_server.url),
            admin_password=password,
            settings=settings,
            admin=clients[0],
            autotask_sim=clients[1],
            fieldnation_sim=clients[2],
        )
