"""Reading a change notice from a request body: pure, so every accepted and refused form is easy to test.

The trigger URL takes a ticket id as `{"id": n}`, `{"ticket_id": n}`, a bare number, or an Autotask webhook
payload (`{"Action", "Guid", "EntityType", "Id", "SequenceNumber", ...}`). Field Nation webhooks carry the
work order id in `event.params.work_order_id` (or `workorder.id`, or `workOrderId` in an older shape).
A body that does not fit raises `BadHint` with a sentence saying what is wrong and what would be right.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fieldbridge.store.inbox import Hint

TRIGGER_FORMS = (
    'send the ticket id as {"id": n}, {"ticket_id": n}, a bare number, or an Autotask webhook payload'
)
_LARGEST_ID = 2**63 - 1


class BadHint(ValueError):
    pass


def from_trigger(raw: bytes, entity: str) -> Hint:
    """`entity` is the Autotask entity a bare id names (the connector's service object)."""
    body = _json(raw, TRIGGER_FORMS)
    if isinstance(body, dict) and ("EntityType" in body or "Guid" in body):
        return _autotask_webhook(body)
    if isinstance(body, dict):
        record_id = _id_field(body)
    elif _is_id(body):
        record_id = _record_id(body, "the body")
    else:
        raise BadHint(f"The body is JSON but not a ticket id ({type(body).__name__}); {TRIGGER_FORMS}.")
    return Hint(source="trigger", system="autotask", entity=entity, record_id=record_id, coalesce=True)


def from_fieldnation(raw: bytes, delivery_id: str | None) -> Hint:
    # `<uuid>:<attempt>`: the attempt changes on every retry, the uuid names the delivery.
    delivery = (delivery_id or "").partition(":")[0].strip()
    if not delivery:
        raise BadHint("The X-FN-Delivery-Id header is missing; Field Nation sends it as <uuid>:<attempt>.")
    body = _json(raw, "send a Field Nation webhook payload")
    if not isinstance(body, dict):
        raise BadHint("The body is JSON but not an object; a Field Nation webhook payload is an object.")
    candidates = (
        ("event.params.work_order_id", _dig(body, "event", "params", "work_order_id")),
        ("workorder.id", _dig(body, "workorder", "id")),
        ("workOrderId", body.get("workOrderId")),
    )
    found = [(where, value) for where, value in candidates if value is not None]
    if not found:
        raise BadHint("No work order id found: expected event.params.work_order_id or workorder.id.")
    where, value = found[0]
    return Hint(
        source="fieldnation-webhook",
        system="fieldnation",
        entity="workorder",
        record_id=_record_id(value, where),
        payload=body,
        dedup_key=f"fieldnation:{delivery}",
        # The delivery id is not signed, the body is: a captured body sent again under a new id is the
        # same event.
        body_digest=hashlib.sha256(raw).hexdigest(),
    )


def _autotask_webhook(body: dict[str, Any]) -> Hint:
    entity_type = body.get("EntityType")
    if entity_type != "Ticket":
        raise BadHint(
            f"An Autotask webhook for EntityType {entity_type!r} is not handled here; subscribe a ticket "
            "webhook (EntityType 'Ticket') to this URL."
        )
    record_id = _record_id(body.get("Id"), "Id")
    guid, sequence = body.get("Guid"), body.get("SequenceNumber")
    # Autotask re-sends a payload unchanged when a delivery fails: (webhook, sequence) names the event.
    dedup_key = f"autotask-webhook:{guid}:{sequence}:{record_id}" if guid and sequence is not None else None
    return Hint(
        source="autotask-webhook",
        system="autotask",
        entity="Ticket",
        record_id=record_id,
        payload=body,
        dedup_key=dedup_key,
        coalesce=dedup_key is None,
    )


def _json(raw: bytes, expected: str) -> Any:
    if not raw.strip():
        raise BadHint(f"The body is empty; {expected}.")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise BadHint(f"The body is not valid JSON; {expected}.") from None


def _id_field(body: dict[str, Any]) -> int:
    given = {name: body[name] for name in ("id", "ticket_id") if name in body}
    if not given:
        raise BadHint(f'The JSON object has neither "id" nor "ticket_id"; {TRIGGER_FORMS}.')
    ids = {name: _record_id(value, f'"{name}"') for name, value in given.items()}
    if len(set(ids.values())) > 1:
        raise BadHint(f'"id" ({ids["id"]}) and "ticket_id" ({ids["ticket_id"]}) disagree; send one of them.')
    return next(iter(ids.values()))


def _is_id(value: Any) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, str) and value.isascii() and value.isdigit()
    )


def _record_id(value: Any, where: str) -> int:
    if not _is_id(value) or not 0 < int(value) <= _LARGEST_ID:
        raise BadHint(f"{where} must be a positive whole number, not {json.dumps(value)[:40]}.")
    return int(value)


def _dig(body: dict[str, Any], *path: str) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def manual_import(record_id: int, entity: str) -> Hint:
    """A person asking for one record to be imported now (admin API or `fieldbridge import`)."""
    if not 0 < record_id <= _LARGEST_ID:
        raise BadHint(f"A ticket id must be a positive whole number, not {record_id}.")
    return Hint(source="import", system="autotask", entity=entity, record_id=record_id, coalesce=True)
