"""The Field Nation emulator object: state, tokens, sandbox plumbing and event publishing, in one place that
the routes and `/_sim/` share. `app.state.emulator` is one of these."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fieldbridge.sandbox.control import Sandbox
from fieldbridge.sandbox.fieldnation.auth import ApiCredentials, TokenStore
from fieldbridge.sandbox.fieldnation.events import RETRY_POLICY, Event, EventPublisher, attempt_headers
from fieldbridge.sandbox.fieldnation.render import Views
from fieldbridge.sandbox.fieldnation.scale import CompanySize, grow
from fieldbridge.sandbox.fieldnation.seed import (
    API_USER_ID,
    API_USERNAME,
    SEEDED_WORK_ORDERS,
    build_catalog,
    populate,
)
from fieldbridge.sandbox.fieldnation.state import State, WorkOrder


class FieldNationEmulator:
    state: State

    def __init__(
        self, token_ttl: float, webhook_speed: float, max_upload_bytes: int, size: CompanySize | None = None
    ) -> None:
        self.base_url = ""
        self.size = size or CompanySize()
        self.max_upload_bytes = max_upload_bytes
        self.sandbox = Sandbox(reseed=self.reseed, webhook_policy=RETRY_POLICY, headers_for=attempt_headers)
        self.sandbox.clock.speed = webhook_speed
        self.events = EventPublisher(self.sandbox.webhooks)
        self.credentials = ApiCredentials.generate(API_USERNAME, API_USER_ID)
        self.tokens = TokenStore(self.credentials, token_ttl)
        self._token_ttl = token_ttl
        self.reseed()

    def reseed(self, size: CompanySize | None = None) -> None:
        """Back to the starting point: seeded data (the size the emulator started with, or `size` until the
        next reset), no webhooks, the token lifetime `create_app` was given. Tokens already issued stay
        valid, so connected clients carry on. A size below the default seed's is refused (ValueError) before
        anything changes."""
        wanted = size or self.size
        if wanted.work_orders is not None and wanted.work_orders < SEEDED_WORK_ORDERS:
            raise ValueError(
                f"work orders must be at least {SEEDED_WORK_ORDERS}, what the default seed holds"
            )
        self.tokens.ttl = self._token_ttl
        self.state = State(build_catalog())
        populate(self)
        grow(self, wanted)
        self.events.fired.clear()  # seeding replays app actions; their events are not news to anyone

    def announce(self, url: str) -> dict[str, Any]:
        c = self.credentials
        return {
            "url": url,
            "client_id": c.client_id,
            "client_secret": c.client_secret,
            "username": c.username,
            "password": c.password,
            "company_id": self.state.catalog.company.id,
        }

    def set_base_url(self, url: str) -> None:
        self.base_url = url.rstrip("/")

    def now(self) -> datetime:
        return self.sandbox.clock.now()

    def views(self) -> Views:
        return Views(self.state, self.base_url, self.max_upload_bytes)

    def publish(self, name: str, wo: WorkOrder, actor: int, previous_status_id: int | None = None) -> None:
        """Fire `name` for `wo` as it is now; subscribed active webhooks get it signed and in order."""
        previous = wo.status_id if previous_status_id is None else previous_status_id
        event = Event(name, wo.id, wo.status_id, previous, actor, self.now())
        self.events.publish(event, lambda: self.views().work_order(wo), list(self.state.webhooks.values()))
