"""The pollers' decisions: the reconciler's window, checkpoint and dedup keys, what it imports unlinked, the
deliveries it counts as failed and its turn over open pairs, and backfill's conditions and batches."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldbridge.autotask import eq, in_
from fieldbridge.jobs.outcome import Outcome, Write
from fieldbridge.sync import backfill_rules
from fieldbridge.sync.backfill_rules import WhereError, batches, condition, related_ids
from fieldbridge.sync.options import TriggerConditions
from fieldbridge.sync.reconcile_rules import (
    FIRST_LOOK_BACK,
    OVERLAP,
    checks_per_pass,
    dedup_key,
    delivery_failed,
    imports_unlinked,
    next_checkpoint,
    parse_time,
    rotation,
    window_start,
)

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC))


@given(moments | st.none(), st.lists(moments, max_size=5))
def test_the_checkpoint_never_moves_back_and_the_next_window_covers_what_was_seen(
    checkpoint: datetime | None, seen: list[datetime]
) -> None:
    reached = next_checkpoint(checkpoint, seen, NOW)
    if checkpoint is not None:
        assert reached >= checkpoint
    assert (
        all(window_start(reached, NOW) <= moment - OVERLAP for moment in seen if moment == reached)
        or not seen
    )
    assert all(moment <= reached for moment in seen)


def test_the_window_overlaps_the_checkpoint_and_a_first_pass_looks_back_a_day() -> None:
    assert window_start(NOW, NOW) == NOW - OVERLAP
    assert window_start(None, NOW) == NOW - FIRST_LOOK_BACK
    assert next_checkpoint(None, [], NOW) == NOW


def test_autotask_times_are_utc_with_or_without_a_zone() -> None:
    assert parse_time("2026-11-27T10:00:00.123Z") == datetime(2026, 11, 27, 10, 0, 0, 123000, tzinfo=UTC)
    assert parse_time("2026-11-27T10:00:00") == datetime(2026, 11, 27, 10, tzinfo=UTC)
    assert parse_time(None) is None


def test_one_dedup_key_per_record_version() -> None:
    assert dedup_key("Ticket", 1, "t1") == dedup_key("Ticket", 1, "t1")
    assert dedup_key("Ticket", 1, "t1") != dedup_key("Ticket", 1, "t2")
    assert dedup_key("Ticket", 1, "t1") != dedup_key("Ticket", 2, "t1")


def test_unlinked_records_are_imported_only_under_conditions_that_hold_now() -> None:
    assert not imports_unlinked(TriggerConditions(), {"status": 24})
    assert imports_unlinked(TriggerConditions(status_becomes=[24]), {"status": 24})
    assert not imports_unlinked(TriggerConditions(status_becomes=[24]), {"status": 1})
    assert imports_unlinked(TriggerConditions(queues=[3]), {"queueID": 3})


def test_where_conditions_are_equal_or_any_of() -> None:
    assert condition("queueID=29683378") == eq("queueID", 29683378)
    assert condition(" companyID = 174,175 ") == in_("companyID", [174, 175])
    assert condition("title=Printer") == eq("title", "Printer")
    for bad in ("queueID", "=3", "queueID="):
        with pytest.raises(WhereError):
            condition(bad)


def test_related_ids_are_collected_per_entity_once() -> None:
    page = [{"companyID": 1, "contactID": 5}, {"companyID": 1, "companyLocationID": 9, "contactID": None}]
    assert related_ids(page) == {"Companies": {1}, "CompanyLocations": {9}, "Contacts": {5}}


@given(st.lists(st.integers(), max_size=1200), st.integers(min_value=1, max_value=500))
def test_batches_keep_every_item_in_order_within_the_size(items: list[int], size: int) -> None:
    chunks = list(batches(items, size))
    assert [i for chunk in chunks for i in chunk] == items
    assert all(0 < len(chunk) <= size for chunk in chunks)


@given(st.lists(st.integers(1, 10_000), unique=True, max_size=30).map(sorted), st.integers(1, 7))
def test_the_turn_reads_every_open_pair_once_before_any_twice(open_ids: list[int], count: int) -> None:
    after, read = None, []
    while len(read) < len(open_ids):
        chosen = rotation(open_ids, after, count)
        assert 0 < len(chosen) <= count
        read += chosen
        after = chosen[-1]
    assert sorted(read[: len(open_ids)]) == open_ids


def test_the_turn_goes_on_after_its_cursor_when_pairs_come_and_go() -> None:
    assert rotation([3, 5, 9], after=5, count=2) == [9, 3]
    assert rotation([3, 9], after=5, count=1) == [9]  # 5 closed meanwhile
    assert rotation([], after=5, count=3) == []
    assert rotation([3, 5], after=None, count=0) == []


def test_checks_per_pass_spread_the_hourly_number_over_the_passes() -> None:
    assert checks_per_pass(60, 15) == 15
    assert checks_per_pass(8, 15) == 2
    assert checks_per_pass(1, 15) == 1
    assert checks_per_pass(0, 15) == 0


@pytest.mark.parametrize(
    ("status", "failed"), [(200, False), (204, False), (0, True), (500, True), (410, True)]
)
def test_a_delivery_failed_unless_its_last_attempt_got_a_2xx(status: int, failed: bool) -> None:
    assert delivery_failed(status) is failed


def test_a_backfilled_record_is_counted_from_what_its_import_did() -> None:
    made = Outcome.of("Ticket 7", [Write("created", "work order", 50)])
    posted = Outcome.of("Ticket 7", [Write("created", "message", 9)])
    refused = Outcome.ignored("Ticket 7", "Not imported: the status is not Dispatch.")
    assert backfill_rules.outcome("done", made, None).kind == "created"
    assert backfill_rules.outcome("done", posted, None).kind == "updated"
    assert backfill_rules.outcome("done", Outcome.of("Ticket 7", []), None).why == "nothing to change"
    assert backfill_rules.outcome("done", refused, None).why == "Not imported: the status is not Dispatch"
    assert backfill_rules.outcome("retrying", None, "HTTP 503").why == "HTTP 503"
    assert backfill_rules.outcome("queued", None, None).why == "left to the workers (queued)"
