"""Outgoing webhook deliveries with a retry policy, in order per target, on a thread of their own.

Both emulators deliver through this: Autotask (5 attempts 30 s apart, then dropped) and Field Nation
(0, 10, 20 ... 640 s; 404/410 permanent; other 4xx not retried) differ only in their `RetryPolicy`
and in the headers they sign each attempt with.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

import httpx

from fieldbridge.sandbox.clock import SimClock
from fieldbridge.sandbox.faults import FaultInjector
from fieldbridge.tls import client_context

DeliveryState = Literal["pending", "delivered", "failed"]


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[float, ...]
    """Emulated seconds to wait before each attempt; its length is the number of attempts."""
    timeout: float
    """Real seconds a receiver has to answer one attempt."""
    permanent_statuses: frozenset[int] = frozenset()
    retry_client_errors: bool = True
    """False: a 4xx answer ends the delivery (Field Nation); True: it is retried like a 5xx."""


@dataclass
class Attempt:
    number: int
    at: str
    status: int | None
    error: str | None
    duration_ms: float


@dataclass
class Delivery:
    id: str
    target: str
    url: str
    body: bytes
    headers: dict[str, str]
    state: DeliveryState = "pending"
    outcome: str = ""
    attempts: list[Attempt] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "target": self.target,
            "url": self.url,
            "state": self.state,
            "outcome": self.outcome,
            "body": self.body.decode("utf-8", "replace"),
            "attempts": [a.__dict__ for a in self.attempts],
        }


HeadersFor = Callable[[Delivery, int], dict[str, str]]
OnAttempt = Callable[[Delivery, Attempt], None]


class WebhookDispatcher:
    def __init__(
        self,
        policy: RetryPolicy,
        clock: SimClock,
        faults: FaultInjector,
        headers_for: HeadersFor | None = None,
        on_attempt: OnAttempt | None = None,
        keep: int = 2000,
    ) -> None:
        self.policy = policy
        self._clock = clock
        self._faults = faults
        self._headers_for = headers_for or (lambda d, n: {})
        self._on_attempt = on_attempt or (lambda d, a: None)
        self._lock = threading.Lock()
        self._log: deque[Delivery] = deque(maxlen=keep)
        self._queues: dict[str, asyncio.Queue[Delivery]] = {}
        # The loop keeps only weak references to tasks: hold the workers so none is collected mid-delivery.
        self._workers: list[asyncio.Task[None]] = []
        self._busy = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sandbox-webhooks", daemon=True)
        self._thread.start()
        self._client = httpx.AsyncClient(timeout=policy.timeout, verify=client_context())

    # -- API used by the emulators (thread-safe) ------------------------------------------------
    def submit(self, target: str, url: str, body: bytes, headers: dict[str, str]) -> Delivery:
        delivery = Delivery(id=str(uuid.uuid4()), target=target, url=url, body=body, headers=headers)
        with self._lock:
            self._log.append(delivery)
            self._busy += 1
        self._loop.call_soon_threadsafe(self._enqueue, delivery)
        return delivery

    def retry(self, delivery_id: str) -> Delivery:
        """Manual retry of a finished delivery: one more attempt, now, outside the schedule."""
        delivery = self.get(delivery_id)
        if delivery is None:
            raise KeyError(delivery_id)
        with self._lock:
            self._busy += 1
        future = asyncio.run_coroutine_threadsafe(self._manual(delivery), self._loop)
        future.result(timeout=self.policy.timeout + 5)
        return delivery

    def get(self, delivery_id: str) -> Delivery | None:
        with self._lock:
            return next((d for d in self._log if d.id == delivery_id), None)

    def deliveries(self, target: str | None = None) -> list[Delivery]:
        with self._lock:
            return [d for d in self._log if target is None or d.target == target]

    def pending(self) -> int:
        with self._lock:
            return self._busy

    def reset(self) -> None:
        with self._lock:
            self._log.clear()

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()

    # -- loop side ------------------------------------------------------------------------------
    async def _shut_down(self) -> None:
        # Cancel the idle workers first: left pending on a stopped loop they warn when collected.
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        await self._client.aclose()

    def _enqueue(self, delivery: Delivery) -> None:
        queue = self._queues.get(delivery.target)
        if queue is None:
            queue = self._queues[delivery.target] = asyncio.Queue()
            self._workers.append(self._loop.create_task(self._worker(queue)))
        queue.put_nowait(delivery)

    async def _worker(self, queue: asyncio.Queue[Delivery]) -> None:
        # One worker per target keeps that target's events in order, retries included.
        while True:
            delivery = await queue.get()
            try:
                await self._run(delivery)
            finally:
                with self._lock:
                    self._busy -= 1

    async def _run(self, delivery: Delivery) -> None:
        delays = self.policy.delays
        for index, delay in enumerate(delays):
            await self._clock.sleep(delay)
            attempt = await self._attempt(delivery)
            if attempt.status is not None and 200 <= attempt.status < 300:
                delivery.state, delivery.outcome = "delivered", f"delivered on attempt {attempt.number}"
                return
            if self._is_final(attempt.status):
                delivery.state = "failed"
                delivery.outcome = f"not retried: the receiver answered {attempt.status}"
                return
            if index == len(delays) - 1:
                delivery.state = "failed"
                delivery.outcome = f"dropped after {len(delays)} attempts"

    async def _manual(self, delivery: Delivery) -> None:
        try:
            attempt = await self._attempt(delivery)
            if attempt.status is not None and 200 <= attempt.status < 300:
                delivery.state, delivery.outcome = "delivered", f"delivered on manual retry {attempt.number}"
        finally:
            with self._lock:
                self._busy -= 1

    def _is_final(self, status: int | None) -> bool:
        if status is None:
            return False
        if status in self.policy.permanent_statuses:
            return True
        return 400 <= status < 500 and not self.policy.retry_client_errors

    async def _attempt(self, delivery: Delivery) -> Attempt:
        number = len(delivery.attempts) + 1
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        fault = self._faults.pick("webhook", "POST", delivery.url)
        if fault is not None and fault.kind == "drop":
            error = "dropped by an injected fault"
        elif fault is not None and fault.kind == "status":
            status = fault.status
        else:
            if fault is not None and fault.kind in ("latency", "timeout"):
                await asyncio.sleep(fault.seconds)
            headers = {**delivery.headers, **self._headers_for(delivery, number)}
            try:
                response = await self._client.post(delivery.url, content=delivery.body, headers=headers)
                status = response.status_code
            except httpx.TimeoutException:
                error = f"no answer within {self.policy.timeout} s"
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            if fault is not None and fault.kind == "lost_answer":
                # The receiver got it, but its answer never came back: the delivery is retried.
                await asyncio.sleep(fault.seconds)
                error = f"the receiver's answer ({status}) was lost by an injected fault"
                status = fault.status
        attempt = Attempt(
            number=number,
            at=datetime.now(UTC).isoformat(),
            status=status,
            error=error,
            duration_ms=round((time.monotonic() - started) * 1000, 2),
        )
        delivery.attempts.append(attempt)
        self._on_attempt(delivery, attempt)
        return attempt
