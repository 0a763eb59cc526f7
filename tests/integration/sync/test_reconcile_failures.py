"""A reconciler pass that fails (the Autotask emulator refuses its query) is handled as a failing event is:
a line in the connector's history with the cause and the fix, an alert email, a log line, none of them
holding the connector's secret; the next try waits for the connector's interval, and the first pass that
works again says so."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest

from fieldbridge.jobs.consumer import Parts
from fieldbridge.jobs.handlers import load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.notify.email import EmailNotifier
from fieldbridge.settings import SmtpSettings
from fieldbridge.sync import checkpoints, reconcile, reconcile_failures
from tests.integration.sync.bridge import Bridge
from tests.support.smtp import Mailbox

FIX = "Grant Tickets — View in the API user's security level (setup guide, Step 2)."


@pytest.fixture
def parts(bridge: Bridge, mailbox: Mailbox) -> Parts:
    """A consuming process's parts, alerting by email through a real SMTP server on loopback."""
    smtp = SmtpSettings(host=mailbox.host, port=mailbox.port, to=["noc@acme.example"])
    settings = bridge.settings.model_copy(update={"smtp": smtp})
    return Parts(
        settings,
        bridge.db,
        bridge.box,
        EventQueue(settings),
        load(["fieldbridge.sync.handlers"]),
        EmailNotifier(settings, bridge.db),
    )


def connector_history(admin_api: httpx.Client) -> list[dict[str, Any]]:
    response = admin_api.get("/v1/admin/connectors/acme/history")
    assert response.status_code == 200, response.text
    lines: list[dict[str, Any]] = response.json()
    return lines


def ticket_queries(bridge: Bridge) -> int:
    items = bridge.at.calls()["items"]
    return sum(i["count"] for i in items if i["route"].startswith("POST /V1.0/Tickets/query"))


def test_a_failed_pass_is_in_history_with_cause_and_fix_alerted_and_logged_without_secrets(
    bridge: Bridge,
    parts: Parts,
    admin_api: httpx.Client,
    mailbox: Mailbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = bridge.at.creds["secret"]
    # Autotask refuses the query, and quotes the credential back in its message.
    bridge.at.fault(
        kind="status",
        method="POST",
        path="/Tickets/query",
        status=403,
        body={"message": f"Access denied for the API user (secret {secret})"},
    )
    with caplog.at_level(logging.WARNING, logger=reconcile_failures.__name__):
        reconcile.reconcile_due(parts)

    alert, failed = connector_history(admin_api)  # newest first
    assert (failed["level"], failed["action"], failed["event_id"]) == ("error", "reconcile-failed", None)
    assert failed["message"] == (
        "Reconciler pass failed: Autotask query Tickets failed: HTTP 403: Access denied for the API user "
        "(secret [redacted]). Likely cause: The API user's security level lacks the permission Tickets — "
        "View"
    )
    assert failed["fix"] == f"{FIX} The reconciler tries again in 15 minute(s); nothing is skipped meanwhile."
    assert (alert["action"], alert["message"]) == (
        "alert",
        "Email about this reconciler pass failed sent to noc@acme.example.",
    )

    (email,) = mailbox.messages
    assert email["Subject"] == "[FieldBridge] acme: Reconciler pass failed for Autotask Tickets"
    encoded = email.get_payload(decode=True)  # quoted-printable: the text has a dash outside ASCII
    assert isinstance(encoded, bytes)
    body = encoded.decode()
    assert "What happened: Autotask query Tickets failed: HTTP 403: Access denied" in body
    assert f"What to do: {FIX}" in body
    assert "/v1/admin/connectors/acme/history" in body
    assert "fieldbridge reconcile --connector acme" in body

    assert "reconcile of connector acme failed: Autotask query Tickets failed: HTTP 403" in caplog.text
    for place in (str(failed), body, caplog.text):
        assert secret not in place
        assert "[redacted]" in place


def test_a_failed_pass_waits_for_the_interval_and_a_working_one_says_so(
    bridge: Bridge, parts: Parts, admin_api: httpx.Client
) -> None:
    bridge.at.fault(kind="status", method="POST", path="/Tickets/query", status=403)
    reconcile.reconcile_due(parts)
    assert ticket_queries(bridge) == 1
    written = len(connector_history(admin_api))

    reconcile.reconcile_due(parts)  # the next check, 30 s later in a consuming process: not due yet
    assert ticket_queries(bridge) == 1
    assert len(connector_history(admin_api)) == written

    bridge.at.control.delete("/_sim/faults").raise_for_status()
    with bridge.db.transaction() as session:  # as if the connector's 15 minutes had passed
        saved = checkpoints.load(session, bridge.connector_id, reconcile_failures.FAILED)
        assert saved is not None
        saved.updated_at -= timedelta(minutes=15)
    reconcile.reconcile_due(parts)
    assert ticket_queries(bridge) == 2
    newest = connector_history(admin_api)[0]
    assert (newest["level"], newest["action"], newest["message"]) == (
        "info",
        "reconcile-recovered",
        "Reconciler passes work again.",
    )
    reconcile.reconcile_due(parts)  # a pass just ran: nothing more until the interval
    assert ticket_queries(bridge) == 2
