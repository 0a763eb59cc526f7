"""Alert emails through a real SMTP server on loopback: who gets them, what they say, the rate limit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from cryptography.fernet import Fernet

from fieldbridge.notify.alerts import Alert, AlertKind
from fieldbridge.notify.email import EmailNotifier
from fieldbridge.settings import Settings, SmtpSettings
from fieldbridge.store import history, inbox
from fieldbridge.store.database import Database
from fieldbridge.store.secrets import SecretBox
from tests.integration.broker.store_helpers import NOW, add_connector, ticket_hint
from tests.support.smtp import Mailbox, free_port


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def setup(settings: Settings, db: Database, mailbox: Mailbox) -> tuple[EmailNotifier, Clock, int, int]:
    settings.smtp = SmtpSettings(
        host=mailbox.host, port=mailbox.port, sender="bridge@acme.example", to=["noc@acme.example"]
    )
    connector_id = add_connector(
        db, SecretBox(Fernet.generate_key()), notification_emails=["ops@acme.example"]
    )
    event_id = inbox.accept(db, connector_id, ticket_hint(42), NOW).event_id
    clock = Clock()
    return EmailNotifier(settings, db, clock=clock), clock, connector_id, event_id


def alert(connector_id: int, event_id: int, kind: AlertKind = "dead_letter") -> Alert:
    return Alert(
        kind, connector_id, event_id, "Autotask Ticket 42", "Autotask refused the login.", "Check it."
    )


def last_history(db: Database, event_id: int) -> str:
    with db.transaction() as session:
        return history.for_event(session, event_id)[-1].message


def test_a_dead_letter_is_emailed_to_the_connector_and_deployment_addresses(
    setup: tuple[EmailNotifier, Clock, int, int], mailbox: Mailbox, db: Database
) -> None:
    notifier, _, connector_id, event_id = setup
    notifier(alert(connector_id, event_id))
    (message,) = mailbox.messages
    assert message["Subject"] == "[FieldBridge] acme: Dead letter for Autotask Ticket 42"
    assert message["To"] == "noc@acme.example, ops@acme.example"
    body = message.get_payload()
    assert isinstance(body, str)
    assert "What happened: Autotask refused the login." in body
    assert "What to do: Check it." in body
    assert f"https://bridge.example.test/v1/admin/events/{event_id}" in body
    assert f"fieldbridge events replay {event_id}" in body
    assert (
        last_history(db, event_id)
        == "Email about this dead letter sent to noc@acme.example, ops@acme.example."
    )


def test_alerts_are_rate_limited_per_connector_and_kind(
    setup: tuple[EmailNotifier, Clock, int, int], mailbox: Mailbox, db: Database
) -> None:
    notifier, clock, connector_id, event_id = setup
    notifier(alert(connector_id, event_id))
    clock.now = NOW + timedelta(minutes=5)
    notifier(alert(connector_id, event_id))
    notifier(alert(connector_id, event_id))
    assert len(mailbox.messages) == 1
    assert "one went out less than 0:15:00 ago" in last_history(db, event_id)
    notifier(alert(connector_id, event_id, kind="auth_failure"))  # another kind has its own window
    assert len(mailbox.messages) == 2
    clock.now = NOW + timedelta(minutes=16)
    notifier(alert(connector_id, event_id))
    assert len(mailbox.messages) == 3
    body = mailbox.messages[-1].get_payload()
    assert isinstance(body, str)
    assert "2 more alert(s) of this kind were held back" in body


def test_without_smtp_the_history_says_no_email_went_out(
    setup: tuple[EmailNotifier, Clock, int, int], settings: Settings, db: Database, mailbox: Mailbox
) -> None:
    notifier, _, connector_id, event_id = setup
    settings.smtp = SmtpSettings()
    notifier(alert(connector_id, event_id))
    assert mailbox.messages == []
    assert (
        last_history(db, event_id)
        == "No email was sent about this dead letter: no SMTP server is configured."
    )


def test_an_unreachable_smtp_server_is_recorded(
    setup: tuple[EmailNotifier, Clock, int, int], settings: Settings, db: Database
) -> None:
    notifier, _, connector_id, event_id = setup
    settings.smtp = SmtpSettings(
        host="127.0.0.1", port=free_port(), to=["noc@acme.example"], timeout_seconds=2
    )
    notifier(alert(connector_id, event_id, kind="outbound_create_failure"))
    assert last_history(db, event_id).startswith(
        "The email about this outbound create failed could not be sent"
    )
