"""Ticket webhooks end to end: provisioning through the API, signed deliveries with Autotask's escaping,
subscribed fields, excluded resources, ordering, retries, drops and deactivation."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fieldbridge.autotask.webhook_fields import ticket_field_id
from fieldbridge.autotask.webhooks import verify_signature
from tests.support.emulators import AutotaskSim
from tests.support.receiver import Receiver, receiver
from tests.support.waiting import wait_until

SECRET = "hook-secret-0123456789"
TECH = 29682886


@pytest.fixture
def hook(autotask_sim: AutotaskSim) -> Iterator[tuple[Receiver, int]]:
    with receiver() as rec, autotask_sim.api() as api:
        webhook_id = autotask_sim.add_ticket_webhook(api, rec.url, SECRET)
        assert api.get(f"TicketWebhooks/{webhook_id}").json()["item"]["isReady"] is False
        for name, subscribed, always in (("status", True, False), ("title", True, True), ("id", False, True)):
            api.post(
                f"TicketWebhooks/{webhook_id}/Fields",
                json={
                    "fieldID": ticket_field_id(name),
                    "isSubscribedField": subscribed,
                    "isDisplayAlwaysField": always,
                },
            ).raise_for_status()
        api.post(
            f"TicketWebhooks/{webhook_id}/ExcludedResources",
            json={"resourceID": autotask_sim.user("svc-fieldnation@")["resource_id"]},
        ).raise_for_status()
        assert api.get(f"TicketWebhooks/{webhook_id}").json()["item"]["isReady"] is True
        yield rec, webhook_id


def payloads(rec: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in rec.received if r.path == "/hook"]


def test_a_ui_edit_delivers_a_signed_payload_with_subscribed_and_display_fields(
    autotask_sim: AutotaskSim, hook: tuple[Receiver, int]
) -> None:
    rec, _ = hook
    autotask_sim.ui_edit(7002, TECH, status=24, title="Install two workstations & a <printer> café")
    got = wait_until(lambda: rec.received, what="a webhook delivery")[0]
    assert verify_signature(SECRET, got.body, got.headers["x-hook-signature"])
    assert got.headers["x-hook-signature"].startswith("sha1=")
    for escaped in (b"\\u0026", b"\\u003c", b"\\u003e", b"\\u00e9"):
        assert escaped in got.body
    payload = json.loads(got.body)
    assert payload["Action"] == "Update"
    assert payload["EntityType"] == "Ticket"
    assert payload["Id"] == 7002
    assert payload["PersonID"] == TECH
    assert payload["Fields"] == {
        "id": 7002,
        "status": 24,
        "title": "Install two workstations & a <printer> café",
    }
    assert isinstance(payload["SequenceNumber"], int)
    assert not verify_signature("another-secret-000000", got.body, got.headers["x-hook-signature"])


def test_unsubscribed_changes_and_excluded_resources_do_not_fire(
    autotask_sim: AutotaskSim, hook: tuple[Receiver, int]
) -> None:
    rec, _ = hook
    autotask_sim.ui_edit(7003, TECH, description="only the description")  # not a subscribed field
    httpx.patch(
        f"{autotask_sim.zone_url}V1.0/Tickets",
        headers=autotask_sim.headers(),
        json={"id": 7003, "status": 23},
    ).raise_for_status()  # our own API user: excluded
    autotask_sim.ui_edit(7004, TECH, status=24)  # a sentinel: deliveries are in order, so it arrives last
    wait_until(lambda: payloads(rec), what="the sentinel delivery")
    assert [p["Id"] for p in payloads(rec)] == [7004]


def test_create_events_and_ordering_under_retries(
    autotask_sim: AutotaskSim, hook: tuple[Receiver, int]
) -> None:
    rec, _ = hook
    rec.answers = [500, 503]  # the first event needs three attempts
    autotask_sim.ui_edit(7001, TECH, status=22)
    autotask_sim.control.post(
        "/_sim/ui/Tickets",
        json={
            "as_resource": TECH,
            "fields": {
                "title": "Created in the UI",
                "companyID": 175,
                "status": 21,
                "priority": 2,
                "queueID": 29683378,
                "dueDateTime": "2026-12-02T09:00:00Z",
            },
        },
    ).raise_for_status()
    autotask_sim.ui_edit(7001, TECH, status=24)
    wait_until(lambda: len(payloads(rec)) == 3, what="three deliveries")
    got = payloads(rec)
    assert [(p["Action"], p["Fields"]["status"]) for p in got] == [
        ("Update", 22),
        ("Create", 21),
        ("Update", 24),
    ]
    assert [p["SequenceNumber"] for p in got] == sorted(p["SequenceNumber"] for p in got)
    first = autotask_sim.control.get("/_sim/webhooks/deliveries").json()["items"][0]
    assert [a["status"] for a in first["attempts"]] == [500, 503, 200]


def test_a_payload_is_dropped_after_five_attempts(
    autotask_sim: AutotaskSim, hook: tuple[Receiver, int]
) -> None:
    rec, webhook_id = hook
    rec.always = 500
    autotask_sim.ui_edit(7001, TECH, status=22)

    def finished() -> dict[str, Any] | None:
        items = autotask_sim.control.get(
            "/_sim/webhooks/deliveries", params={"target": str(webhook_id)}
        ).json()
        return next((d for d in items["items"] if d["state"] != "pending"), None)

    delivery = wait_until(finished, what="the delivery to give up")
    assert delivery["state"] == "failed"
    assert delivery["outcome"] == "dropped after 5 attempts"
    assert len(delivery["attempts"]) == 5
    rec.always = None
    retried = autotask_sim.control.post(f"/_sim/webhooks/deliveries/{delivery['id']}/retry").json()
    assert retried["state"] == "delivered"
    assert len(payloads(rec)) == 1


def test_the_webhook_is_deactivated_after_25_consecutive_failures(
    autotask_sim: AutotaskSim, hook: tuple[Receiver, int]
) -> None:
    rec, webhook_id = hook
    # Five changes, five attempts each: exactly the 25 failures that switch the webhook off. The deactivation
    # notice comes after them and is answered 200 (failing everything until the test saw the switch-off let
    # all the notice's attempts fail too on a busy machine, where the emulated retries outran the test).
    rec.answers = [500] * 25
    for status in (22, 23, 24, 22, 23):
        autotask_sim.ui_edit(7001, TECH, status=status)

    def deactivated() -> bool:
        item = httpx.get(
            f"{autotask_sim.zone_url}V1.0/TicketWebhooks/{webhook_id}", headers=autotask_sim.headers()
        ).json()["item"]
        return item["isActive"] is False

    wait_until(deactivated, timeout=20, what="deactivation")
    wait_until(lambda: any(r.path == "/deactivated" for r in rec.received), what="the deactivation notice")
    assert rec.attempts == 26, "25 failed webhook attempts, then the notice"
    autotask_sim.ui_edit(7001, TECH, status=21)
    deliveries = autotask_sim.control.get(
        "/_sim/webhooks/deliveries", params={"target": str(webhook_id)}
    ).json()
    assert len(deliveries["items"]) == 5, "an inactive webhook must not get new deliveries"
