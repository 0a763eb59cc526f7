"""Webhooks v3 events: the documented names, the payload, the signed delivery headers, and the emulator's
own record of every event fired (so `/_sim/` can show what an action caused even with no webhook)."""

from __future__ import annotations

import json
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fieldbridge.fieldnation.webhooks import sign
from fieldbridge.sandbox.webhooks import Delivery, RetryPolicy, WebhookDispatcher

EVENT_NAMES: tuple[str, ...] = (
    "workorder.created",
    "workorder.status.draft",
    "workorder.status.published",
    "workorder.routed",
    "workorder.status.routed",
    "workorder.requested",
    "workorder.declined",
    "workorder.undeclined",
    "workorder.status.assigned",
    "workorder.status.confirmed",
    "workorder.status.assigned_cancelled",
    "workorder.status.on_my_way",
    "workorder.status.checked_in",
    "workorder.status.checked_out",
    "workorder.task_completed",
    "workorder.task_incomplete",
    "workorder.message_posted",
    "workorder.provider_upload",
    "workorder.custom_field_value_updated",
    "workorder.schedule_updated",
    "workorder.tag_added",
    "workorder.tag_removed",
    "workorder.part_updated",
    "workorder.status.at_risk",
    "workorder.status.delayed",
    "workorder.status.work_done",
    "workorder.status.approved",
    "workorder.status.paid",
    "workorder.status.cancelled",
)

# Field Nation: attempts after 0, 10, 20 ... 640 s; 404/410 permanent; other 4xx not retried; 30 s to answer.
RETRY_POLICY = RetryPolicy(
    delays=(0, 10, 20, 40, 80, 160, 320, 640),
    timeout=30.0,
    permanent_statuses=frozenset({404, 410}),
    retry_client_errors=False,
)


@dataclass
class Webhook:
    id: int
    webhook_id: str
    company_id: int
    user_id: int
    url: str
    events: list[str]
    status: str
    secret: str | None
    notification_email: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class Event:
    name: str
    work_order_id: int
    status_id: int
    previous_status_id: int
    triggered_by: int
    at: datetime
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "work_order_id": self.work_order_id,
            "status_id": self.status_id,
            "previous_status_id": self.previous_status_id,
            "triggered_by_user": self.triggered_by,
            "timestamp": self.at.isoformat(),
            "trace_id": self.trace_id,
        }


def attempt_headers(delivery: Delivery, attempt: int) -> dict[str, str]:
    """Per-attempt headers; the delivery id carries the attempt number and is the idempotency key."""
    return {
        "X-FN-Delivery-Id": f"{delivery.id}:{attempt}",
        "X-FN-Request-Timestamp": str(int(time.time() * 1000)),
    }


class EventPublisher:
    def __init__(self, dispatcher: WebhookDispatcher, keep: int = 5000) -> None:
        self._dispatcher = dispatcher
        self.fired: deque[Event] = deque(maxlen=keep)

    def publish(self, event: Event, workorder: Callable[[], dict[str, Any]], webhooks: list[Webhook]) -> None:
        """Record `event` and deliver it to the active webhooks subscribed to it, with the work order as
        `workorder()` shows it (made only when some webhook wants it: seeding fires thousands of events)."""
        self.fired.append(event)
        targets = [h for h in webhooks if h.status == "active" and event.name in h.events]
        if not targets:
            return
        body = json.dumps(
            {
                "event": {
                    "name": event.name,
                    "params": {
                        "work_order_id": event.work_order_id,
                        "status_id": event.status_id,
                        "previous_status_id": event.previous_status_id,
                    },
                },
                "timestamp": event.at.isoformat(),
                "triggered_by_user": {"id": event.triggered_by},
                "workorder": workorder(),
            }
        ).encode("utf-8")
        for hook in targets:
            headers = {
                "Content-Type": "application/json",
                "X-FN-Webhook-Id": hook.webhook_id,
                "X-FN-Event-Trace-Id": event.trace_id,
            }
            if hook.secret:
                headers["X-FN-Signature"] = sign(hook.secret, body)
            self._dispatcher.submit(hook.webhook_id, hook.url, body, headers)
