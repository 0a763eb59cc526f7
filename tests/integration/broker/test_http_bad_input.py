"""Bad input over real HTTP, on SQLite and on PostgreSQL: NUL characters, JSON nested too deep or holding
numbers no column holds, strings longer than their column, bodies over their route's limit. Each gets its
exact 4xx with a message saying what to fix, never the value sent, and leaves the store as it was."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from fieldbridge.fieldnation.webhooks import HEADER as FN_SIGNATURE
from fieldbridge.fieldnation.webhooks import TIMESTAMP_HEADER, sign
from fieldbridge.store import connectors, mapping_sets
from fieldbridge.store.client_tokens import INBOUND_PATH
from fieldbridge.store.tables import ApiToken, InboxEvent
from fieldbridge.sync import options
from fieldbridge.web.request_limits import NUL_IN_URL
from tests.support.served import Served, signed_in

FN_SECRET = "fn-hook-secret-bad-input"
BIG = 2**70
DEEP = b"[" * 1000 + b"]" * 1000
WEBHOOK = {"Action": "Update", "Guid": "g" * 300, "EntityType": "Ticket", "Id": 42, "SequenceNumber": 17}
SECRETISH = "Sup3r-secret-value-9f2c"


@pytest.fixture(scope="module")
def app(served_on_each_database: Served) -> Served:
    return served_on_each_database


@pytest.fixture(scope="module")
def admin(app: Served) -> Iterator[httpx.Client]:
    with signed_in(app) as client:
        yield client


@pytest.fixture(scope="module")
def connector(app: Served) -> tuple[str, str]:
    """Its name and client token; it has a Field Nation webhook secret, so deliveries get past signing."""
    return app.add_connector(fieldnation_webhook_secret=FN_SECRET)


def stored(app: Served, name: str) -> dict[str, Any]:
    """Everything a request in these tests could have changed."""
    with app.broker.db.transaction() as session:
        row = connectors.get(session, name)
        assert row is not None
        return {
            "connector": connectors.view(row).model_dump(),
            "events": session.scalar(select(func.count()).select_from(InboxEvent)),
            "tokens": session.scalar(select(func.count()).select_from(ApiToken)),
            "mapping_versions": len(mapping_sets.versions(session, row.id)),
            "sync_options": options.load(session, row.id).model_dump(),
        }


def detail_text(response: httpx.Response) -> str:
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else json.dumps(detail)


def invalid(where: list[str | int], message: str) -> str:
    """How a 422 names the field and the problem."""
    return f'"loc": {json.dumps(where)}, "msg": "{message}"'


@dataclass(frozen=True)
class Bad:
    label: str
    method: str
    path: str
    """`{name}` and `{token}` are the connector's."""
    status: int
    says: str
    """Part of the answer's detail (a 422's as JSON)."""
    body: Any = None
    content: bytes | None = None

    def send(self, client: httpx.Client, name: str, token: str) -> httpx.Response:
        content = self.content if self.content is not None else json.dumps(self.body).encode()
        return client.request(
            self.method,
            self.path.format(name=name, token=token),
            content=content,
            headers={"Content-Type": "application/json"},
        )


TRIGGER = "/v1/broker/inbound?client_token={token}"
CONNECTOR = "/v1/admin/connectors/{name}"
NUL_IN_JSON = "The body holds a NUL character (\\u0000) in {}; remove it."
OUT_OF_INT64 = "outside the 64-bit range (-9223372036854775808 to 9223372036854775807)"
TOO_DEEP = "The body is nested more than 64 levels deep"

DOORS = [
    Bad(
        "NUL in the client token",
        "POST",
        "/v1/broker/inbound?client_token=%00",
        400,
        NUL_IN_URL,
        content=b"42",
    ),
    Bad(
        "NUL in a connector name", "POST", "/v1/fieldnation/webhooks/acme%00", 400, NUL_IN_URL, content=b"{}"
    ),
    Bad(
        "NUL in the sign-in username",
        "POST",
        "/v1/admin/session",
        400,
        NUL_IN_JSON.format("username"),
        body={"username": "admin\u0000", "password": "irrelevant"},
    ),
    Bad("JSON 1000 levels deep", "POST", TRIGGER, 400, TOO_DEEP, content=DEEP),
    Bad("JSON 955 levels deep", "POST", TRIGGER, 400, TOO_DEEP, content=b"[" * 955 + b"]" * 955),
    Bad(
        "an id of 5000 digits",
        "POST",
        TRIGGER,
        400,
        '"id" must be a positive whole number up to 9223372036854775807.',
        content=b'{"id": "' + b"9" * 5000 + b'"}',
    ),
    Bad("a bare number of 5000 digits", "POST", TRIGGER, 400, OUT_OF_INT64, content=b"9" * 5000),
    Bad(
        "a webhook Guid longer than its column keeps",
        "POST",
        TRIGGER,
        400,
        "Guid has 300 characters; at most 177 are kept with this SequenceNumber and Id.",
        body=WEBHOOK,
    ),
    Bad(
        "NaN in a webhook",
        "POST",
        TRIGGER,
        400,
        "The body holds NaN, which is not a JSON number; send a number or null.",
        content=b'{"EntityType": "Ticket", "Id": 42, "Fields": {"Amount": NaN}}',
    ),
    Bad(
        "a lone surrogate in a webhook",
        "POST",
        TRIGGER,
        400,
        "The body holds an unpaired surrogate (\\ud800) in Fields.Title; send valid Unicode text.",
        content=b'{"EntityType": "Ticket", "Id": 42, "Fields": {"Title": "\\ud800"}}',
    ),
]

ADMIN = [
    Bad(
        "an event id past 32 bits",
        "GET",
        f"/v1/admin/events/{BIG}",
        422,
        invalid(["path", "event_id"], "Input should be less than or equal to 2147483647"),
    ),
    Bad(
        "an event id of 5000 digits",
        "POST",
        "/v1/admin/events/" + "9" * 5000 + "/replay",
        422,
        invalid(["path", "event_id"], "Input should be less than or equal to 2147483647"),
    ),
    Bad(
        "a before_id past 32 bits",
        "GET",
        "/v1/admin/events?before_id=2147483648",
        422,
        invalid(["query", "before_id"], "Input should be less than or equal to 2147483647"),
    ),
    Bad(
        "a token id past 32 bits",
        "DELETE",
        "/v1/admin/tokens/2147483648",
        422,
        invalid(["path", "token_id"], "Input should be less than or equal to 2147483647"),
    ),
    Bad(
        "a record id past 64 bits",
        "GET",
        CONNECTOR + f"/history/autotask/Ticket/{BIG}",
        422,
        invalid(["path", "record_id"], "Input should be less than or equal to 9223372036854775807"),
    ),
    Bad(
        "a status past its 32-bit column, with a valid change beside it",
        "PATCH",
        CONNECTOR,
        422,
        invalid(["body", "outbound_default_status"], "Input should be less than or equal to 2147483647"),
        body={"autotask_username": "someone-else@acme.example", "outbound_default_status": 2**31},
    ),
    Bad(
        "a company id past 64 bits",
        "PATCH",
        CONNECTOR,
        400,
        OUT_OF_INT64,
        body={"fieldnation_company_id": BIG},
    ),
    Bad(
        "a sync option past 64 bits",
        "PUT",
        CONNECTOR + "/sync-options",
        400,
        OUT_OF_INT64,
        body={"resource_id": BIG},
    ),
    Bad(
        "a username longer than its column",
        "PATCH",
        CONNECTOR,
        422,
        invalid(["body", "autotask_username"], "String should have at most 255 characters"),
        body={"autotask_username": "u" * 256},
    ),
    Bad(
        "a token name longer than its column",
        "POST",
        "/v1/admin/tokens",
        422,
        invalid(["body", "name"], "String should have at most 100 characters"),
        body={"name": "t" * 101},
    ),
    Bad(
        "NUL in a connector setting",
        "PATCH",
        CONNECTOR,
        400,
        NUL_IN_JSON.format("autotask_username"),
        body={"autotask_username": "svc\u0000@acme.example"},
    ),
    Bad("NUL in a connector name", "GET", "/v1/admin/connectors/acme%00", 400, NUL_IN_URL),
    Bad("NUL in a query parameter", "GET", "/v1/admin/events?connector=%00", 400, NUL_IN_URL),
    Bad("a mapping set 1000 levels deep", "PUT", CONNECTOR + "/mappings", 400, TOO_DEEP, content=DEEP),
    Bad(
        "a ticket id of 0",
        "POST",
        CONNECTOR + "/import",
        422,
        invalid(["body", "ticket_id"], "Input should be greater than or equal to 1"),
        body={"ticket_id": 0},
    ),
]


@pytest.mark.parametrize("bad", DOORS, ids=lambda bad: bad.label)
def test_bad_input_at_the_doors_gets_its_4xx_and_stores_nothing(
    app: Served, connector: tuple[str, str], bad: Bad
) -> None:
    before = stored(app, connector[0])
    response = bad.send(app.http, *connector)
    assert response.status_code == bad.status, response.text
    assert bad.says in detail_text(response)
    assert stored(app, connector[0]) == before


@pytest.mark.parametrize("bad", ADMIN, ids=lambda bad: bad.label)
def test_bad_input_to_the_admin_api_gets_its_4xx_and_stores_nothing(
    app: Served, admin: httpx.Client, connector: tuple[str, str], bad: Bad
) -> None:
    before = stored(app, connector[0])
    response = bad.send(admin, *connector)
    assert response.status_code == bad.status, response.text
    assert bad.says in detail_text(response)
    assert stored(app, connector[0]) == before


def test_every_route_that_takes_a_json_body_reads_it_strictly(
    app: Served, admin: httpx.Client, connector: tuple[str, str]
) -> None:
    paths = app.http.get("/openapi.json").json()["paths"]
    routes = [
        (method.upper(), path)
        for path, operations in paths.items()
        for method, operation in operations.items()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(routes) >= 10
    name, token = connector
    for method, path in routes:
        url = path.format(name=name) + (f"?client_token={token}" if path == INBOUND_PATH else "")
        response = admin.request(
            method, url, content=b'{"a": "\\u0000"}', headers={"Content-Type": "application/json"}
        )
        assert (response.status_code, response.json()) == (400, {"detail": NUL_IN_JSON.format("a")}), (
            method,
            path,
        )


def test_a_fieldnation_delivery_id_longer_than_its_column_gets_400(
    app: Served, connector: tuple[str, str]
) -> None:
    raw = b'{"workorder": {"id": 7}}'
    headers = {
        FN_SIGNATURE: sign(FN_SECRET, raw),
        TIMESTAMP_HEADER: str(int(time.time() * 1000)),
        "X-FN-Delivery-Id": "d" * 250 + ":1",
    }
    before = stored(app, connector[0])
    response = app.http.post(f"/v1/fieldnation/webhooks/{connector[0]}", content=raw, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith(
        "The X-FN-Delivery-Id header's id (before the ':') has 250 characters; at most 188 are kept."
    )
    assert stored(app, connector[0]) == before


def test_a_422_names_the_field_and_the_problem_never_the_value(
    admin: httpx.Client, connector: tuple[str, str]
) -> None:
    for body in (
        {"notification_emails": ["ops@acme.example", SECRETISH]},
        {"autotask_secret_typo": SECRETISH},
        {"autotask_username": SECRETISH * 20},
        {"service_object": SECRETISH},
    ):
        response = admin.patch(f"/v1/admin/connectors/{connector[0]}", json=body)
        assert response.status_code == 422, response.text
        assert SECRETISH not in response.text
        assert all(set(item) == {"type", "loc", "msg"} for item in response.json()["detail"])
    emails = admin.patch(
        f"/v1/admin/connectors/{connector[0]}", json={"notification_emails": ["a@b", "nope"]}
    )
    assert emails.json()["detail"] == [
        {
            "type": "value_error",
            "loc": ["body", "notification_emails", 1],
            "msg": "Value error, not an email address (name@domain)",
        }
    ]


ADMIN_LIMIT = (
    "The body is larger than the limit of 65536 bytes for this route; "
    "the broker's FIELDBRIDGE_ADMIN_MAX_BYTES setting sets it."
)
INBOUND_LIMIT = (
    "The body is larger than the limit of 16384 bytes for this route; "
    "the broker's FIELDBRIDGE_INBOUND_MAX_BYTES setting sets it."
)
LIMITS = [
    ("POST", "/v1/admin/session", 4096, "The body is larger than the limit of 4096 bytes for this route."),
    ("PUT", CONNECTOR + "/sync-options", 65536, ADMIN_LIMIT),
    ("POST", TRIGGER, 16384, INBOUND_LIMIT),
    ("POST", "/v1/fieldnation/webhooks/{name}", 16384, INBOUND_LIMIT),
]


@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
@pytest.mark.parametrize(
    ("method", "path", "limit", "refusal"), LIMITS, ids=[path for _, path, _, _ in LIMITS]
)
def test_a_body_over_its_routes_limit_gets_413_saying_the_limit(
    app: Served,
    admin: httpx.Client,
    connector: tuple[str, str],
    method: str,
    path: str,
    limit: int,
    refusal: str,
    streamed: bool,
) -> None:
    body = b'{"pad": "' + b"x" * limit + b'"}'
    content: bytes | Iterator[bytes] = iter([body[:limit], body[limit:]]) if streamed else body
    before = stored(app, connector[0])
    response = admin.request(method, path.format(name=connector[0], token=connector[1]), content=content)
    assert response.status_code == 413, response.text
    assert response.json() == {"detail": refusal}
    assert stored(app, connector[0]) == before


@pytest.mark.parametrize(
    ("method", "path", "limit", "refusal"), LIMITS, ids=[path for _, path, _, _ in LIMITS]
)
def test_a_body_of_exactly_the_limit_is_read(
    admin: httpx.Client, connector: tuple[str, str], method: str, path: str, limit: int, refusal: str
) -> None:
    body = b"{}" + b" " * (limit - 2)
    response = admin.request(method, path.format(name=connector[0], token=connector[1]), content=body)
    assert response.status_code != 413, response.text


@pytest.mark.parametrize(
    "framing",
    [
        b"Content-Length: 104857600\r\n\r\n",
        b"Transfer-Encoding: chunked\r\n\r\n" + b"2000\r\n" + b"x" * 8192 + b"\r\n",
    ],
    ids=["100 MB declared", "streamed, never finished"],
)
def test_a_huge_sign_in_is_answered_before_the_rest_of_it_is_sent(app: Served, framing: bytes) -> None:
    """The limit holds while reading: the answer comes though the body never ends, so none was buffered."""
    host, port = httpx.URL(app.url).host, httpx.URL(app.url).port
    assert port is not None
    with socket.create_connection((host, port), timeout=10) as raw:
        raw.sendall(
            b"POST /v1/admin/session HTTP/1.1\r\nHost: broker\r\nContent-Type: application/json\r\n" + framing
        )
        head, body = read_answer(raw)
    assert head.startswith(b"HTTP/1.1 413 "), head
    assert json.loads(body) == {"detail": "The body is larger than the limit of 4096 bytes for this route."}


def read_answer(raw: socket.socket) -> tuple[bytes, bytes]:
    """An HTTP answer's head and body (as long as its Content-Length says)."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += raw.recv(65536)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += raw.recv(65536)
    return head, body
