"""Sending alerts by SMTP, rate limited per connector and kind; the pair's history records each outcome."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from fieldbridge.notify.alerts import Alert
from fieldbridge.notify.message import TITLES, compose
from fieldbridge.settings import Settings, SmtpSettings
from fieldbridge.store import history, notification_log
from fieldbridge.store.database import Database
from fieldbridge.store.tables import Connector, InboxEvent

log = logging.getLogger(__name__)

Outcome = tuple[history.Level, str, str | None]


class EmailNotifier:
    def __init__(
        self, settings: Settings, db: Database, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock

    def __call__(self, alert: Alert) -> None:
        level, message, fix = self._deliver(alert)
        with self._db.transaction() as session:
            if alert.event_id is None:
                history.record_for_connector(
                    session, alert.connector_id, self._clock(), level, "alert", message, fix
                )
                return
            event = session.get(InboxEvent, alert.event_id)
            assert event is not None
            history.record(session, event, self._clock(), level, "alert", message, fix)

    def _deliver(self, alert: Alert) -> Outcome:
        smtp, title = self._settings.smtp, TITLES[alert.kind].lower()
        with self._db.transaction() as session:
            connector = session.get(Connector, alert.connector_id)
            assert connector is not None
            recipients = sorted(set(connector.notification_emails) | set(smtp.to))
            if not smtp.host or not recipients:
                missing = (
                    "no SMTP server is configured" if not smtp.host else "no notification address is set"
                )
                fix = "Set FIELDBRIDGE_SMTP__HOST and the connector's notification addresses."
                return ("warning", f"No email was sent about this {title}: {missing}.", fix)
            window = timedelta(seconds=smtp.rate_limit_seconds)
            held_back = notification_log.claim_send(session, connector.id, alert.kind, self._clock(), window)
            if held_back is None:
                return ("info", f"No email about this {title}: one went out less than {window} ago.", None)
            name = connector.name
        email = compose(alert, name, smtp.sender, recipients, held_back, self._settings.public_base_url)
        try:
            send(smtp, email)
        except (OSError, smtplib.SMTPException) as error:
            about = f"event {alert.event_id}" if alert.event_id is not None else f"connector {name}"
            log.warning("alert email about %s could not be sent: %s", about, error)
            fix = "Check the SMTP settings (FIELDBRIDGE_SMTP__*) and that the server accepts our mail."
            return ("warning", f"The email about this {title} could not be sent: {error}.", fix)
        return ("info", f"Email about this {title} sent to {', '.join(recipients)}.", None)


def send(smtp: SmtpSettings, message: EmailMessage) -> None:
    connection = (smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP)(
        smtp.host, smtp.port, timeout=smtp.timeout_seconds
    )
    with connection:
        if smtp.starttls:
            connection.starttls()
        if smtp.username:
            password = smtp.password.get_secret_value() if smtp.password else ""
            connection.login(smtp.username, password)
        connection.send_message(message)
