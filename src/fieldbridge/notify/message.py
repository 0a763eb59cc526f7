"""What an alert email says (pure: no SMTP here)."""

from __future__ import annotations

from email.message import EmailMessage

from fieldbridge.notify.alerts import Alert, AlertKind

TITLES: dict[AlertKind, str] = {
    "dead_letter": "Dead letter",
    "auth_failure": "Authentication failure",
    "outbound_create_failure": "Outbound Create failed",
    "sync_warning": "Sync warning",
    "reconcile_failure": "Reconciler pass failed",
}


def compose(
    alert: Alert,
    connector_name: str,
    sender: str,
    recipients: list[str],
    held_back: int,
    public_base_url: str,
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"[FieldBridge] {connector_name}: {TITLES[alert.kind]} for {alert.subject}"
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    lines = [
        f"{TITLES[alert.kind]} on connector {connector_name}, for {alert.subject}.",
        "",
        f"What happened: {alert.cause}",
    ]
    if alert.fix:
        lines.append(f"What to do: {alert.fix}")
    if alert.event_id is None:
        lines += [
            "",
            f"The connector's history: {public_base_url}/v1/admin/connectors/{connector_name}/history",
        ]
    else:
        lines += ["", f"Event {alert.event_id}: {public_base_url}/v1/admin/events/{alert.event_id}"]
    if alert.kind == "dead_letter":
        lines.append("Once the cause is fixed, replay it: fieldbridge events replay " + str(alert.event_id))
    if alert.kind == "reconcile_failure":
        lines.append(
            f"Once the cause is fixed, run a pass now: fieldbridge reconcile --connector {connector_name}"
        )
    if held_back:
        lines += ["", f"{held_back} more alert(s) of this kind were held back since the last email."]
    message.set_content("\n".join(lines) + "\n")
    return message
