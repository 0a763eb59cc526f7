"""Staying inside Autotask's limits: the per-endpoint thread gate, the hourly budget, backoff that honours
Retry-After, and timeouts."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from fieldbridge.autotask import (
    AutotaskClient,
    BudgetExhaustedError,
    RateLimitError,
    RequestBudget,
    RequestTimeoutError,
    Retry,
    ServerError,
    ValidationError,
    where,
)
from tests.integration.autotask.connecting import Connect
from tests.support.emulators import AutotaskSim

THREAD_LIMIT = "API thread threshold of 3 threads has been exceeded"


def test_twenty_callers_never_put_a_fourth_request_in_flight(connect: Connect, sim: AutotaskSim) -> None:
    sim.fault(kind="latency", method="GET", path="/V1.0/Tickets/", seconds=0.15)
    # Two users of one integration code share Autotask's limit, so they share the client's gate too.
    clients = [connect(), connect("svc-handmade")]
    # The emulator's own peak for the Tickets endpoint, taken under its lock: exact, and blind to a request an
    # earlier test abandoned on another endpoint that may still be held by injected latency.
    sim.emulator.threads.reset_peaks()
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        # 7002 is the ticket behind a Line of Business, the only one the hand-made user may see.
        tickets = list(pool.map(lambda i: clients[i % 2].get("Tickets", 7002), range(20)))
    elapsed = time.monotonic() - started

    assert all(t is not None for t in tickets)
    assert "429 thread threshold" not in sim.routes()
    assert sim.count("GET /V1.0/Tickets/{id}") == 20
    peaks = {p["endpoint"]: p["peak"] for p in sim.emulator.threads.peaks()}
    assert peaks["tickets"] == 3, peaks
    assert elapsed >= 6 * 0.15  # 20 requests, 3 at a time: at least 7 rounds of the injected latency


def test_the_emulator_refuses_a_fourth_concurrent_request(sim: AutotaskSim) -> None:
    sim.fault(kind="latency", method="GET", path="/V1.0/Tickets/", seconds=0.5)
    url = sim.zone_url + "V1.0/Tickets/7001"
    barrier = threading.Barrier(4)

    def raw_get(_: int) -> httpx.Response:
        barrier.wait()
        return httpx.get(url, headers=sim.headers(), timeout=5)

    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(raw_get, range(4)))
    refused = [r for r in responses if r.status_code == 429]
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 429]
    assert refused[0].json() == {"errors": [THREAD_LIMIT]}


def test_a_thread_threshold_answer_is_retried(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    # Another process of the same integration can still fill the slots; the answer is waited out.
    sim.fault(kind="status", status=429, path="/V1.0/Tickets/", count=2, body={"message": THREAD_LIMIT})
    assert autotask.get("Tickets", 7001) is not None
    assert sim.attempts("GET", "Tickets/") == 3


def test_the_budget_stops_a_request_before_it_is_sent(connect: Connect, sim: AutotaskSim) -> None:
    budget = RequestBudget(limit=3)
    first, second = connect(budget=budget), connect(budget=budget)
    first.get("Tickets", 7001)
    second.get("Tickets", 7002)
    first.get("Tickets", 7003)
    with pytest.raises(BudgetExhaustedError) as exhausted:
        second.get("Tickets", 7004)
    assert sim.count("GET /V1.0/Tickets/{id}") == 3
    assert exhausted.value.status is None
    assert exhausted.value.retry_after is not None
    assert 3590 < exhausted.value.retry_after <= 3600
    assert "budget of 3 requests per 3600 s is used up" in str(exhausted.value)


def test_the_budget_frees_as_the_window_rolls(connect: Connect) -> None:
    autotask = connect(budget=RequestBudget(limit=2, window=0.3))
    autotask.get("Tickets", 7001)
    autotask.get("Tickets", 7001)
    with pytest.raises(BudgetExhaustedError):
        autotask.get("Tickets", 7001)
    time.sleep(0.3)  # the window itself is what is under test
    assert autotask.get("Tickets", 7001) is not None


def test_the_tenants_hourly_threshold_is_not_hammered(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    used = sim.limits()["current_hour_requests"]
    sim.limits(request_threshold=used + 1)
    autotask.get("Tickets", 7001)  # discovery is not counted; this is
    with pytest.raises(RateLimitError) as refused:
        autotask.get("Tickets", 7001)
    assert refused.value.status == 429
    assert "requests per hour" in refused.value.messages[0]
    assert sim.count("GET /V1.0/Tickets/{id}") == 2  # no retries: seconds of backoff cannot help


@pytest.mark.parametrize("status", [429, 503])
def test_backoff_honours_retry_after(autotask: AutotaskClient, sim: AutotaskSim, status: int) -> None:
    autotask.zone_url()
    sim.fault(
        kind="status",
        status=status,
        method="GET",
        path="/V1.0/Tickets/",
        count=1,
        headers={"Retry-After": "1"},
    )
    started = time.monotonic()
    assert autotask.get("Tickets", 7001) is not None
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 1.0 + 0.05 + 0.5  # Retry-After, the jitter on top, and slack
    assert sim.attempts("GET", "Tickets/") == 2


def test_a_retry_after_too_long_to_wait_is_handed_up(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(retry=Retry(max_retry_after=10))
    autotask.zone_url()
    sim.fault(
        kind="status", status=503, method="GET", path="/V1.0/Tickets/", count=1, headers={"Retry-After": "60"}
    )
    with pytest.raises(ServerError) as unavailable:
        autotask.get("Tickets", 7001)
    assert unavailable.value.status == 503
    assert unavailable.value.retry_after == 60
    assert sim.attempts("GET", "Tickets/") == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_failures_are_retried_with_backoff(
    autotask: AutotaskClient, sim: AutotaskSim, status: int
) -> None:
    sim.fault(kind="status", status=status, method="POST", path="/V1.0/Tickets/query", count=2)
    assert len(list(autotask.query("Tickets", where()))) == 7
    assert sim.attempts("POST", "Tickets/query") == 3


def test_retries_end_with_the_last_error(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    sim.fault(kind="status", status=503, method="GET", path="/V1.0/Tickets/")
    with pytest.raises(ServerError) as failed:
        autotask.get("Tickets", 7001)
    assert failed.value.status == 503
    assert sim.attempts("GET", "Tickets/") == 4  # FAST_RETRY.attempts


def test_autotask_business_rule_errors_are_not_retried(autotask: AutotaskClient, sim: AutotaskSim) -> None:
    with pytest.raises(ValidationError) as refused:
        autotask.create("Tickets", {"title": "No company"})
    assert refused.value.status == 500
    assert "Missing required field 'companyID'" in refused.value.messages
    assert sim.count("POST /V1.0/Tickets") == 1


def test_a_timeout_is_retried_then_handed_up(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=0.2, retry=Retry(attempts=2, base_delay=0.05))
    autotask.zone_url()
    sim.fault(kind="timeout", method="GET", path="/V1.0/Tickets/", seconds=1.0)
    started = time.monotonic()
    with pytest.raises(RequestTimeoutError) as timed_out:
        autotask.get("Tickets", 7001)
    assert time.monotonic() - started < 0.9
    assert timed_out.value.cause is None  # connected, then slow: not an egress problem
    assert timed_out.value.operation == "get"


def test_a_request_that_times_out_once_succeeds_on_retry(connect: Connect, sim: AutotaskSim) -> None:
    autotask = connect(timeout=0.2)
    autotask.zone_url()
    sim.fault(kind="timeout", method="GET", path="/V1.0/Tickets/", seconds=1.0, count=1)
    assert autotask.get("Tickets", 7001) is not None
