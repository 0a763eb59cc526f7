from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.jobs.hints import BadHint, from_fieldnation, from_trigger

WEBHOOK = {
    "Action": "Update",
    "Guid": "7c1e1e58-1c2b-4d0e-9d43-0a4d1c5b2a11",
    "EntityType": "Ticket",
    "Id": 42,
    "Fields": {"Status": 8},
    "EventTime": "2025-03-01T12:00:00Z",
    "SequenceNumber": 17,
    "PersonID": 29682885,
}


@pytest.mark.parametrize(
    "body", [b'{"id": 42}', b'{"ticket_id": 42}', b"42", b" 42\n", b'{"id": "42"}', b'"42"']
)
def test_every_trigger_form_names_the_ticket(body: bytes) -> None:
    hint = from_trigger(body, "Ticket")
    assert (hint.source, hint.system, hint.entity, hint.record_id) == ("trigger", "autotask", "Ticket", 42)
    assert hint.coalesce
    assert hint.dedup_key is None
    assert hint.pending_key == "autotask:Ticket:42"


def test_a_bare_id_names_the_connectors_service_object() -> None:
    assert from_trigger(b"7", "ServiceCall").entity == "ServiceCall"


def test_an_autotask_webhook_is_identified_by_its_webhook_and_sequence() -> None:
    hint = from_trigger(json.dumps(WEBHOOK).encode(), "ServiceCall")
    assert (hint.source, hint.entity, hint.record_id) == ("autotask-webhook", "Ticket", 42)
    assert hint.dedup_key == "autotask-webhook:7c1e1e58-1c2b-4d0e-9d43-0a4d1c5b2a11:17:42"
    assert not hint.coalesce
    assert hint.payload == WEBHOOK


def test_a_webhook_without_a_sequence_number_coalesces_like_a_bare_id() -> None:
    body = {k: v for k, v in WEBHOOK.items() if k != "SequenceNumber"}
    hint = from_trigger(json.dumps(body).encode(), "Ticket")
    assert hint.dedup_key is None
    assert hint.coalesce


@pytest.mark.parametrize(
    ("body", "complaint"),
    [
        (b"", "The body is empty"),
        (b"   ", "The body is empty"),
        (b"ticket 42", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[42]", "not a ticket id (list)"),
        (b"true", "not a ticket id (bool)"),
        (b"42.5", "not a ticket id (float)"),
        (b"0", "must be a positive whole number"),
        (b"-3", "must be a positive whole number"),
        (b"99999999999999999999", "outside the 64-bit range"),
        (b'{"ticket": 42}', 'neither "id" nor "ticket_id"'),
        (b'{"id": "abc"}', '"id" must be a positive whole number'),
        (b'{"id": true}', '"id" must be a positive whole number'),
        (b'{"id": 1, "ticket_id": 2}', "disagree"),
        (b'{"EntityType": "Company", "Id": 5, "Guid": "g"}', "EntityType 'Company' is not handled"),
        (b'{"EntityType": "Ticket", "Guid": "g"}', "Id must be a positive whole number"),
    ],
)
def test_bad_trigger_bodies_say_what_is_wrong(body: bytes, complaint: str) -> None:
    with pytest.raises(BadHint, match=complaint.replace("(", r"\(").replace(")", r"\)")):
        from_trigger(body, "Ticket")


@given(st.binary(max_size=64))
def test_any_bytes_either_name_a_record_or_are_refused_politely(body: bytes) -> None:
    outcome: str
    try:
        outcome = str(from_trigger(body, "Ticket").record_id)
    except BadHint as refusal:
        outcome = str(refusal)
    assert outcome.isdigit() or outcome.endswith(".")


def test_a_fieldnation_webhook_is_identified_by_the_delivery_uuid_not_the_attempt() -> None:
    body = json.dumps(
        {"event": {"name": "workorder.status.work_done", "params": {"work_order_id": 7}}}
    ).encode()
    first = from_fieldnation(body, "0b7c9a1e-5f0a-4d8e-b0e4-3f1c2d9e8a77:1")
    retry = from_fieldnation(body, "0b7c9a1e-5f0a-4d8e-b0e4-3f1c2d9e8a77:2")
    assert first.dedup_key == retry.dedup_key == "fieldnation:0b7c9a1e-5f0a-4d8e-b0e4-3f1c2d9e8a77"
    assert (first.system, first.entity, first.record_id) == ("fieldnation", "workorder", 7)


def test_a_fieldnation_webhook_carries_the_digest_of_the_exact_bytes_signed() -> None:
    compact = b'{"workorder":{"id":7}}'
    spaced = b'{"workorder": {"id": 7}}'  # the same JSON, other bytes: another signature, another body
    assert from_fieldnation(compact, "u:1").body_digest == hashlib.sha256(compact).hexdigest()
    assert from_fieldnation(spaced, "u:1").body_digest != from_fieldnation(compact, "u:1").body_digest


@pytest.mark.parametrize("body", [{"workorder": {"id": 7}}, {"workOrderId": "7", "eventName": "FN_WO_DONE"}])
def test_other_fieldnation_shapes_name_the_work_order(body: dict[str, object]) -> None:
    assert from_fieldnation(json.dumps(body).encode(), "u:1").record_id == 7


@pytest.mark.parametrize(
    ("body", "delivery", "complaint"),
    [
        (b'{"workorder": {"id": 7}}', None, "X-FN-Delivery-Id header is missing"),
        (b'{"workorder": {"id": 7}}', ":3", "X-FN-Delivery-Id header is missing"),
        (b"[]", "u:1", "not an object"),
        (b'{"event": {"params": {}}}', "u:1", "No work order id found"),
        (b'{"workorder": {"id": -1}}', "u:1", "workorder.id must be a positive whole number"),
    ],
)
def test_bad_fieldnation_webhooks_say_what_is_wrong(
    body: bytes, delivery: str | None, complaint: str
) -> None:
    with pytest.raises(BadHint, match=complaint):
        from_fieldnation(body, delivery)


def test_a_webhook_guid_is_kept_whole_up_to_what_its_column_holds() -> None:
    # 200 characters of dedup key, less "autotask-webhook:" and ":17:42".
    longest = {**WEBHOOK, "Guid": "g" * 177}
    assert (
        from_trigger(json.dumps(longest).encode(), "Ticket").dedup_key
        == f"autotask-webhook:{'g' * 177}:17:42"
    )
    with pytest.raises(
        BadHint, match=r"^Guid has 178 characters; at most 177 are kept with this SequenceNumber"
    ):
        from_trigger(json.dumps({**WEBHOOK, "Guid": "g" * 178}).encode(), "Ticket")


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"Guid": 7}, "Guid must be a string"),
        ({"SequenceNumber": "seventeen"}, "SequenceNumber must be a whole number from 0"),
        ({"SequenceNumber": -1}, "SequenceNumber must be a whole number from 0"),
        ({"Id": "9" * 5000}, "Id must be a positive whole number up to 9223372036854775807"),
    ],
)
def test_webhook_fields_that_name_the_delivery_must_be_what_autotask_sends(
    changes: dict[str, object], complaint: str
) -> None:
    with pytest.raises(BadHint, match=f"^{complaint}"):
        from_trigger(json.dumps({**WEBHOOK, **changes}).encode(), "Ticket")


def test_a_sequence_number_sent_as_digits_names_the_same_delivery_as_the_number() -> None:
    as_text = from_trigger(json.dumps({**WEBHOOK, "SequenceNumber": "17"}).encode(), "Ticket")
    assert as_text.dedup_key == from_trigger(json.dumps(WEBHOOK).encode(), "Ticket").dedup_key


def test_a_fieldnation_delivery_id_is_kept_whole_up_to_what_its_column_holds() -> None:
    body = b'{"workorder": {"id": 7}}'
    assert from_fieldnation(body, "d" * 188 + ":3").dedup_key == "fieldnation:" + "d" * 188
    with pytest.raises(
        BadHint, match=r"^The X-FN-Delivery-Id header's id \(before the ':'\) has 189 characters"
    ):
        from_fieldnation(body, "d" * 189 + ":3")
