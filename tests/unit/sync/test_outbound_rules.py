"""Outbound decisions: markers, week ending, ticket changes, and the Autotask records Field Nation children
become."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.fieldnation.models import Expense, FnDate, TimeLog
from fieldbridge.sync.markers import marked_id, marker
from fieldbridge.sync.options import SyncOptions
from fieldbridge.sync.outbound_rules import (
    charge_fields,
    fn_utc,
    outbound_after_write,
    outbound_source,
    ticket_changes,
    time_entry_fields,
    week_ending,
)

OPTIONS = SyncOptions(resource_id=11, role_id=22)


@given(st.integers(min_value=0, max_value=10**12), st.text(max_size=40) | st.none())
def test_a_marker_gives_back_its_id_whatever_the_text(record_id: int, text: str | None) -> None:
    assert marked_id(marker(record_id, text)) == record_id


def test_text_without_a_leading_marker_has_no_id() -> None:
    assert marked_id("Parking (#12)") is None
    assert marked_id(None) is None


@given(st.dates())
def test_week_ending_is_the_saturday_closing_the_days_week(day: date) -> None:
    end = week_ending(day)
    assert end.weekday() == 5
    assert timedelta(0) <= end - day < timedelta(days=7)


@given(st.dates(), st.integers(min_value=0, max_value=6))
def test_days_of_one_week_share_one_report(day: date, offset: int) -> None:
    sunday = day - timedelta(days=(day.weekday() + 1) % 7)
    assert week_ending(sunday + timedelta(days=offset)) == week_ending(sunday)


values = st.dictionaries(st.sampled_from(["title", "status", "resolution"]), st.none() | st.integers(0, 9))


@given(values, values, values)
def test_ticket_changes_turn_the_last_synced_ticket_into_the_new_one(
    before: dict[str, Any], after: dict[str, Any], ticket: dict[str, Any]
) -> None:
    changes = ticket_changes(before, after, ticket, statics={})
    assert {k: v for k, v in (before | changes).items() if v is not None} == {
        k: v for k, v in after.items() if v is not None
    }
    assert ticket_changes(after, after, ticket, statics={}) == {}


@given(values, values, values)
def test_a_pair_never_synced_writes_only_the_work_orders_own_values_that_the_ticket_lacks(
    after: dict[str, Any], ticket: dict[str, Any], statics: dict[str, Any]
) -> None:
    changes = ticket_changes(None, after, ticket, statics)
    for name, value in changes.items():
        assert value is not None
        assert after[name] == value
        assert ticket.get(name) != value
        assert statics.get(name) != value  # never Outbound Create's fixed account, queue or priority
    assert ticket_changes(None, after, ticket | after, statics) == {}


def test_outbound_create_statics_are_not_written_over_a_tickets_own_values() -> None:
    after = {"title": "Switch down", "companyID": 174, "queueID": 8, "resolution": "Replaced it"}
    ticket = {"title": "Switch down", "companyID": 0, "queueID": 29683378, "resolution": ""}
    statics = {"companyID": 174, "queueID": 8}
    assert ticket_changes(None, after, ticket, statics) == {"resolution": "Replaced it"}


def test_after_an_inbound_write_a_field_nation_change_still_waiting_stays_a_change() -> None:
    before = {"description": "Old", "resolution": None}
    now = {"description": "New from the ticket", "resolution": "Closing notes"}
    ticket = {"description": "New from the ticket", "resolution": ""}
    snapshot = outbound_after_write(before, now, ticket)
    assert snapshot == {"description": "New from the ticket", "resolution": None}
    assert ticket_changes(snapshot, now, ticket, statics={}) == {"resolution": "Closing notes"}


def test_an_empty_text_is_no_change_from_no_value() -> None:
    # A new work order's baseline has no closing notes; Field Nation reads them back as "".
    assert ticket_changes({"title": "Switch down"}, {"title": "Switch down", "resolution": ""}, {}, {}) == {}
    assert ticket_changes({"resolution": "Done"}, {"resolution": ""}, {}, {}) == {"resolution": ""}


def test_field_nation_dates_are_utc() -> None:
    assert fn_utc(FnDate(utc="2026-11-27 10:00:00")) == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert fn_utc("2026-11-27 10:00:00") == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert fn_utc(None) is None


def log(log_id: int, start: str | None, end: str | None) -> TimeLog:
    side = lambda when: {"created": {"utc": when}} if when else None  # noqa: E731
    return TimeLog.model_validate({"id": log_id, "in": side(start), "out": side(end)})


def test_a_closed_time_log_becomes_a_marked_time_entry_with_the_configured_resource_and_role() -> None:
    fields = time_entry_fields(log(9, "2026-11-27 08:00:00", "2026-11-27 09:30:00"), {}, 7001, OPTIONS)
    assert fields == {
        "ticketID": 7001,
        "resourceID": 11,
        "roleID": 22,
        "dateWorked": "2026-11-27T00:00:00.000Z",
        "startDateTime": "2026-11-27T08:00:00.000Z",
        "endDateTime": "2026-11-27T09:30:00.000Z",
        "summaryNotes": "(#9) Field Nation time log",
    }


def test_the_marker_goes_where_the_setting_says() -> None:
    options = OPTIONS.model_copy(update={"time_marker_field": "internalNotes"})
    fields = time_entry_fields(log(9, "2026-11-27 08:00:00", "2026-11-27 09:00:00"), {}, 1, options)
    assert fields is not None
    assert fields["internalNotes"] == "(#9) Field Nation time log"
    assert fields["summaryNotes"] == "Field Nation time log"


def test_an_open_or_empty_time_log_is_not_written() -> None:
    assert time_entry_fields(log(9, "2026-11-27 08:00:00", None), {}, 1, OPTIONS) is None
    assert time_entry_fields(log(9, "2026-11-27 08:00:00", "2026-11-27 08:00:00"), {}, 1, OPTIONS) is None


def test_a_charge_keeps_the_expense_id_and_a_unit_cost() -> None:
    expense = Expense.model_validate(
        {
            "id": 5,
            "amount": 30,
            "quantity": 3,
            "category": {"id": 1, "name": "Parking"},
            "added": {"utc": "2026-11-27 08:00:00"},
        }
    )
    fields = charge_fields(expense, 7001, OPTIONS)
    assert fields["notes"] == "(#5) Parking"
    assert fields["unitCost"] == 10.0
    assert fields["unitQuantity"] == 3.0
    assert fields["datePurchased"] == "2026-11-27T08:00:00.000Z"


def test_the_outbound_source_names_fields_as_the_guide_does() -> None:
    work_order = {
        "closing_notes": "Done",
        "schedule": {"service_window": {"start": {"utc": "2026-12-01 10:00:00"}}},
        "time_logs": {"results": [{"id": 1, "in": {"created": {"utc": "a"}}, "out": None}]},
    }
    source = outbound_source(work_order, [{"id": 3}])
    assert source["notes"] == "Done"
    assert source["time_window"] == {
        "start": {"utc": "2026-12-01 10:00:00"},
        "end": {"utc": "2026-12-01 10:00:00"},
    }
    assert source["time_logs"][0]["StartDateTime"] == {"utc": "a"}
    assert source["expenses"] == [{"id": 3}]
