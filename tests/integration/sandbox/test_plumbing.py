"""The shared sandbox plumbing the Field Nation emulator stands on, tested on its own: fault matching and
counts, call counting, the emulated clock, and the webhook dispatcher with Field Nation's retry policy."""

from __future__ import annotations

import asyncio
import time

import pytest
from pydantic import ValidationError

from fieldbridge.sandbox.calls import CallCounter
from fieldbridge.sandbox.clock import SimClock
from fieldbridge.sandbox.control import Sandbox
from fieldbridge.sandbox.faults import FaultInjector, FaultSpec
from fieldbridge.sandbox.fieldnation.events import RETRY_POLICY
from fieldbridge.sandbox.webhooks import Attempt, Delivery
from tests.support.receiver import receiver
from tests.support.waiting import wait_until


def test_a_fault_fires_its_count_then_stops() -> None:
    faults = FaultInjector()
    faults.add(FaultSpec(kind="status", status=503, method="get", path="/WorkOrders/\\d+$", count=2))
    fired = [faults.pick("request", "GET", "/api/rest/v2/workorders/7") for _ in range(3)]
    assert [f.status if f else None for f in fired] == [503, 503, None]
    assert faults.pick("request", "PUT", "/api/rest/v2/workorders/7") is None
    assert faults.pick("webhook", "GET", "/api/rest/v2/workorders/7") is None
    assert faults.list()[0]["fired"] == 2


def test_a_fault_with_a_probability_fires_sometimes() -> None:
    faults = FaultInjector(seed=7)
    faults.add(FaultSpec(kind="latency", seconds=0.1, probability=0.5))
    fired = sum(faults.pick("request", "GET", "/x") is not None for _ in range(200))
    assert 60 < fired < 140


def test_a_fault_needs_a_valid_pattern() -> None:
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        FaultSpec(kind="status", path="(")


def test_calls_count_by_verb_route_and_user() -> None:
    calls = CallCounter()
    calls.record("GET", "GET /workorders/{id}", "api")
    calls.record("GET", "GET /workorders/{id}", "api")
    calls.record("POST", "POST /workorders", "other")
    assert calls.count(route="get /WORKORDERS/{id}") == 2
    assert calls.count(method="post") == 1
    assert calls.count(user="api") == 2
    assert calls.snapshot()["total"] == 3
    calls.reset()
    assert calls.count() == 0


def test_the_clock_divides_waits_by_its_speed() -> None:
    clock = SimClock(speed=1000)
    started = time.monotonic()
    asyncio.run(clock.sleep(100))  # 100 emulated seconds
    assert 0.1 <= time.monotonic() - started < 5
    with pytest.raises(ValueError, match="greater than 0"):
        clock.speed = 0


def test_the_dispatcher_follows_field_nations_policy_and_reset_clears_everything() -> None:
    reseeded: list[bool] = []
    seen: list[tuple[str, int]] = []

    def headers_for(delivery: Delivery, attempt: int) -> dict[str, str]:
        return {"X-Attempt": str(attempt)}

    def on_attempt(delivery: Delivery, attempt: Attempt) -> None:
        seen.append((delivery.id, attempt.number))

    sandbox = Sandbox(
        reseed=lambda: reseeded.append(True),
        webhook_policy=RETRY_POLICY,
        headers_for=headers_for,
        on_attempt=on_attempt,
    )
    sandbox.clock.speed = 100_000
    try:
        with receiver() as rec:
            rec.answers = [500, 500, 410]
            gone = sandbox.webhooks.submit("hook", rec.url + "/a", b"{}", {})
            wait_until(lambda: gone.state != "pending")
            assert (gone.state, gone.outcome) == ("failed", "not retried: the receiver answered 410")
            assert [a.status for a in gone.attempts] == [500, 500, 410]
            ok = sandbox.webhooks.submit("hook", rec.url + "/b", b"{}", {})
            wait_until(lambda: ok.state == "delivered")
            assert rec.received[-1].headers["x-attempt"] == "1"
            assert seen == [(gone.id, 1), (gone.id, 2), (gone.id, 3), (ok.id, 1)]
            wait_until(lambda: sandbox.webhooks.pending() == 0)
        with pytest.raises(KeyError):
            sandbox.webhooks.retry("no-such-delivery")
        sandbox.faults.add(FaultSpec(kind="drop", scope="webhook"))
        sandbox.calls.record("GET", "/x", "u")
        sandbox.reset()
        assert reseeded == [True]
        assert (sandbox.webhooks.deliveries(), sandbox.faults.list(), sandbox.calls.count()) == ([], [], 0)
    finally:
        sandbox.webhooks.close()


def test_a_webhook_whose_answer_is_lost_reaches_the_receiver_and_is_sent_again() -> None:
    sandbox = Sandbox(reseed=lambda: None, webhook_policy=RETRY_POLICY)
    sandbox.clock.speed = 100_000
    sandbox.faults.add(FaultSpec(kind="lost_answer", scope="webhook", count=1))
    try:
        with receiver() as rec:
            delivery = sandbox.webhooks.submit("hook", rec.url + "/a", b'{"n": 1}', {})
            wait_until(lambda: delivery.state != "pending")
            assert [a.status for a in delivery.attempts] == [502, 200]
            assert delivery.attempts[0].error == "the receiver's answer (200) was lost by an injected fault"
            assert [r.body for r in rec.received] == [b'{"n": 1}', b'{"n": 1}']
    finally:
        sandbox.webhooks.close()
