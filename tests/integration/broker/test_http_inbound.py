"""The trigger URL and the Field Nation webhook receiver, over real HTTP: every accepted form, bad tokens,
bad bodies, size limits, duplicates and signatures."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fieldbridge.autotask.webhooks import sign as autotask_sign
from fieldbridge.fieldnation.webhooks import sign as fieldnation_sign
from tests.integration.broker.deliveries import WEBHOOK, autotask_bytes, fieldnation_body, fieldnation_headers
from tests.support.served import Served
from tests.support.waiting import wait_until

AUTOTASK_WEBHOOK_SECRET = "hook-secret-at-1"
FIELDNATION_WEBHOOK_SECRET = "hook-secret-fn-1"


@pytest.fixture
def connector(served: Served) -> tuple[str, str]:
    return served.add_connector()


def post_trigger(served: Served, token: str | None, body: bytes, **headers: str) -> httpx.Response:
    params = {} if token is None else {"client_token": token}
    return served.http.post("/v1/broker/inbound", params=params, content=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"id": 42}', "application/json"),
        (b'{"ticket_id": 42}', "application/json"),
        (b"42", "application/json"),
        (b"42", "text/plain"),
        (b'{"id": "42", "note": "from a workflow rule"}', "application/json"),
    ],
)
def test_every_accepted_form_stores_one_event(
    served: Served, connector: tuple[str, str], body: bytes, content_type: str
) -> None:
    response = post_trigger(served, connector[1], body, **{"Content-Type": content_type})
    assert response.status_code == 202, response.text
    answer = response.json()
    assert answer["duplicate"] is False
    event = served.event(answer["event_id"])  # stored before the answer
    assert (event.source, event.system, event.entity, event.record_id) == (
        "trigger",
        "autotask",
        "Ticket",
        42,
    )
    # Queued just after the answer, which waits for the store alone.
    wait_until(lambda: served.event(answer["event_id"]).status == "queued", what="the event to be queued")


def test_an_autotask_webhook_payload_is_accepted_and_kept(served: Served, connector: tuple[str, str]) -> None:
    response = post_trigger(served, connector[1], autotask_bytes(WEBHOOK))
    assert response.status_code == 202, response.text
    event = served.event(response.json()["event_id"])
    assert (event.source, event.record_id) == ("autotask-webhook", 42)
    assert event.payload == WEBHOOK


def test_a_service_call_connector_names_service_calls(served: Served) -> None:
    _, token = served.add_connector(service_object="ServiceCall")
    response = post_trigger(served, token, b"5")
    assert served.event(response.json()["event_id"]).entity == "ServiceCall"


@pytest.mark.parametrize(
    "which", ["missing", "empty", "garbage", "selector only", "wrong verifier", "revoked"]
)
def test_bad_tokens_all_get_the_same_401(served: Served, connector: tuple[str, str], which: str) -> None:
    name, token = connector
    selector, _, verifier = token.partition(".")
    if which == "revoked":
        served.rotate_token(name)
    presented = {
        "missing": None,
        "empty": "",
        "garbage": "not-a-token",
        "selector only": selector,
        "wrong verifier": f"{selector}.{verifier[::-1]}",
        "revoked": token,
    }[which]
    response = post_trigger(served, presented, b'{"id": 42}')
    assert response.status_code == 401
    assert response.json() == {"detail": "The client token is missing or not valid."}
    assert served.events(name) == []


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"", "The body is empty"),
        (b"ticket 42", "not valid JSON"),
        (b'{"ticket": 42}', 'neither "id" nor "ticket_id"'),
        (b"[1, 2]", "not a ticket id"),
        (b'{"id": -4}', "must be a positive whole number"),
        (b'{"EntityType": "Contact", "Id": 3, "Guid": "g"}', "EntityType 'Contact' is not handled"),
    ],
)
def test_bad_bodies_get_400_saying_what_is_wrong(
    served: Served, connector: tuple[str, str], body: bytes, complaint: str
) -> None:
    response = post_trigger(served, connector[1], body)
    assert response.status_code == 400
    assert complaint in response.json()["detail"]
    assert served.events(connector[0]) == []


def test_bodies_over_the_limit_get_413_declared_or_streamed(
    served: Served, connector: tuple[str, str]
) -> None:
    big = b'{"id": 42, "pad": "' + b"x" * 5000 + b'"}'
    assert post_trigger(served, connector[1], big).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while reading
        yield big[:3000]
        yield big[3000:]

    response = served.http.post("/v1/broker/inbound", params={"client_token": connector[1]}, content=chunks())
    assert response.status_code == 413
    assert "4096 bytes" in response.json()["detail"]
    assert served.events(connector[0]) == []


def test_a_repeated_bare_id_is_acknowledged_as_the_waiting_event(
    served: Served, connector: tuple[str, str]
) -> None:
    name, token = connector
    first = post_trigger(served, token, b"42").json()
    again = post_trigger(served, token, b'{"ticket_id": 42}')
    assert again.status_code == 202
    assert again.json() == {"event_id": first["event_id"], "duplicate": True}
    assert post_trigger(served, token, b"43").json()["duplicate"] is False
    assert len(served.events(name)) == 2


def test_a_redelivered_webhook_is_acknowledged_without_a_second_event(
    served: Served, connector: tuple[str, str]
) -> None:
    name, token = connector
    before = duplicates_counted(served)
    body = autotask_bytes(WEBHOOK)
    first = post_trigger(served, token, body).json()
    assert post_trigger(served, token, body).json() == {"event_id": first["event_id"], "duplicate": True}
    later = autotask_bytes({**WEBHOOK, "SequenceNumber": 18})
    assert post_trigger(served, token, later).json()["duplicate"] is False
    assert len(served.events(name)) == 2
    assert duplicates_counted(served) == before + 1


def duplicates_counted(served: Served) -> float:
    series = 'fieldbridge_duplicate_deliveries_total{door="trigger"} '
    lines = served.http.get("/metrics").text.splitlines()
    return next((float(line.removeprefix(series)) for line in lines if line.startswith(series)), 0.0)


class TestAutotaskSignatures:
    @pytest.fixture
    def token(self, served: Served) -> str:
        return served.add_connector(autotask_webhook_secret=AUTOTASK_WEBHOOK_SECRET)[1]

    def test_a_correctly_signed_webhook_is_accepted(self, served: Served, token: str) -> None:
        body = autotask_bytes(WEBHOOK)
        signature = autotask_sign(AUTOTASK_WEBHOOK_SECRET, body)
        assert post_trigger(served, token, body, **{"X-Hook-Signature": signature}).status_code == 202

    @pytest.mark.parametrize("signature", ["none", "malformed", "wrong secret", "other bytes"])
    def test_a_missing_or_wrong_signature_is_refused(
        self, served: Served, token: str, signature: str
    ) -> None:
        body = autotask_bytes(WEBHOOK)
        headers = {
            "none": {},
            "malformed": {"X-Hook-Signature": "sha1=AAAA"},
            "wrong secret": {"X-Hook-Signature": autotask_sign("not-the-secret", body)},
            # Same JSON, other bytes: a signature over a re-serialisation must not pass.
            "other bytes": {
                "X-Hook-Signature": autotask_sign(AUTOTASK_WEBHOOK_SECRET, json.dumps(WEBHOOK).encode())
            },
        }[signature]
        response = post_trigger(served, token, body, **headers)
        assert response.status_code == 401
        assert "X-Hook-Signature is missing or does not match the body" in response.json()["detail"]

    def test_a_bare_id_needs_no_signature_but_a_wrong_one_is_refused(
        self, served: Served, token: str
    ) -> None:
        assert post_trigger(served, token, b"42").status_code == 202
        assert post_trigger(served, token, b"43", **{"X-Hook-Signature": "sha1=bad"}).status_code == 401


class TestFieldNationWebhooks:
    BODY = fieldnation_body(7)
    UUID = "0b7c9a1e-5f0a-4d8e-b0e4-3f1c2d9e8a77"

    @pytest.fixture
    def name(self, served: Served) -> str:
        return served.add_connector(fieldnation_webhook_secret=FIELDNATION_WEBHOOK_SECRET)[0]

    def deliver(
        self,
        served: Served,
        name: str,
        delivery: str | None,
        secret: str = FIELDNATION_WEBHOOK_SECRET,
        sent_at: datetime | None = None,
        body: bytes = BODY,
        **headers: str,
    ) -> httpx.Response:
        sent = fieldnation_headers(secret, body, delivery, sent_at) | headers
        return served.http.post(f"/v1/fieldnation/webhooks/{name}", content=body, headers=sent)

    def test_retries_of_one_delivery_are_one_event(self, served: Served, name: str) -> None:
        first = self.deliver(served, name, f"{self.UUID}:1")
        assert first.status_code == 202, first.text
        retry = self.deliver(served, name, f"{self.UUID}:2")
        assert retry.json() == {"event_id": first.json()["event_id"], "duplicate": True}
        other = self.deliver(served, name, "5d0f3c7a-0000-4000-8000-000000000001:1", body=fieldnation_body(8))
        assert other.json()["duplicate"] is False
        event = served.event(first.json()["event_id"])
        stored = (event.source, event.system, event.entity, event.record_id)
        assert stored == ("fieldnation-webhook", "fieldnation", "workorder", 7)

    def test_a_signed_body_sent_again_under_a_new_delivery_id_is_the_same_event(
        self, served: Served, name: str
    ) -> None:
        first = self.deliver(served, name, f"{self.UUID}:1").json()
        # A captured request, re-sent with a fresh delivery id and a fresh timestamp (neither is signed).
        replayed = self.deliver(served, name, "9f1d2c3b-0000-4000-8000-0000000000ff:1")
        assert replayed.status_code == 202, replayed.text
        assert replayed.json() == {"event_id": first["event_id"], "duplicate": True}
        assert [event.id for event in served.events(name)] == [first["event_id"]]

    @pytest.mark.parametrize(("offset", "said"), [(-301, "301 s behind"), (301, "301 s ahead of")])
    def test_a_delivery_stamped_outside_the_window_is_refused_and_logged_without_secrets(
        self, served: Served, name: str, offset: int, said: str, caplog: pytest.LogCaptureFixture
    ) -> None:
        sent_at = datetime.now(UTC) + timedelta(seconds=offset)
        with caplog.at_level(logging.WARNING, logger="fieldbridge.web.inbound"):
            response = self.deliver(served, name, f"{self.UUID}:1", sent_at=sent_at)
        assert response.status_code == 400
        detail = response.json()["detail"]
        assert f"X-FN-Request-Timestamp is {said} this server's clock (at most 300 s is accepted)" in detail
        assert served.events(name) == []
        (line,) = [r.getMessage() for r in caplog.records if r.name == "fieldbridge.web.inbound"]
        assert f"connector {name!r} refused (delivery '{self.UUID}:1')" in line
        assert said in line
        signature = fieldnation_sign(FIELDNATION_WEBHOOK_SECRET, self.BODY)
        for secret in (FIELDNATION_WEBHOOK_SECRET, signature, signature.removeprefix("sha256=")):
            assert secret not in caplog.text

    @pytest.mark.parametrize("offset", [-295, 295])
    def test_a_delivery_stamped_inside_the_window_is_accepted(
        self, served: Served, name: str, offset: int
    ) -> None:
        sent_at = datetime.now(UTC) + timedelta(seconds=offset)
        assert self.deliver(served, name, f"{self.UUID}:1", sent_at=sent_at).status_code == 202

    @pytest.mark.parametrize(
        ("stamp", "complaint"),
        [
            ("", "X-FN-Request-Timestamp is missing"),
            ("soon", "must be a whole number of milliseconds"),
            ("1.7e12", "must be a whole number of milliseconds"),
            ("-1", "must be a whole number of milliseconds"),
            ("9" * 40, "must be a whole number of milliseconds"),
        ],
    )
    def test_a_missing_or_malformed_timestamp_is_refused(
        self, served: Served, name: str, stamp: str, complaint: str
    ) -> None:
        response = self.deliver(served, name, f"{self.UUID}:1", **{"X-FN-Request-Timestamp": stamp})
        assert response.status_code == 400
        assert complaint in response.json()["detail"]
        assert served.events(name) == []

    @pytest.mark.parametrize("case", ["wrong secret", "connector without secret", "no such connector"])
    def test_unverifiable_deliveries_are_refused(self, served: Served, name: str, case: str) -> None:
        target, secret = {
            "wrong secret": (name, "not-the-secret"),
            "connector without secret": (served.add_connector()[0], FIELDNATION_WEBHOOK_SECRET),
            "no such connector": ("ghost", FIELDNATION_WEBHOOK_SECRET),
        }[case]
        response = self.deliver(served, target, "u-1:1", secret)
        assert response.status_code == 401
        assert response.json() == {"detail": "X-FN-Signature does not verify for this connector."}
        assert served.events(name) == []

    def test_a_delivery_without_its_id_is_refused(self, served: Served, name: str) -> None:
        response = self.deliver(served, name, None)
        assert response.status_code == 400
        assert "X-FN-Delivery-Id" in response.json()["detail"]
