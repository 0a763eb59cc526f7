"""What Autotask and Field Nation send the broker: an Autotask webhook payload with the bytes Autotask signs,
and a Field Nation delivery's body and headers."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fieldbridge.fieldnation.webhooks import sign as fieldnation_sign

WEBHOOK = {
    "Action": "Update",
    "Guid": "7c1e1e58-1c2b-4d0e-9d43-0a4d1c5b2a11",
    "EntityType": "Ticket",
    "Id": 42,
    "Fields": {"Status": 8, "Title": "Printer <jammed> & \u00e9"},
    "EventTime": "2025-03-01T12:00:00Z",
    "SequenceNumber": 17,
    "PersonID": 29682885,
}


def autotask_bytes(payload: dict[str, object]) -> bytes:
    # Autotask escapes & < > ' and non-ASCII inside strings; signatures hold over exactly these bytes.
    text = json.dumps(payload, ensure_ascii=True)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return text.encode()


def fieldnation_headers(
    secret: str, body: bytes, delivery: str | None, sent_at: datetime | None = None
) -> dict[str, str]:
    """What Field Nation sends with one attempt: the signature, the delivery id and the attempt's time."""
    sent_at = sent_at or datetime.now(UTC)
    headers = {
        "X-FN-Signature": fieldnation_sign(secret, body),
        "X-FN-Webhook-Id": "wh-1",
        "X-FN-Request-Timestamp": str(int(sent_at.timestamp() * 1000)),
    }
    if delivery is not None:
        headers["X-FN-Delivery-Id"] = delivery
    return headers


def fieldnation_body(work_order_id: int, name: str = "workorder.status.work_done") -> bytes:
    return json.dumps(
        {
            "event": {"name": name, "params": {"work_order_id": work_order_id, "status_id": 4}},
            "timestamp": "2025-03-01T12:00:00+00:00",
            "triggered_by_user": {"id": 99},
            "workorder": {"id": work_order_id, "title": "Replace printer"},
        }
    ).encode()
