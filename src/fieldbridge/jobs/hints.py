"""Reading a change notice from a request body: pure, so every accepted and refused form is easy to test.

The trigger URL takes a ticket id as `{"id": n}`, `{"ticket_id": n}`, a bare number, or an Autotask webhook
payload (`{"Action", "Guid", "EntityType", "Id", "SequenceNumber", ...}`). Field Nation webhooks carry the
work order id in `event.params.work_order_id` (or `workorder.id`, or `workOrderId` in an older shape).
A body that does not fit raises `BadHint` with a sentence saying what is wrong and what would be right.
"""

from __future__ import annotations

import hashlib
from typing import Any

from fieldbridge import strict_json
from fieldbridge.store import columns
from fieldbridge.store.inbox import Hint
from fieldbridge.store.tables import InboxEvent

TRIGGER_FORMS = (
    'send the ticket id as {"id": n}, {"ticket_id": n}, a bare number, or an Autotask webhook payload'
)
_LARGEST_ID = columns.int_range(InboxEvent.record_id)[1]
_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": _LARGEST_ID}
TRIGGER_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "anyOf": [
                    {**_ID_SCHEMA, "title": "A bare ticket id"},
                    {"type": "object", "properties": {"id": _ID_SCHEMA}, "required": ["id"]},
                    {"type": "object", "properties": {"ticket_id": _ID_SCHEMA}, "required": ["ticket_id"]},
                    {
                        "title": "An Autotask webhook payload",
                        "type": "object",
                        "properties": {
                            "Action": {"type": "string"},
                            "Guid": {"type": "string"},
                            "EntityType": {"const": "Ticket"},
                            "Id": _ID_SCHEMA,
                            "SequenceNumber": {"type": "integer", "minimum": 0},
                            "Fields": {"type": "object"},
                        },
                        "required": ["EntityType", "Id"],
                    },
                ]
            }
        }
    },
}
"""The forms above, for OpenAPI: the route reads its body itself, so FastAPI cannot describe it."""
_DEDUP_KEY_LENGTH = columns.max_length(InboxEvent.dedup_key)
_FIELDNATION_KEY_PREFIX = "fieldnation:"
_AUTOTASK_KEY_PREFIX = "autotask-webhook:"


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
    room = _DEDUP_KEY_LENGTH - len(_FIELDNATION_KEY_PREFIX)
    if len(delivery) > room:
        raise BadHint(
            f"The X-FN-Delivery-Id header's id (before the ':') has {len(delivery)} characters; at most "
            f"{room} are kept. Field Nation sends <uuid>:<attempt>, a 36-character uuid."
        )
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
        dedup_key=f"{_FIELDNATION_KEY_PREFIX}{delivery}",
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
    dedup_key = _autotask_dedup_key(body.get("Guid"), body.get("SequenceNumber"), record_id)
    return Hint(
        source="autotask-webhook",
        system="autotask",
        entity="Ticket",
        record_id=record_id,
        payload=body,
        dedup_key=dedup_key,
        coalesce=dedup_key is None,
    )


def _autotask_dedup_key(guid: Any, sequence: Any, record_id: int) -> str | None:
    """Autotask re-sends a payload unchanged when a delivery fails: (webhook, sequence) names the event."""
    if guid is not None and not isinstance(guid, str):
        raise BadHint("Guid must be a string; Autotask sends the webhook's GUID.")
    if not guid or sequence is None:
        return None
    tail = f":{_whole(sequence, 'SequenceNumber', low=0)}:{record_id}"
    room = _DEDUP_KEY_LENGTH - len(_AUTOTASK_KEY_PREFIX) - len(tail)
    if len(guid) > room:
        raise BadHint(
            f"Guid has {len(guid)} characters; at most {room} are kept with this SequenceNumber and Id. "
            "Autotask's webhook Guid has 36."
        )
    return f"{_AUTOTASK_KEY_PREFIX}{guid}{tail}"


def _json(raw: bytes, expected: str) -> Any:
    if not raw.strip():
        raise BadHint(f"The body is empty; {expected}.")
    try:
        return strict_json.parse(raw)
    except strict_json.BadJson as bad:
        raise BadHint(f"The body {bad.problem}; {bad.fix or expected}.") from None


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
    return _whole(value, where, low=1)


def _whole(value: Any, where: str, *, low: int) -> int:
    """A whole number from `low` (0 or 1) to the largest id the store holds, given as a number or digits."""
    number = value if isinstance(value, int) and not isinstance(value, bool) else _from_digits(value)
    if number is not None and low <= number <= _LARGEST_ID:
        return number
    wanted = "a positive whole number" if low else "a whole number from 0"
    raise BadHint(f"{where} must be {wanted} up to {_LARGEST_ID}.")


def _from_digits(value: Any) -> int | None:
    # More digits than the largest id has is out of range; int() of thousands of them would raise.
    if _is_id(value) and isinstance(value, str) and len(value.lstrip("0")) <= len(str(_LARGEST_ID)):
        return int(value)
    return None


def _dig(body: dict[str, Any], *path: str) -> Any:
    value: Any = body
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def manual_import(record_id: int, entity: str) -> Hint:
    """A person asking for one record to be imported now (admin API or `fieldbridge import`)."""
    return Hint(
        source="import",
        system="autotask",
        entity=entity,
        record_id=_record_id(record_id, "The ticket id"),
        coalesce=True,
    )


def partner_imports(pair: list[tuple[str, str, int]]) -> list[Hint]:
    """Syncing a pair now, both ways (`fieldbridge resync`, the console): besides the ticket's own
    `manual_import`, one import for each other record of its pair (`store.links.pair_records`: the ticket
    first, then its work order once linked)."""
    return [Hint("import", system, kind, record_id, coalesce=True) for system, kind, record_id in pair[1:]]
