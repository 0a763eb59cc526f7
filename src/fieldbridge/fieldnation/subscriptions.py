"""Webhooks v3 registration and delivery logs (`/api/v1/webhooks`, client-credentials token). Checking a
delivery's signature is `fieldbridge.fieldnation.webhooks.verify_signature`."""

from __future__ import annotations

import builtins
from typing import Any, Literal

from fieldbridge.fieldnation.models import DeliveryLog, Webhook
from fieldbridge.fieldnation.transport import Transport

WebhookStatus = Literal["active", "inactive", "archived"]


class Webhooks:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def _result(self, method: str, path: str = "", **kwargs: Any) -> Any:
        return self._t.request(method, path, api="webhooks", **kwargs).json()["result"]

    def list(self) -> builtins.list[Webhook]:
        return [Webhook.model_validate(w) for w in self._result("GET")]

    def get(self, webhook_id: str) -> Webhook:
        return Webhook.model_validate(self._result("GET", f"/{webhook_id}"))

    def create(
        self,
        url: str,
        events: builtins.list[str],
        secret: str | None = None,
        status: WebhookStatus = "active",
        notification_email: str | None = None,
    ) -> Webhook:
        body: dict[str, Any] = {"url": url, "method": "post", "status": status, "events": events}
        if secret is not None:
            body["secret"] = secret
        if notification_email is not None:
            body["notificationEmail"] = notification_email
        return Webhook.model_validate(self._result("POST", json=body))

    def update(
        self,
        webhook_id: str,
        *,
        url: str | None = None,
        events: builtins.list[str] | None = None,
        secret: str | None = None,
        status: WebhookStatus | None = None,
    ) -> Webhook:
        changes = {"url": url, "events": events, "secret": secret, "status": status}
        body = {k: v for k, v in changes.items() if v is not None}
        return Webhook.model_validate(self._result("PUT", f"/{webhook_id}", json=body))

    def delete(self, webhook_id: str) -> None:
        self._t.request("DELETE", f"/{webhook_id}", api="webhooks")

    def delivery_logs(
        self,
        webhook_id: str | None = None,
        work_order_id: int | None = None,
        event_name: str | None = None,
        page: int = 1,
        per_page: int = 50,
    ) -> builtins.list[DeliveryLog]:
        """Newest first."""
        query = {"webhookId": webhook_id, "workOrderId": work_order_id, "eventName": event_name}
        params = {k: v for k, v in query.items() if v is not None} | {"page": page, "perPage": per_page}
        return [DeliveryLog.model_validate(d) for d in self._result("GET", "/delivery-logs", params=params)]

    def delivery_log(self, delivery_id: str) -> DeliveryLog:
        return DeliveryLog.model_validate(self._result("GET", f"/delivery-logs/{delivery_id}"))

    def retry_delivery(self, delivery_id: str) -> str:
        """Send a delivery once more, now; returns the retry's job id."""
        return str(self._result("PATCH", f"/delivery-logs/{delivery_id}/retry")["job_id"])
