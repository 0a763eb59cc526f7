"""Field Nation's own deliveries (the emulator's: signed, and stamped at each attempt) reach the broker, late
retries included, while the same body captured and sent again is no second event and a stale copy is refused.

The broker here accepts only 2 s of difference between a delivery's timestamp and its clock, and the
emulator's clock runs the retry schedule (10, 20, 40 s after the first attempt) at 20 times real speed: the
third retry comes 3.5 real seconds after the first attempt, so it is accepted only because Field Nation
stamps each attempt anew. That is why the window need not cover the retry schedule."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet

from fieldbridge.fieldnation import FieldNationClient
from fieldbridge.settings import Settings
from tests.integration.broker.deliveries import fieldnation_headers
from tests.support.emulators import FieldNationSim, serve_fieldnation
from tests.support.served import Served, serve
from tests.support.waiting import wait_until

SECRET = "fn-hook-secret-replays"
TOLERANCE_SECONDS = 2.0


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("replays"),
        master_key=Fernet.generate_key().decode(),
        fieldnation_timestamp_tolerance_seconds=TOLERANCE_SECONDS,
    )
    with serve(settings) as served:
        yield served


@pytest.fixture(scope="module")
def fn() -> Iterator[FieldNationSim]:
    with serve_fieldnation() as sim:
        yield sim


def delivered(fn: FieldNationSim, work_order_id: int) -> dict[str, Any] | None:
    items = fn.control.get("/_sim/webhooks/deliveries").json()["items"]
    done = [d for d in items if d["state"] != "pending" and f'"work_order_id": {work_order_id}' in d["body"]]
    return done[0] if done else None


def test_a_late_retry_is_accepted_and_a_replayed_body_is_stored_once(
    broker: Served, fn: FieldNationSim
) -> None:
    name, _ = broker.add_connector(fieldnation_webhook_secret=SECRET)
    with FieldNationClient(fn.url, fn.credentials) as client:
        client.webhooks.create(
            f"{broker.url}/v1/fieldnation/webhooks/{name}", ["workorder.message_posted"], secret=SECRET
        )
    assert fn.control.put("/_sim/clock", json={"speed": 20}).status_code == 200
    fn.fault(kind="status", scope="webhook", status=503, count=3)  # three attempts fail before reaching us
    work_order_id = fn.seeded("Assigned")
    fn.act(work_order_id, "post_message", message="On site, starting now.")

    delivery = wait_until(lambda: delivered(fn, work_order_id), timeout=30, what="the delivery to end")
    assert delivery["outcome"] == "delivered on attempt 4", delivery
    (event,) = broker.events(name)
    assert (event.source, event.record_id) == ("fieldnation-webhook", work_order_id)

    # Someone who captured the request sends its body again, with a new delivery id and a fresh timestamp
    # (neither is signed): it is the event already stored.
    body = delivery["body"].encode()
    replayed = broker.http.post(
        f"/v1/fieldnation/webhooks/{name}",
        content=body,
        headers=fieldnation_headers(SECRET, body, f"{uuid.uuid4()}:1"),
    )
    assert replayed.status_code == 202, replayed.text
    assert replayed.json() == {"event_id": event.id, "duplicate": True}

    # Sent with the timestamp it was captured with, a minute later: refused before anything is read.
    stale = broker.http.post(
        f"/v1/fieldnation/webhooks/{name}",
        content=body,
        headers=fieldnation_headers(
            SECRET, body, f"{uuid.uuid4()}:1", sent_at=datetime.now(UTC) - timedelta(minutes=1)
        ),
    )
    assert stale.status_code == 400
    assert "X-FN-Request-Timestamp is 60 s behind" in stale.json()["detail"]
    assert [e.id for e in broker.events(name)] == [event.id]
