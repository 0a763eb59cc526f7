"""The flows' decisions, fast: inbound and outbound run event by event against in-memory fakes of both
services (the end-to-end tests run them against the emulators over HTTP). Each test says what the flows
write, and what they must not."""

from __future__ import annotations

import pytest

from fieldbridge.fieldnation import TransportError
from fieldbridge.fieldnation.models import Expense, Status, WorkOrder
from fieldbridge.jobs.handlers import JobFailed
from fieldbridge.jobs.outcome import Outcome, Write
from fieldbridge.mapping import default_set
from fieldbridge.sync.options import SyncOptions
from tests.support.mappings import with_outbound_create_statics
from tests.unit.sync.flows import STATUS, Flows, ticket, written

UNCHANGED = Outcome("unchanged", "Ticket 7001")

TECH_RESOURCE, FIELD_TECH_ROLE = 29682886, 29682831
DRAFT = Status(id=1, name="Draft", code="draft")
PUBLISHED = Status(id=2, name="Published", code="published")


@pytest.fixture
def linked(flows: Flows) -> int:
    """Ticket 7001 imported: its work order's id, with nothing written yet that a test will look at."""
    flows.autotask.add("Tickets", ticket(7001))
    flows.import_record(7001)
    [(_, _, work_order_id)] = [lock for lock in flows.locks if lock[1] == "workorder"]
    flows.autotask.writes.clear()
    flows.fieldnation.writes.clear()
    return work_order_id


def closed_log(log_id: int) -> dict[str, object]:
    """A time log the technician checked out of, as the work order lists it."""
    return {
        "id": log_id,
        "in": {"created": {"utc": "2026-03-02 09:00:00"}},
        "out": {"created": {"utc": "2026-03-02 10:30:00"}},
        "hours": 1.5,
    }


def creating(flows: Flows) -> None:
    """Outbound Create on, with the required ticket fields mapped."""
    flows.config = flows.config.model_copy(update={"outbound_create": True})
    flows.mappings = with_outbound_create_statics(default_set(), 175)


def test_an_import_creates_one_work_order_linked_under_its_lock(flows: Flows) -> None:
    flows.autotask.add("Tickets", ticket(7001))
    summary = flows.import_record(7001)
    [work_order] = flows.fieldnation.workorders.items.values()
    assert summary == Outcome.of("Ticket 7001", [Write("created", "work order", work_order.id)])
    assert (work_order.title, work_order.correlation_id) == ("Replace the core switch", "7001")
    assert flows.locks == [("fieldnation", "workorder", work_order.id)]
    assert written(flows.fieldnation.writes) == [("create", "workorder")]
    assert flows.autotask.writes == []


def test_an_unchanged_work_order_writes_nothing(flows: Flows, linked: int) -> None:
    assert flows.work_order_changed(linked) == UNCHANGED
    assert flows.import_record(7001) == UNCHANGED
    assert flows.autotask.writes == []
    assert flows.fieldnation.writes == []


def test_a_closed_time_log_becomes_one_time_entry_and_a_second_run_makes_none(
    flows: Flows, linked: int
) -> None:
    flows.options = SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE)
    still_open = closed_log(811) | {"out": None}
    flows.fieldnation.workorders.change(linked, time_logs={"results": [still_open]})
    assert flows.work_order_changed(linked) == UNCHANGED  # nothing to write yet
    assert flows.autotask.writes == []

    flows.fieldnation.workorders.change(linked, time_logs={"results": [closed_log(811)]})
    first = flows.work_order_changed(linked)
    [entry] = flows.autotask.records["TimeEntries"].values()
    assert first.written("created", "time entry") == [entry["id"]]
    assert entry["summaryNotes"].startswith("(#811) ")
    assert (entry["ticketID"], entry["resourceID"], entry["roleID"]) == (7001, TECH_RESOURCE, FIELD_TECH_ROLE)
    assert written(flows.autotask.writes) == [("create", "TimeEntries")]

    flows.autotask.writes.clear()
    assert flows.work_order_changed(linked) == UNCHANGED
    assert flows.autotask.writes == []


def test_the_shared_expense_report_of_a_week_is_looked_for_and_made_under_the_submitters_lock(
    flows: Flows, linked: int
) -> None:
    # Every pair's first expense of a week goes on the submitter's one report: under the pair's lock alone,
    # two pairs synced at once could each find none and make one.
    flows.options = SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE)
    flows.fieldnation.expenses.items[linked].append(Expense(id=501, amount=42.5, description="Parking"))
    flows.locks.clear()
    flows.work_order_changed(linked)
    assert flows.locks == [("autotask", "Resource", TECH_RESOURCE)]
    assert written(flows.autotask.writes) == [("create", "ExpenseReports"), ("create", "ExpenseItems")]


def test_a_time_entry_whose_answer_was_lost_is_found_by_its_marker_not_made_again(
    flows: Flows, linked: int
) -> None:
    flows.options = SyncOptions(resource_id=TECH_RESOURCE, role_id=FIELD_TECH_ROLE)
    flows.fieldnation.workorders.change(linked, time_logs={"results": [closed_log(811)]})
    flows.autotask.lose_next_create_answer("TimeEntries")
    summary = flows.work_order_changed(linked)
    [entry] = flows.autotask.records["TimeEntries"].values()
    assert summary.written("created", "time entry") == [entry["id"]]
    assert written(flows.autotask.writes) == [("create", "TimeEntries")]  # sent once, then found

    flows.autotask.writes.clear()
    assert flows.work_order_changed(linked) == UNCHANGED  # and linked
    assert flows.autotask.writes == []


def test_a_ticket_whose_create_answer_was_lost_is_found_by_its_external_id_not_made_again(
    flows: Flows,
) -> None:
    creating(flows)
    flows.fieldnation.workorders.add(WorkOrder(id=5100, title="Install a rack", status=PUBLISHED))
    flows.autotask.lose_next_create_answer("Tickets")
    summary = flows.work_order_changed(5100)
    [made] = flows.autotask.records["Tickets"].values()
    assert summary == Outcome.of(
        f"Ticket {made['id']}", [Write("created", "Ticket", made["id"], "Outbound Create")]
    )
    assert (made["title"], made["externalID"], made["status"]) == ("Install a rack", "FN-5100", STATUS["New"])
    assert written(flows.autotask.writes) == [("create", "Tickets")]
    assert flows.locks == [("autotask", "Ticket", made["id"])]
    assert flows.work_order_changed(5100) == Outcome("unchanged", f"Ticket {made['id']}")
    assert len(flows.autotask.records["Tickets"]) == 1


def test_a_work_order_whose_import_is_unfinished_holds_outbound_create_back(flows: Flows) -> None:
    creating(flows)
    flows.autotask.add("Tickets", ticket(7001))
    no_answer = TransportError("the connection broke", method="POST", path="/workorders")
    flows.fieldnation.workorders.fail_next_create(no_answer)
    with pytest.raises(JobFailed):
        flows.import_record(7001)  # the work order's create is pending: sent, outcome unknown
    # Field Nation saved it after all, and its webhook comes before the import's next attempt.
    late = WorkOrder(id=5200, title="Replace the core switch", correlation_id="7001", status=DRAFT)
    flows.fieldnation.workorders.add(late)
    with pytest.raises(JobFailed) as held:
        flows.work_order_changed(5200)
    assert "whose import has not finished" in held.value.cause
    assert held.value.retry
    assert list(flows.autotask.records["Tickets"]) == [7001]  # no second ticket for the same work
    assert flows.autotask.writes == []

    assert flows.import_record(7001) == Outcome.of(
        "Ticket 7001", [Write("created", "work order", 5200)]
    )  # found, not made again
    assert flows.work_order_changed(5200) == UNCHANGED
    assert list(flows.autotask.records["Tickets"]) == [7001]
    assert list(flows.fieldnation.workorders.items) == [5200]


def test_an_approved_work_order_whose_status_has_no_mapping_leaves_the_ticket_status(
    flows: Flows, linked: int
) -> None:
    flows.fieldnation.workorders.change(linked, status={"id": 4, "name": "Work Done", "code": "work_done"})
    assert flows.work_order_changed(linked) == Outcome.of(
        "Ticket 7001", [Write("updated", "Ticket", 7001, "Status")]
    )
    assert flows.autotask.records["Tickets"][7001]["status"] == STATUS["Complete"]

    flows.autotask.writes.clear()
    flows.fieldnation.workorders.change(linked, status={"id": 5, "name": "Approved", "code": "approved"})
    assert flows.work_order_changed(linked) == UNCHANGED
    assert flows.autotask.records["Tickets"][7001]["status"] == STATUS["Complete"]
    assert flows.autotask.writes == []  # a required field is never cleared
    [skip] = flows.skips()
    assert "give no value for Status for work order" in skip.message
