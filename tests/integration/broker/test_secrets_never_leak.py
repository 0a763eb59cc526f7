"""Secrets never leave: a real `fieldbridge serve` is driven through every door, a handler fails with the
Autotask secret in its error message, an alert email goes out; then the logs, every HTTP response, every
row of the database and every email are searched for each secret.

Tokens are shown exactly once by design (trigger URL on creation, API token on creation, the session
cookie on sign-in); they must appear nowhere else, and never in logs, rows or emails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text

from fieldbridge.autotask.webhooks import sign as autotask_sign
from fieldbridge.settings import Settings
from fieldbridge.store import admins
from fieldbridge.store.database import create_database_engine, open_database
from tests.integration.broker.deliveries import fieldnation_headers
from tests.integration.broker.processes import Fleet, fleet_in
from tests.support.smtp import Mailbox, free_port
from tests.support.waiting import wait_until

CONNECTOR_SECRETS = {
    "autotask_secret": "AT-secret-1f9b2c77",
    "autotask_integration_code": "AT-code-5d3e8a10",
    "autotask_webhook_secret": "AT-hook-6c2a9e44",
    "fieldnation_client_secret": "FN-client-3b7f0d21",
    "fieldnation_password": "FN-password-8e4c1a95",
    "fieldnation_webhook_secret": "FN-hook-2a6d5f38",
}
ADMIN_PASSWORD = "admin-password-7c1e4b9a"


@pytest.fixture
def fleet(tmp_path: Path, mailbox: Mailbox) -> Iterator[Fleet]:
    with fleet_in(
        tmp_path,
        public_base_url="http://bridge.example.test",
        smtp__host=mailbox.host,
        smtp__port=str(mailbox.port),
        retry__attempts="2",
        retry__base_delay_seconds="0.05",
        retry__max_delay_seconds="0.05",
        log_level="DEBUG",  # the most the processes ever log, uvicorn's access lines included
    ) as fleet:
        yield fleet


class Recorder:
    """Every response the test got, by what it was."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)
        self.responses: list[tuple[str, str]] = []

    def __call__(self, label: str, method: str, path: str, **kwargs: object) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)  # type: ignore[arg-type]
        self.responses.append((label, f"{response.status_code} {response.headers} {response.text}"))
        return response


def database_text(fleet: Fleet) -> str:
    engine = create_database_engine(f"sqlite:///{fleet.directory / 'data' / 'fieldbridge.db'}")
    try:
        with engine.connect() as connection:
            return " ".join(
                repr(connection.execute(text(f"SELECT * FROM {table}")).all())  # noqa: S608 (names from the schema)
                for table in inspect(engine).get_table_names()
            )
    finally:
        engine.dispose()


def test_no_secret_or_token_shows_anywhere_it_should_not(fleet: Fleet, mailbox: Mailbox) -> None:
    settings = Settings(data_dir=fleet.directory / "data", master_key=fleet.env["FIELDBRIDGE_MASTER_KEY"])
    db = open_database(settings)
    with db.transaction() as session:
        admins.create_user(session, "alice", ADMIN_PASSWORD, datetime.now(UTC))
    db.dispose()
    (fleet.directory / "plan.json").write_text(json.dumps({"fail": {"7": 99}, "leak": [7]}))
    call = Recorder(fleet.launch().url)

    signed_in = call(
        "sign-in", "POST", "/v1/admin/session", json={"username": "alice", "password": ADMIN_PASSWORD}
    )
    session_cookie = signed_in.cookies["fieldbridge_session"]
    auth = {"Cookie": f"fieldbridge_session={session_cookie}"}
    created = call(
        "create-connector",
        "POST",
        "/v1/admin/connectors",
        headers=auth,
        json={
            "name": "acme",
            "autotask_username": "svc@acme.example",
            "notification_emails": ["ops@acme.example"],
            # Saving runs the connection test: keep it on loopback (a closed port).
            "autotask_api_url": f"http://127.0.0.1:{free_port()}",
            "fieldnation_api_url": f"http://127.0.0.1:{free_port()}",
            **CONNECTOR_SECRETS,
        },
    )
    assert created.status_code == 201, created.text
    client_token = created.json()["trigger_url"].split("client_token=")[1]
    api_token = call("create-token", "POST", "/v1/admin/tokens", headers=auth, json={"name": "ci"}).json()[
        "token"
    ]
    bearer = {"Authorization": f"Bearer {api_token}"}

    # Through every door, good and bad.
    trigger = {"params": {"client_token": client_token}}
    failing = call("trigger", "POST", "/v1/broker/inbound", content=b'{"id": 7}', **trigger).json()[
        "event_id"
    ]
    hook = json.dumps({"EntityType": "Ticket", "Id": 8, "Guid": "g-1", "SequenceNumber": 1}).encode()
    signature = {"X-Hook-Signature": autotask_sign(CONNECTOR_SECRETS["autotask_webhook_secret"], hook)}
    call("webhook", "POST", "/v1/broker/inbound", content=hook, headers=signature, **trigger)
    call(
        "bad-signature",
        "POST",
        "/v1/broker/inbound",
        content=hook,
        headers={"X-Hook-Signature": "sha1=x"},
        **trigger,
    )
    call("bad-token", "POST", "/v1/broker/inbound", content=b"7", params={"client_token": client_token + "x"})
    fn_body = b'{"workorder": {"id": 5}}'
    fn_secret, fn_delivery = CONNECTOR_SECRETS["fieldnation_webhook_secret"], "0b7c9a1e-5f0a-4d8e-b0e4:1"
    fn_headers = fieldnation_headers(fn_secret, fn_body, fn_delivery)
    fn_url = "/v1/fieldnation/webhooks/acme"
    call("fieldnation", "POST", fn_url, content=fn_body, headers=fn_headers)
    stale = fieldnation_headers(fn_secret, fn_body, fn_delivery, datetime.now(UTC) - timedelta(hours=1))
    assert call("fieldnation-stale", "POST", fn_url, content=fn_body, headers=stale).status_code == 400
    misspelt = {"autotask_secrett": CONNECTOR_SECRETS["autotask_secret"]}
    call("422", "PATCH", "/v1/admin/connectors/acme", headers=bearer, json=misspelt)
    call("patch", "PATCH", "/v1/admin/connectors/acme", headers=bearer, json=CONNECTOR_SECRETS)
    call(
        "wrong-password",
        "POST",
        "/v1/admin/session",
        json={"username": "alice", "password": ADMIN_PASSWORD + "!"},
    )

    wait_until(lambda: mailbox.messages, timeout=20, what="the dead letter's alert email")
    for path in (
        "/v1/admin/events",
        f"/v1/admin/events/{failing}",
        "/v1/admin/dead-letters",
        "/v1/admin/connectors",
    ):
        call("read", "GET", path, headers=bearer)
    call("metrics", "GET", "/metrics")
    shown = call("read", "GET", f"/v1/admin/events/{failing}", headers=bearer).json()
    assert shown["status"] == "dead"
    assert "[redacted]" in shown["last_error"]  # the handler did try to leak it
    fleet.stop_all()

    secrets = [*CONNECTOR_SECRETS.values(), ADMIN_PASSWORD, fleet.env["FIELDBRIDGE_MASTER_KEY"]]
    tokens = {
        "create-connector": client_token.partition(".")[2],
        "create-token": api_token.partition(".")[2],
        "sign-in": session_cookie.partition(".")[2],
    }
    places = {
        "logs": fleet.logs(),
        "database": database_text(fleet),
        "emails": " ".join(message.as_string() for message in mailbox.messages),
    }
    for label, response in call.responses:
        places[f"response to {label}"] = response
    for place, content in places.items():
        for secret in secrets:
            assert secret not in content, f"a secret shows in the {place}"
        for issued_by, token in tokens.items():
            if place != f"response to {issued_by}":
                assert token not in content, f"the token from {issued_by} shows in the {place}"
    assert "Dead letter for Autotask Ticket 7" in places["emails"]
    assert '"POST /v1/broker/inbound?client_token=[redacted] HTTP/1.1" 202' in places["logs"]
