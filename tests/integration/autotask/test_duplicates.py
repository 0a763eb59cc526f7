"""A write whose outcome is unknown (timed out after it was sent) is never repeated blindly: a create is
not repeated at all (`find_existing` may find what it made), a delete only after a GET still finds the
record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from fieldbridge.autotask import OutcomeUnknownError, RequestTimeoutError, Retry, eq, where
from fieldbridge.sandbox.autotask.seed import QUEUE, STATUS
from tests.integration.autotask.connecting import Connect
from tests.support.emulators import AutotaskSim
from tests.support.waiting import wait_until

# The client gives up after 0.1 s; an injected latency of 0.3 s lets the first attempt land after that, and
# the first retry waits at least 0.6 s (half of base_delay), so the lookup runs after it has landed.
TIMEOUT = 0.1
LATENCY = 0.3
SLOW_RETRY = Retry(attempts=3, base_delay=1.2, max_delay=1.2)
FAST_RETRY = Retry(attempts=3, base_delay=0.05, max_delay=0.1)


def ticket(work_order: str) -> dict[str, object]:
    return {
        "companyID": 175,
        "title": f"Field Nation work order {work_order}",
        "externalID": work_order,
        "status": STATUS["New"],
        "priority": 2,
        "queueID": QUEUE["Field Services"],
        "dueDateTime": datetime.now(UTC) + timedelta(days=1),
    }


def made_for(sim: AutotaskSim, work_order: str) -> list[int]:
    return [t["id"] for t in sim.records("Tickets") if t["externalID"] == work_order]


def posts(sim: AutotaskSim) -> int:
    return sim.count("POST /V1.0/Tickets")


def creates_answered_by_faults(sim: AutotaskSim) -> int:
    """Creates stopped by an injected fault, which the emulator counts apart from those it served."""
    return sim.count("POST /V1.0/Tickets [injected status]") + sim.count(
        "POST /V1.0/Tickets [injected timeout]"
    )


def test_a_create_that_timed_out_is_not_repeated_blindly(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=TIMEOUT, retry=FAST_RETRY)
    autotask.zone_url()
    sim.fault(kind="latency", method="POST", path="/V1.0/Tickets$", seconds=LATENCY, count=1)
    with pytest.raises(OutcomeUnknownError) as unknown:
        autotask.create("Tickets", ticket("WO-1"))
    assert unknown.value.operation == "create"
    assert isinstance(unknown.value.__cause__, RequestTimeoutError)
    # The first attempt lands once the injected latency is over; it was the only one.
    wait_until(lambda: made_for(sim, "WO-1"), what="the first attempt to land")
    wait_until(lambda: posts(sim) == 1, what="the POST to be counted")
    assert len(made_for(sim, "WO-1")) == 1


def test_find_existing_returns_the_record_the_first_attempt_made(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=TIMEOUT, retry=SLOW_RETRY)
    autotask.zone_url()
    sim.fault(kind="latency", method="POST", path="/V1.0/Tickets$", seconds=LATENCY, count=1)
    ticket_id = autotask.create("Tickets", ticket("WO-2"), find_existing=where(eq("externalID", "WO-2")))
    assert made_for(sim, "WO-2") == [ticket_id]
    assert posts(sim) == 1
    assert sim.count("POST /V1.0/Tickets/query") == 1  # the lookup


def test_find_existing_that_finds_nothing_leaves_the_outcome_unknown(
    connect: Connect, sim: AutotaskSim
) -> None:
    autotask = connect(timeout=TIMEOUT, retry=FAST_RETRY)
    autotask.zone_url()
    # Not found yet is not "not applied" (Autotask may save after the client gave up): no repeat.
    sim.fault(kind="timeout", method="POST", path="/V1.0/Tickets$", seconds=0.5, count=1)
    with pytest.raises(OutcomeUnknownError, match="not found yet"):
        autotask.create("Tickets", ticket("WO-3"), find_existing=where(eq("externalID", "WO-3")))
    assert sim.count("POST /V1.0/Tickets/query") == 1
    assert posts(sim) == 0  # the only attempt was answered by the fault, and none followed it
    assert made_for(sim, "WO-3") == []


def test_find_existing_must_single_out_one_record(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=TIMEOUT, retry=FAST_RETRY)
    autotask.create("Tickets", ticket("WO-4"))
    autotask.create("Tickets", ticket("WO-4"))
    sim.fault(kind="timeout", method="POST", path="/V1.0/Tickets$", seconds=0.5, count=1)
    with pytest.raises(OutcomeUnknownError, match="more than one record"):
        autotask.create("Tickets", ticket("WO-4"), find_existing=where(eq("externalID", "WO-4")))
    assert len(made_for(sim, "WO-4")) == 2


def test_a_create_refused_with_503_is_repeated(connect: Connect, sim: AutotaskSim) -> None:
    # 503 means Autotask did not take the request: repeating it cannot duplicate anything.
    autotask = connect(retry=FAST_RETRY)
    sim.fault(kind="status", status=503, method="POST", path="/V1.0/Tickets$", count=1)
    ticket_id = autotask.create("Tickets", ticket("WO-5"))
    assert made_for(sim, "WO-5") == [ticket_id]


def test_a_create_answered_with_502_is_not_repeated_blindly(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(retry=FAST_RETRY)
    sim.fault(kind="status", status=502, method="POST", path="/V1.0/Tickets$", count=1)
    with pytest.raises(OutcomeUnknownError):
        autotask.create("Tickets", ticket("WO-6"))
    assert creates_answered_by_faults(sim) == 1


def test_a_delete_that_timed_out_is_confirmed_by_a_get(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=TIMEOUT, retry=SLOW_RETRY)
    autotask.zone_url()
    sim.fault(kind="latency", method="DELETE", path="/V1.0/TimeEntries/", seconds=LATENCY, count=1)
    autotask.delete("TimeEntries", 8101)
    assert sim.count("DELETE /V1.0/TimeEntries/{id}") == 1
    assert sim.count("GET /V1.0/TimeEntries/{id}") == 1
    assert 8101 not in {e["id"] for e in sim.records("TimeEntries")}


def test_an_update_that_timed_out_is_repeated(connect: Connect, sim: AutotaskSim) -> None:
    # PATCH sets the same values twice: nothing to duplicate.
    autotask = connect(timeout=TIMEOUT, retry=FAST_RETRY)
    autotask.zone_url()
    sim.fault(kind="latency", method="PATCH", path="/V1.0/Tickets$", seconds=LATENCY, count=1)
    autotask.update("Tickets", 7004, {"priority": 1})
    assert next(t for t in sim.records("Tickets") if t["id"] == 7004)["priority"] == 1
    # The slowed one and its repeat at least: on a busy machine a repeat can time out too (0.1 s).
    wait_until(lambda: sim.count("PATCH /V1.0/Tickets") >= 2, what="the PATCH and its repeat to be counted")
