"""Prometheus metrics: HTTP requests by route and status, and the inbox as the database sees it.

Inbox figures are read from the database at scrape time, so they are true for the whole deployment
however many worker processes there are (their own counters would be invisible to this process).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fieldbridge.store.database import Database
from fieldbridge.store.inbox import WAITING
from fieldbridge.store.tables import DeadLetter, InboxEvent


class _InboxCollector(Collector):
    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._db.read() as session:
            by_status = session.execute(
                select(InboxEvent.status, func.count()).group_by(InboxEvent.status)
            ).all()
            open_letters = session.scalar(
                select(func.count()).select_from(DeadLetter).where(DeadLetter.resolved_at.is_(None))
            )
            oldest = session.scalar(
                select(func.min(InboxEvent.received_at)).where(InboxEvent.status.in_(WAITING))
            )
        events = GaugeMetricFamily("fieldbridge_inbox_events", "Inbox events by status.", labels=["status"])
        for status, count in by_status:
            events.add_metric([status], count)
        yield events
        yield GaugeMetricFamily(
            "fieldbridge_dead_letters_open", "Dead letters not yet replayed.", open_letters or 0
        )
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily(
            "fieldbridge_oldest_waiting_event_seconds", "Age of the oldest waiting event.", age
        )


class Metrics:
    def __init__(self, db: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "fieldbridge_http_requests",
            "HTTP requests answered.",
            ["route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "fieldbridge_http_request_seconds",
            "Time to answer an HTTP request.",
            ["route"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "fieldbridge_duplicate_deliveries",
            "Deliveries acknowledged as an event already stored.",
            ["door"],
            registry=self.registry,
        )
        self.registry.register(_InboxCollector(db))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MeasuredRequests:
    """ASGI middleware counting each HTTP request by route and status and timing it. Plain ASGI rather
    than Starlette's `BaseHTTPMiddleware`, which runs every request through an extra task and memory
    stream: this only watches the response start go by. The counters are the app's broker's (made when
    the app starts, after the middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers when the app raises before starting a response

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            # The route's template, not the path: paths carry ids and would make one series per id. The
            # router puts the matched route in the scope.
            name = getattr(scope.get("route"), "path", "unmatched")
            metrics: Metrics = scope["app"].state.broker.metrics
            metrics.requests.labels(name, str(status)).inc()
            metrics.latency.labels(name).observe(time.perf_counter() - started)
