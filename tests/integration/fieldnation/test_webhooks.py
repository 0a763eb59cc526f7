"""Webhooks v3: registration through the client, signed deliveries verified end to end, the retry schedule
(sped up), permanent failures, delivery logs and manual retry."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import socket
import time
from datetime import datetime
from typing import Any

import pytest

from fieldbridge.fieldnation import BadRequestError, FieldNationClient, NotFoundError, verify_signature
from tests.integration.fieldnation.seeded import MANAGER
from tests.support.emulators import FieldNationSim
from tests.support.receiver import Receiver, received_events
from tests.support.waiting import wait_until

SECRET = "whsec-test-only"
PUBLISHED = "workorder.status.published"


def hook_url(receiver: Receiver) -> str:
    return receiver.url + "/hook"


def speed_up(sim: FieldNationSim, speed: float) -> None:
    assert sim.control.put("/_sim/clock", json={"speed": speed}).status_code == 200


def sim_delivery(sim: FieldNationSim, delivery_id: str) -> dict[str, Any]:
    items = sim.control.get("/_sim/webhooks/deliveries").json()["items"]
    found: dict[str, Any] = next(d for d in items if d["id"] == delivery_id)
    return found


def finished(sim: FieldNationSim, delivery_id: str) -> dict[str, Any] | None:
    delivery = sim_delivery(sim, delivery_id)
    return delivery if delivery["state"] != "pending" else None


def test_register_read_update_and_delete(client: FieldNationClient, receiver: Receiver) -> None:
    hook = client.webhooks.create(
        hook_url(receiver), [PUBLISHED], secret=SECRET, notification_email="ops@example.com"
    )
    assert (hook.url, hook.status, hook.events, hook.method) == (
        hook_url(receiver),
        "active",
        [PUBLISHED],
        "post",
    )
    assert hook.secret == SECRET
    assert SECRET not in repr(hook)
    assert hook.notification_email == "ops@example.com"
    assert [h.webhook_id for h in client.webhooks.list()] == [hook.webhook_id]
    changed = client.webhooks.update(
        hook.webhook_id, status="inactive", events=[PUBLISHED, "workorder.routed"]
    )
    assert (changed.status, changed.events) == ("inactive", [PUBLISHED, "workorder.routed"])
    assert client.webhooks.get(hook.webhook_id).status == "inactive"
    client.webhooks.delete(hook.webhook_id)
    with pytest.raises(NotFoundError, match=f"Webhook {hook.webhook_id} was not found"):
        client.webhooks.get(hook.webhook_id)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"url": "http://example.com/hook", "events": [PUBLISHED]}, "must be a valid HTTPS URL"),
        ({"url": "https://example.com/hook", "events": []}, "events"),
        (
            {"url": "https://example.com/hook", "events": ["workorder.exploded"]},
            "unknown event(s) workorder.exploded",
        ),
        ({"url": "https://example.com/hook", "events": [PUBLISHED], "method": "put"}, "method"),
        ({"url": "https://example.com/hook", "events": [PUBLISHED], "status": "paused"}, "status"),
    ],
)
def test_bad_registrations_are_refused_in_the_v3_error_shape(
    fn_sim: FieldNationSim, body: dict[str, Any], message: str
) -> None:
    headers = {"Authorization": f"Bearer {fn_sim.token('client_credentials')}"}
    response = fn_sim.control.post("/api/v1/webhooks", json=body, headers=headers)
    assert response.status_code == 400
    error = response.json()
    assert error["result"] == {}
    assert error["metadata"]["path"] == "/api/v1/webhooks"
    assert error["errors"][0]["code"] == 400
    assert message in error["errors"][0]["message"]


def test_client_surfaces_v3_errors(client: FieldNationClient) -> None:
    with pytest.raises(BadRequestError, match="HTTPS"):
        client.webhooks.create("http://example.com/hook", [PUBLISHED])


def test_delivery_is_signed_retried_on_the_schedule_and_logged(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    speed_up(fn_sim, 100)  # 10, 20, 40 s of schedule in 0.1, 0.2, 0.4 s
    receiver.answers = [500, 503, 502]
    hook = client.webhooks.create(hook_url(receiver), [PUBLISHED], secret=SECRET)
    wo = fn_sim.seeded("Draft")
    client.workorders.publish(wo)

    [delivered] = wait_until(lambda: receiver.received, timeout=10, what="the delivery to get through")
    assert receiver.attempts == 4
    body = delivered.body
    # Signature, checked by the client's helper and independently of it.
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert delivered.headers["x-fn-signature"] == expected
    assert verify_signature(SECRET, body, delivered.headers["x-fn-signature"])
    # Ids: the delivery id numbers the attempt; one trace id per event; millisecond timestamps.
    uuid, attempt = delivered.headers["x-fn-delivery-id"].rsplit(":", 1)
    assert re.fullmatch(r"[0-9a-f-]{36}", uuid)
    assert attempt == "4"
    assert delivered.headers["x-fn-webhook-id"] == hook.webhook_id
    assert re.fullmatch(r"[0-9a-f-]{36}", delivered.headers["x-fn-event-trace-id"])
    assert abs(int(delivered.headers["x-fn-request-timestamp"]) / 1000 - time.time()) < 60

    payload = json.loads(body)
    assert payload["event"] == {
        "name": PUBLISHED,
        "params": {"work_order_id": wo, "status_id": 2, "previous_status_id": 1},
    }
    assert payload["triggered_by_user"] == {"id": MANAGER}
    assert datetime.fromisoformat(payload["timestamp"]).utcoffset() is not None
    assert payload["workorder"]["id"] == wo
    assert payload["workorder"]["status"]["name"] == "Published"

    # Every attempt sent the same bytes, and the retries waited the schedule (0, 10, 20, 40 s at 100x).
    recorded = wait_until(lambda: finished(fn_sim, uuid), what="the delivery to finish")
    assert recorded["body"] == body.decode()
    assert [a["status"] for a in recorded["attempts"]] == [500, 503, 502, 200]
    starts = [
        datetime.fromisoformat(a["at"]).timestamp() - a["duration_ms"] / 1000 for a in recorded["attempts"]
    ]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert all(gap >= wanted - 0.01 for gap, wanted in zip(gaps, (0.1, 0.2, 0.4), strict=True)), gaps

    log = client.webhooks.delivery_log(uuid)
    assert (log.webhook_id, log.work_order_id, log.event_name) == (hook.webhook_id, wo, PUBLISHED)
    assert (log.delivery_status, log.delivery_attempt) == (200, 4)


@pytest.mark.parametrize("status", [404, 410, 400, 422])
def test_4xx_answers_are_not_retried_and_can_be_retried_by_hand(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver, status: int
) -> None:
    speed_up(fn_sim, 10_000)
    receiver.answers = [status]
    hook = client.webhooks.create(hook_url(receiver), [PUBLISHED])
    client.workorders.publish(fn_sim.seeded("Draft"))
    log = wait_until(lambda: next(iter(client.webhooks.delivery_logs(webhook_id=hook.webhook_id)), None))
    done = wait_until(lambda: finished(fn_sim, log.delivery_id), what="the delivery to finish")
    assert (done["state"], done["outcome"]) == ("failed", f"not retried: the receiver answered {status}")
    assert (receiver.attempts, receiver.received) == (1, [])

    job = client.webhooks.retry_delivery(log.delivery_id)
    assert job == f"{log.delivery_id}:2"
    [delivered] = receiver.received
    assert receiver.attempts == 2
    assert delivered.headers["x-fn-delivery-id"] == f"{log.delivery_id}:2"
    assert "x-fn-signature" not in delivered.headers  # registered without a secret
    assert client.webhooks.delivery_log(log.delivery_id).delivery_status == 200


def test_a_receiver_that_keeps_failing_gets_eight_attempts(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    speed_up(fn_sim, 100_000)
    receiver.always = 500
    hook = client.webhooks.create(hook_url(receiver), [PUBLISHED])
    client.workorders.publish(fn_sim.seeded("Draft"))
    log = wait_until(lambda: next(iter(client.webhooks.delivery_logs(webhook_id=hook.webhook_id)), None))
    done = wait_until(lambda: finished(fn_sim, log.delivery_id), what="the delivery to finish")
    assert done["outcome"] == "dropped after 8 attempts"
    assert (receiver.attempts, receiver.received) == (8, [])


def test_an_unreachable_receiver_is_retried(fn_sim: FieldNationSim, client: FieldNationClient) -> None:
    speed_up(fn_sim, 100_000)
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = client.webhooks.create(f"http://127.0.0.1:{port}/hook", [PUBLISHED])
    client.workorders.publish(fn_sim.seeded("Draft"))
    log = wait_until(lambda: next(iter(client.webhooks.delivery_logs(webhook_id=hook.webhook_id)), None))
    done = wait_until(lambda: finished(fn_sim, log.delivery_id), what="the delivery to finish")
    assert len(done["attempts"]) == 8
    assert all(a["status"] is None and a["error"] for a in done["attempts"])
    assert client.webhooks.delivery_log(log.delivery_id).delivery_status == 0


def test_only_active_webhooks_subscribed_to_the_event_get_it(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    wanted = client.webhooks.create(hook_url(receiver), [PUBLISHED])
    paused = client.webhooks.create(hook_url(receiver), [PUBLISHED], status="inactive")
    other = client.webhooks.create(hook_url(receiver), ["workorder.status.paid"])
    client.workorders.publish(fn_sim.seeded("Draft"))
    targets = [d["target"] for d in fn_sim.control.get("/_sim/webhooks/deliveries").json()["items"]]
    assert targets == [wanted.webhook_id]
    assert paused.webhook_id not in targets
    assert other.webhook_id not in targets
    wait_until(lambda: received_events(receiver) == [PUBLISHED])


def test_events_reach_a_receiver_in_order_even_after_a_failure(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    speed_up(fn_sim, 1000)
    receiver.answers = [503]
    events = [PUBLISHED, "workorder.status.routed", "workorder.routed", "workorder.status.assigned"]
    client.webhooks.create(hook_url(receiver), events)
    wo = fn_sim.seeded("Draft")
    client.workorders.publish(wo)
    client.workorders.route(wo, 3002)
    fn_sim.act(wo, "accept", technician_id=3002)
    wait_until(lambda: received_events(receiver) == events, what=f"{events} in order")


def test_delivery_logs_filter_and_page(
    fn_sim: FieldNationSim, client: FieldNationClient, receiver: Receiver
) -> None:
    hook = client.webhooks.create(hook_url(receiver), [PUBLISHED, "workorder.message_posted"])
    draft, assigned = fn_sim.seeded("Draft"), fn_sim.seeded("Assigned")
    client.workorders.publish(draft)
    client.messages.post(assigned, "Hello")
    wait_until(lambda: len(receiver.received) == 2)
    everything = client.webhooks.delivery_logs(webhook_id=hook.webhook_id)
    assert {log.event_name for log in everything} == {PUBLISHED, "workorder.message_posted"}
    assert [log.work_order_id for log in client.webhooks.delivery_logs(event_name=PUBLISHED)] == [draft]
    assert [log.event_name for log in client.webhooks.delivery_logs(work_order_id=assigned)] == [
        "workorder.message_posted"
    ]
    assert len(client.webhooks.delivery_logs(webhook_id=hook.webhook_id, per_page=1, page=2)) == 1
    with pytest.raises(NotFoundError, match="Delivery nope was not found"):
        client.webhooks.retry_delivery("nope")


@pytest.mark.parametrize(
    ("secret", "body", "header"),
    [
        ("other-secret", b'{"a":1}', None),
        (SECRET, b'{"a":2}', None),
        (SECRET, b'{"a":1}', ""),
        (SECRET, b'{"a":1}', "sha1=abc"),
    ],
    ids=["wrong secret", "tampered body", "empty header", "wrong scheme"],
)
def test_verify_signature_refuses_what_does_not_match(secret: str, body: bytes, header: str | None) -> None:
    good = "sha256=" + hmac.new(SECRET.encode(), b'{"a":1}', hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, b'{"a":1}', good)
    assert not verify_signature(secret, body, good if header is None else header)
