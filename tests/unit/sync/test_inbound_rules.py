"""Inbound decisions: the Complete exclusion, trigger conditions, and the writes between two documents."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.autotask import PicklistValue
from fieldbridge.autotask.records import TicketNote
from fieldbridge.sync.inbound_rules import (
    complete_status,
    field_value,
    note_goes,
    note_message,
    status_by_label,
    trigger_refusal,
    workorder_writes,
)
from fieldbridge.sync.options import NoteMessages, TriggerConditions


def pick(value: int, label: str, active: bool = True) -> PicklistValue:
    return PicklistValue(str(value), label, None, None, None, active, None)


STATUSES = [
    pick(21, "New"),
    pick(26, "Complete - Customer Notified"),
    pick(5, "Complete"),
    pick(30, "New", False),
]


def test_complete_is_the_status_labelled_exactly_complete() -> None:
    assert complete_status(STATUSES) == 5
    assert complete_status([pick(26, "Complete - Customer Notified")]) is None


def test_a_status_is_found_by_label_among_active_values() -> None:
    assert status_by_label(STATUSES, "new") == 21
    assert status_by_label([pick(30, "New", False)], "New") is None


def test_autotask_fields_are_read_whatever_their_case() -> None:
    assert field_value({"QueueID": 7}, "queueid") == 7
    assert field_value({}, "status") is None


def test_status_becomes_needs_the_webhook_to_report_that_status() -> None:
    conditions = TriggerConditions(status_becomes=[24])
    assert trigger_refusal(conditions, {"status": 24}, {}) is None
    assert trigger_refusal(conditions, {"Status": 24}, {}) is None
    assert trigger_refusal(conditions, {"title": "x"}, {"status": 24}) is not None
    assert trigger_refusal(conditions, None, {}) is not None


def test_queue_conditions_read_the_record() -> None:
    conditions = TriggerConditions(queues=[1, 2])
    assert trigger_refusal(conditions, None, {"queueID": 2}) is None
    assert "queue 3" in (trigger_refusal(conditions, None, {"queueID": 3}) or "")


def test_without_conditions_webhooks_import_nothing_and_say_how_to_set_them() -> None:
    refusal = trigger_refusal(TriggerConditions(), {"status": 24}, {"queueID": 2})
    assert refusal is not None
    assert "no trigger conditions are set" in refusal
    assert "fieldbridge sync-options set" in refusal


def test_only_changed_parts_are_written_each_in_field_nations_shape() -> None:
    before = {"title": "A", "description": "d", "status_id": 1, "custom_fields": {"X": 1, "Y": 2}}
    after = {
        "title": "B",
        "description": "d",
        "status_id": 2,
        "custom_fields": {"X": 1, "Y": 3},
        "time_window": {"end": {"utc": "2026-12-01 10:00:00"}},
        "location": {"name": "Northwind"},
    }
    writes = workorder_writes(before, after)
    assert writes.fields == {
        "title": "B",
        "schedule": {"service_window": {"mode": "exact", "start": {"utc": "2026-12-01 10:00:00"}}},
        "location": {"address1": "Northwind", "mode": "custom"},
    }
    assert writes.custom_fields == {"Y": 3}
    assert writes.status == 2


def test_a_window_with_both_ends_is_between() -> None:
    writes = workorder_writes(
        {}, {"time_window": {"start": "2026-12-01 08:00:00", "end": "2026-12-01 10:00:00"}}
    )
    assert writes.fields["schedule"]["service_window"]["mode"] == "between"


documents = st.fixed_dictionaries(
    {},
    optional={
        "title": st.text(max_size=5),
        "description": st.text(max_size=5),
        "status_id": st.sampled_from([1, 2, 7]),
        "custom_fields": st.dictionaries(st.sampled_from(["X", "Y"]), st.integers(0, 3), min_size=1),
    },
)


@given(documents)
def test_a_document_written_again_writes_nothing(document: dict[str, Any]) -> None:
    assert not workorder_writes(document, document)


@given(documents, documents)
def test_writes_are_empty_exactly_when_nothing_changed(
    before: dict[str, Any], changes: dict[str, Any]
) -> None:
    after = before | changes
    assert bool(workorder_writes(before, after)) == (after != before)


def test_a_cleared_plain_field_is_left_as_it_is() -> None:
    # Field Nation has no empty title; the work order keeps its last one.
    assert not workorder_writes({"title": "A"}, {})


def test_a_note_goes_when_its_publish_level_and_type_are_sent() -> None:
    note = TicketNote.model_validate(
        {"id": 4, "title": "Gate", "description": "4411", "noteType": 3, "publish": 1}
    )
    assert note_goes(note, NoteMessages())
    assert not note_goes(note.model_copy(update={"publish": 2}), NoteMessages())  # internal only
    assert not note_goes(note, NoteMessages(publish=[]))
    assert note_goes(note, NoteMessages(note_types=[3]))
    assert not note_goes(note, NoteMessages(note_types=[1, 2]))
    assert note_message(note) == "(#4) Gate: 4411"
    assert note_message(note.model_copy(update={"title": None})) == "(#4) 4411"
