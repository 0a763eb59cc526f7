"""After provisioning, the Autotask emulator delivers signed ticket events to the broker's trigger URL on
loopback, and edits by the connector's own API user do not fire."""

from __future__ import annotations

from fieldbridge.autotask import AutotaskClient
from fieldbridge.autotask.webhooks import HEADER, verify_signature
from fieldbridge.sandbox.autotask.seed import STATUS
from tests.integration.checks.bridge import Bridge
from tests.support.waiting import wait_until

TECH = 29682886  # a person working in the Autotask UI


def webhook_events(bridge: Bridge, name: str) -> list[int]:
    return [e.record_id for e in bridge.served.events(name) if e.source == "autotask-webhook"]


def test_signed_ticket_events_reach_the_trigger_url_and_our_own_edits_do_not_fire(bridge: Bridge) -> None:
    name, created = bridge.create()
    provisioned = bridge.provision(name, trigger_url=created["trigger_url"])
    assert provisioned.status_code == 200, provisioned.text

    bridge.at.ui_edit(7002, TECH, status=STATUS["Dispatch to Field"])
    assert wait_until(lambda: webhook_events(bridge, name), what="the ticket event in the inbox") == [7002]

    # The connector's API user writes a subscribed field: Autotask must not echo it back.
    user = bridge.at.user("svc-fieldnation")
    with AutotaskClient(
        user["username"], user["secret"], user["integration_code"], discovery_url=bridge.at.url
    ) as api:
        api.update("Tickets", 7003, {"title": "Written by the connector itself"})
    # Deliveries are in order per webhook: once this later edit has arrived, an echo would have too.
    bridge.at.ui_edit(7004, TECH, title="Run cabling for two registers")
    wait_until(lambda: 7004 in webhook_events(bridge, name), what="the second person's edit")
    assert sorted(webhook_events(bridge, name)) == [7002, 7004]

    # The emulator records a delivery once it has read our 202, which can come after the inbox row.
    webhooks = bridge.at.emulator.sandbox.webhooks
    wait_until(
        lambda: [d.state for d in webhooks.deliveries()] == ["delivered", "delivered"],
        what="both deliveries to be answered",
    )
    deliveries = webhooks.deliveries()
    secret = bridge.secrets(name)["autotask_webhook_secret"]
    assert all(verify_signature(secret, d.body, d.headers[HEADER]) for d in deliveries)
    assert all(a.status == 202 for d in deliveries for a in d.attempts)


def test_a_payload_signed_with_another_secret_is_refused(bridge: Bridge) -> None:
    name, created = bridge.create()
    bridge.provision(name, trigger_url=created["trigger_url"])
    body = b'{"Action":"Update","Guid":"g","EntityType":"Ticket","Id":7001,"SequenceNumber":1}'
    forged = bridge.served.http.post(
        created["trigger_url"], content=body, headers={HEADER: "sha1=bm90IHRoZSBzaWduYXR1cmU="}
    )
    assert forged.status_code == 401
    assert webhook_events(bridge, name) == []
