"""Webhooks v3 under `/api/v1/webhooks`: register, change and remove webhooks, read delivery logs, retry a
delivery by hand. Answers use v3's `{"metadata", "result"}` envelope and camelCase names."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from fieldbridge.sandbox.fieldnation.emulator import FieldNationEmulator
from fieldbridge.sandbox.fieldnation.errors import ApiError, not_found
from fieldbridge.sandbox.fieldnation.events import Webhook
from fieldbridge.sandbox.fieldnation.payloads import WebhookIn, WebhookUpdate
from fieldbridge.sandbox.fieldnation.render import JSON
from fieldbridge.sandbox.fieldnation.routing import Emu, WebhooksActor
from fieldbridge.sandbox.webhooks import Delivery

router = APIRouter(prefix="/api/v1/webhooks")
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def answer(result: Any, **metadata: Any) -> JSON:
    return {"metadata": {"timestamp": datetime.now(UTC).isoformat(), **metadata}, "result": result}


def webhook_json(hook: Webhook) -> JSON:
    return {
        "id": hook.id,
        "webhookId": hook.webhook_id,
        "companyId": hook.company_id,
        "userId": hook.user_id,
        "events": hook.events,
        "url": hook.url,
        "method": "post",
        "status": hook.status,
        "secret": hook.secret,
        "notificationEmail": hook.notification_email,
        "createdAt": hook.created_at.isoformat(),
        "updatedAt": hook.updated_at.isoformat(),
    }


def _check_url(url: str) -> str:
    # Field Nation takes HTTPS only; plain HTTP is let through for receivers on this machine (tests, demo).
    parts = urlsplit(url)
    if parts.hostname and (
        parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK)
    ):
        return url
    raise ApiError(
        400, f"Invalid request: 'url' must be a valid HTTPS URL (http only for loopback), got {url!r}"
    )


@router.get("")
async def list_webhooks(emu: Emu, actor: WebhooksActor) -> JSON:
    hooks = [webhook_json(h) for h in emu.state.webhooks.values()]
    return answer(hooks, count=len(hooks), total=len(hooks))


@router.post("", status_code=201)
async def create(emu: Emu, actor: WebhooksActor, body: WebhookIn) -> JSON:
    now = datetime.now(UTC)
    hook = Webhook(
        id=emu.state.new_id(),
        webhook_id=f"wh_{secrets.token_hex(8)}",
        company_id=emu.state.catalog.company.id,
        user_id=actor,
        url=_check_url(body.url),
        events=body.events,
        status=body.status or "active",
        secret=body.secret,
        notification_email=body.notificationEmail,
        created_at=now,
        updated_at=now,
    )
    emu.state.webhooks[hook.webhook_id] = hook
    return answer(webhook_json(hook))


# Delivery-log routes come before `/{webhook_id}` so that path does not swallow them.
@router.get("/delivery-logs")
async def delivery_logs(
    emu: Emu,
    actor: WebhooksActor,
    webhookId: str | None = None,
    workOrderId: int | None = None,
    eventName: str | None = None,
    deliveryStatus: int | None = None,
    page: Annotated[int, Query(ge=1)] = 1,
    perPage: Annotated[int, Query(ge=1, le=500)] = 50,
) -> JSON:
    logs = [_log_json(d) for d in emu.sandbox.webhooks.deliveries()]
    logs = [
        log
        for log in logs
        if (webhookId is None or log["webhookId"] == webhookId)
        and (workOrderId is None or log["workOrderId"] == workOrderId)
        and (eventName is None or log["eventName"] == eventName)
        and (deliveryStatus is None or log["deliveryStatus"] == deliveryStatus)
    ]
    logs.sort(key=lambda log: log["createdAt"], reverse=True)
    chosen = logs[(page - 1) * perPage : page * perPage]
    return answer(chosen, count=len(chosen), total=len(logs), query={"page": page, "perPage": perPage})


@router.get("/delivery-logs/{delivery_id}")
async def delivery_log(emu: Emu, actor: WebhooksActor, delivery_id: str) -> JSON:
    delivery = _delivery(emu, delivery_id)
    lines = [
        f"attempt {a.number} at {a.at}: {a.status or a.error} ({a.duration_ms} ms)" for a in delivery.attempts
    ]
    return answer(
        {**_log_json(delivery), "delivery_log": "\n".join([*lines, delivery.outcome or delivery.state])}
    )


@router.patch("/delivery-logs/{delivery_id}/retry")
async def retry(emu: Emu, actor: WebhooksActor, delivery_id: str) -> JSON:
    delivery = _delivery(emu, delivery_id)
    # The dispatcher waits for the attempt to finish; keep the event loop free meanwhile.
    await run_in_threadpool(emu.sandbox.webhooks.retry, delivery.id)
    return answer({"job_id": f"{delivery.id}:{len(delivery.attempts)}", **_log_json(delivery)})


@router.get("/{webhook_id}")
async def get(emu: Emu, actor: WebhooksActor, webhook_id: str) -> JSON:
    return answer(webhook_json(emu.state.webhook(webhook_id)))


@router.put("/{webhook_id}")
async def update(emu: Emu, actor: WebhooksActor, webhook_id: str, body: WebhookUpdate) -> JSON:
    hook = emu.state.webhook(webhook_id)
    if body.url is not None:
        hook.url = _check_url(body.url)
    if body.events is not None:
        hook.events = body.events
    if body.status is not None:
        hook.status = body.status
    if "secret" in body.model_fields_set:
        hook.secret = body.secret
    if "notificationEmail" in body.model_fields_set:
        hook.notification_email = body.notificationEmail
    hook.updated_at = datetime.now(UTC)
    return answer(webhook_json(hook))


@router.delete("/{webhook_id}")
async def delete(emu: Emu, actor: WebhooksActor, webhook_id: str) -> JSON:
    hook = emu.state.webhook(webhook_id)
    del emu.state.webhooks[hook.webhook_id]
    return answer(webhook_json(hook))


def _delivery(emu: FieldNationEmulator, delivery_id: str) -> Delivery:
    delivery = emu.sandbox.webhooks.get(delivery_id)
    if delivery is None:
        raise not_found("Delivery", delivery_id)
    return delivery


def _log_json(delivery: Delivery) -> JSON:
    payload = json.loads(delivery.body)
    last = delivery.attempts[-1] if delivery.attempts else None
    return {
        "deliveryId": delivery.id,
        "webhookId": delivery.target,
        "workOrderId": payload["event"]["params"]["work_order_id"],
        "eventName": payload["event"]["name"],
        "deliveryStatus": last.status if last and last.status is not None else 0,
        "deliveryAttempt": len(delivery.attempts),
        "state": delivery.state,
        "createdAt": payload["timestamp"],
    }
