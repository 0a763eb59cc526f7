"""The broker's doors: the trigger URL (Autotask) and the Field Nation webhook receiver.

Both do the same few things, in an order chosen so that no work is done for a caller who is not allowed
in: check the caller, read the body (at most `inbound_max_bytes`: `request_limits` counts it while it
arrives), read the notice, verify the signature over the exact bytes received, store and enqueue the event
(`jobs.intake.GroupedIntake`, which stores the events of concurrent requests together), answer 202 with its
id. The caller's connector comes from `store.doors` (remembered for a second, read on a miss); the rest runs
on the event loop, but for the store, which runs on the intake's own thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Hashable
from datetime import timedelta
from typing import TypeVar

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel
from sqlalchemy import Connection
from starlette.concurrency import run_in_threadpool

from fieldbridge.autotask import webhooks as autotask_webhooks
from fieldbridge.autotask.service_objects import SERVICE_OBJECTS
from fieldbridge.fieldnation import webhooks as fieldnation_webhooks
from fieldbridge.jobs import hints
from fieldbridge.paths import FIELDNATION_WEBHOOK_ROUTE, INBOUND_PATH
from fieldbridge.store import doors
from fieldbridge.store.doors import Door
from fieldbridge.store.inbox import Accepted, Hint
from fieldbridge.web.deps import Broker, broker_of, utcnow

log = logging.getLogger(__name__)

router = APIRouter(tags=["broker"])

DELIVERY_ID_HEADER = "X-FN-Delivery-Id"

T = TypeVar("T")


class AcceptedOut(BaseModel):
    event_id: int
    duplicate: bool
    """True when this delivery was one the inbox holds already: acknowledged, not stored again."""


# The doors' parameters, documented here because the doors read them from the request themselves.
_CLIENT_TOKEN = {
    "name": "client_token",
    "in": "query",
    "required": False,
    "description": "The connector's client token, as in its trigger URL (without it: 401).",
    "schema": {"type": "string"},
}
_CONNECTOR_NAME = {"name": "connector_name", "in": "path", "required": True, "schema": {"type": "string"}}


@router.post(
    INBOUND_PATH,
    status_code=202,
    responses={400: {}, 401: {}, 413: {}},
    openapi_extra={"requestBody": hints.TRIGGER_BODY, "parameters": [_CLIENT_TOKEN]},
)
async def trigger_url(request: Request) -> AcceptedOut:
    """Autotask's trigger URL: a ticket id, or an Autotask webhook payload, means "this ticket changed"."""
    # The broker and the token are read here rather than declared as parameters: FastAPI's resolution of
    # declared parameters was a fifth of an accept's CPU.
    broker = broker_of(request)
    client_token = request.query_params.get("client_token")
    door = await _door(broker, doors.token_key(client_token or ""), doors.for_token, client_token)
    if door is None:
        raise HTTPException(401, "The client token is missing or not valid.")
    raw = await request.body()
    hint = _parsed(hints.from_trigger, raw, SERVICE_OBJECTS[door.service_object].entity)
    if not _autotask_signature_holds(broker, door, hint, raw, request.headers.get(autotask_webhooks.HEADER)):
        header = autotask_webhooks.HEADER
        raise HTTPException(
            401, f"{header} is missing or does not match the body; check the webhook's secret key."
        )
    return await _submit(broker, door, hint, "trigger")


@router.post(
    FIELDNATION_WEBHOOK_ROUTE,
    status_code=202,
    responses={400: {}, 401: {}, 413: {}},
    openapi_extra={"parameters": [_CONNECTOR_NAME]},
)
async def fieldnation_webhook(request: Request) -> AcceptedOut:
    """Field Nation webhooks (signed with the connector's Field Nation webhook secret, stamped within
    `fieldnation_timestamp_tolerance_seconds` of our clock); a signed body is stored once."""
    broker = broker_of(request)  # read here, as in `trigger_url`
    connector_name: str = request.path_params["connector_name"]
    raw = await request.body()
    door = await _door(broker, ("name", connector_name), doors.named, connector_name)
    sealed = door.fieldnation_webhook_secret_sealed if door else None
    signature = request.headers.get(fieldnation_webhooks.HEADER)
    if (
        door is None
        or sealed is None
        or not fieldnation_webhooks.verify_signature(broker.box.open(sealed), raw, signature)
    ):
        why = (
            "no such connector"
            if door is None
            else "no webhook secret set"
            if sealed is None
            else "bad signature"
        )
        log.warning("Field Nation webhook for connector %r refused: %s", connector_name, why)
        raise HTTPException(401, f"{fieldnation_webhooks.HEADER} does not verify for this connector.")
    delivery_id = request.headers.get(DELIVERY_ID_HEADER)
    try:
        fieldnation_webhooks.check_timestamp(
            request.headers.get(fieldnation_webhooks.TIMESTAMP_HEADER),
            utcnow(),
            timedelta(seconds=broker.settings.fieldnation_timestamp_tolerance_seconds),
        )
    except fieldnation_webhooks.BadTimestamp as stale:
        # 400: Field Nation retries no 4xx, and this request sent again cannot become fresh. Not 404 or
        # 410, which Field Nation takes as the endpoint failing for good.
        log.warning(
            "Field Nation webhook for connector %r refused (delivery %r): %s",
            connector_name,
            delivery_id,
            stale,
        )
        raise HTTPException(400, str(stale)) from None
    hint = _parsed(hints.from_fieldnation, raw, delivery_id)
    return await _submit(broker, door, hint, "fieldnation-webhook")


def _parsed(parse: Callable[[bytes, T], Hint], raw: bytes, context: T) -> Hint:
    try:
        return parse(raw, context)
    except hints.BadHint as bad:
        raise HTTPException(400, str(bad)) from None


async def _submit(broker: Broker, door: Door, hint: Hint, name: str) -> AcceptedOut:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Accepted | Exception] = loop.create_future()

    def settle(result: Accepted | Exception) -> None:  # called on the intake's thread
        loop.call_soon_threadsafe(_settle, answer, result)

    broker.intake.submit(door.connector_id, hint, settle)
    accepted = await answer
    if isinstance(accepted, Exception):
        raise accepted
    if accepted.duplicate:
        broker.metrics.duplicates.labels(name).inc()
    return AcceptedOut(event_id=accepted.event_id, duplicate=accepted.duplicate)


def _settle(answer: asyncio.Future[Accepted | Exception], result: Accepted | Exception) -> None:
    if not answer.done():  # done: the request was cancelled (its client went away)
        answer.set_result(result)


def _autotask_signature_holds(
    broker: Broker, door: Door, hint: Hint, raw: bytes, signature: str | None
) -> bool:
    """Checked when the connector has a webhook secret and the request is, or says it is, a webhook."""
    sealed = door.autotask_webhook_secret_sealed
    if sealed is None or (hint.source != "autotask-webhook" and signature is None):
        return True
    return autotask_webhooks.verify_signature(broker.box.open(sealed), raw, signature)


async def _door(
    broker: Broker, remembered_as: Hashable, find: Callable[[Connection, T], Door | None], key: T
) -> Door | None:
    """The connector a request is for. On SQLite a lookup runs on the event loop: a lone read there never
    waits, and costs less than the hop to a worker thread did. A database across the network is read from
    the thread pool, so the loop never waits on it."""

    def read() -> Door | None:
        with broker.db.read_rows() as connection:
            return find(connection, key)

    if broker.db.local:
        return broker.doors.door(remembered_as, read)
    door = broker.doors.remembered(remembered_as)  # no hop for a door remembered
    return door if door is not None else await run_in_threadpool(broker.doors.door, remembered_as, read)
