"""The web console's pages with a busy store: 10,000 pairs (each with its snapshot) and 100,000 events, each
with its history line, received over the last two days (half of them in the overview's last 24 hours), 1 in
500 dead with its dead letter. Each page is requested through the real application in this process (the
ASGI app `fieldbridge serve` runs, through httpx's ASGI transport, signed in with an admin's session cookie),
so the time is the server's alone: routing, the session check, the queries and the rendering. The figure is
the median of several requests per page, after one to warm caches.

Pages whose time is Autotask's or Field Nation's (the check when run, the reference sheet, the sync options'
pickers, API usage, a mapping preview) are not here: they wait on a remote API by design.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, select

from bench.bench_inbox import busy_event
from bench.figures import figure, size
from bench.node import Deployment
from fieldbridge.store import admins
from fieldbridge.store.database import Database, open_database
from fieldbridge.store.tables import Connector, DeadLetter, HistoryEntry, InboxEvent, Link
from fieldbridge.sync.tables import PairLabel, PairSnapshot
from fieldbridge.web.app import create_app
from fieldbridge.web.deps import SESSION_COOKIE

ROW = "console pages"
GOAL_MS = 100.0
SPAN = timedelta(hours=48)
CHUNK = 5_000
WORDS = ("core switch", "printer", "firewall", "UPS battery", "access point", "POS terminal", "camera")
SITES = ("Denver", "Austin", "Boise", "Tulsa", "Fresno", "Omaha", "Reno", "Mesa")


def _snapshot(n: int, created: datetime) -> dict[str, Any]:
    """A pair's snapshot the size the flows keep (~2.5 KB): the ticket with its related records, both
    documents as last synced."""
    number = f"T{created:%Y%m%d}.{n % 100_000:05d}"
    title = f"Replace the {WORDS[n % len(WORDS)]} at {SITES[n % len(SITES)]} store {n}"
    record: dict[str, Any] = {
        "id": 7_000_000 + n,
        "ticketNumber": number,
        "title": title,
        "description": f"{title}. The site manager reports it failed this morning; parts are on site. " * 3,
        "status": 24,
        "priority": 2,
        "queueID": 29683378,
        "companyID": 174 + n % 50,
        "contactID": 30_000 + n % 400,
        "dueDateTime": f"{created + timedelta(days=3):%Y-%m-%dT%H:%M:%SZ}",
        "createDate": f"{created:%Y-%m-%dT%H:%M:%SZ}",
        "userDefinedFields": [{"name": f"UDF {i}", "value": f"value {i}"} for i in range(8)],
        "company": {"id": 174 + n % 50, "companyName": f"Acme {SITES[n % len(SITES)]}", "phone": "555-0100"},
        "location": {"address1": f"{n % 900 + 100} Main St", "city": SITES[n % len(SITES)], "state": "CO"},
        "contact": {"firstName": "Pat", "lastName": f"Lee {n % 400}", "emailAddress": "pat@acme.example"},
    }
    document = {f"field_{i}": f"value {n} {i}" for i in range(15)}
    return {
        "record": record,
        "inbound": document,
        "outbound": document,
        "warned": [],
        "reports": {},
        "work_order_status": 2,
    }


def _seed(db: Database, connector_id: int, pairs: int, events: int, now: datetime) -> list[int]:
    """The pairs, then the events (each of one pair's two records, in turn) with their history lines and
    dead letters; the pairs' link ids, oldest first."""
    first_day = now - SPAN
    with db.engine.begin() as connection:
        for start in range(0, pairs, CHUNK):
            numbers = range(start, min(start + CHUNK, pairs))
            connection.execute(
                insert(Link),
                [
                    {
                        "connector_id": connector_id,
                        "autotask_entity": "Ticket",
                        "autotask_id": 7_000_000 + n,
                        "fieldnation_entity": "workorder",
                        "fieldnation_id": 90_000 + n,
                        "parent_id": None,
                        "fingerprint": f"{n:064x}",
                        "synced_at": first_day + SPAN * n / pairs,
                    }
                    for n in numbers
                ],
            )
        link_ids = list(connection.scalars(select(Link.id).order_by(Link.id)))
        for start in range(0, pairs, CHUNK):
            numbers = range(start, min(start + CHUNK, pairs))
            states = [_snapshot(n, first_day + SPAN * n / pairs) for n in numbers]
            connection.execute(
                insert(PairSnapshot),
                [{"link_id": link_ids[n], "state": state} for n, state in zip(numbers, states, strict=True)],
            )
            connection.execute(
                insert(PairLabel),
                [
                    {
                        "link_id": link_ids[n],
                        "ticket_number": state["record"]["ticketNumber"],
                        "title": state["record"]["title"],
                    }
                    for n, state in zip(numbers, states, strict=True)
                ],
            )
    for start in range(0, events, CHUNK):
        _seed_events(db, connector_id, range(start, min(start + CHUNK, events)), events, pairs, now)
    return link_ids


def _seed_events(
    db: Database, connector_id: int, numbers: range, events: int, pairs: int, now: datetime
) -> None:
    inbox_rows, history_rows, dead = [], [], []
    for n in numbers:
        pair = n % pairs
        record = (
            ("autotask", "Ticket", 7_000_000 + pair)
            if n % 2 == 0
            else ("fieldnation", "workorder", 90_000 + pair)
        )
        inbox_rows.append(busy_event(connector_id, n, record, now - SPAN * (events - n) / events, now))
    with db.engine.begin() as connection:
        connection.execute(insert(InboxEvent), inbox_rows)
        ids = list(
            connection.scalars(
                select(InboxEvent.id)
                .where(InboxEvent.dedup_key.in_([r["dedup_key"] for r in inbox_rows]))
                .order_by(InboxEvent.id)
            )
        )
        for event_id, row in zip(ids, inbox_rows, strict=True):
            failed = row["status"] in ("retrying", "dead")
            history_rows.append(
                {
                    "connector_id": connector_id,
                    "event_id": event_id,
                    "pair_key": f"{row['system']}:{row['entity']}:{row['record_id']}",
                    "at": row["finished_at"] or row["received_at"],
                    "level": "error" if failed else "info",
                    "action": "sync",
                    "message": "Field Nation answered HTTP 500"
                    if failed
                    else "work order 90001 updated: status",
                    "fix": "Replay it once Field Nation answers" if failed else None,
                    "outcome": None if failed else {"kind": "synced", "writes": [{"what": "work order"}]},
                }
            )
            if row["status"] == "dead":
                dead.append(
                    {
                        "event_id": event_id,
                        "connector_id": connector_id,
                        "created_at": row["finished_at"],
                        "attempts": 5,
                        "cause": "Field Nation answered HTTP 500 five times",
                        "fix": "Replay it once Field Nation answers",
                        "resolved_at": None,
                        "resolved_by": None,
                    }
                )
        connection.execute(insert(HistoryEntry), history_rows)
        if dead:
            connection.execute(insert(DeadLetter), dead)


def _pages(
    db: Database, connector: str, link_ids: list[int], pairs: int, first_day: datetime
) -> Iterator[tuple[str, str]]:
    """(what, path) of every page read from the store alone."""
    with db.engine.connect() as connection:
        newest_event = connection.scalar(select(InboxEvent.id).order_by(InboxEvent.id.desc()).limit(1))
        letters = list(connection.scalars(select(DeadLetter.id).order_by(DeadLetter.id)))
    middle = link_ids[len(link_ids) // 2]
    # The oldest pairs' title and ticket number: found last, newest first, so every pair is read.
    oldest = _snapshot(1, first_day + SPAN / pairs)["record"]
    yield "overview", "/"
    yield "pairs", f"/activity?connector={connector}"
    yield "pairs, a later page", f"/activity?connector={connector}&before={middle}"
    yield "pairs, search by title (the oldest pair)", "/activity?q=store+0"  # only pair 0's title has it
    yield "pairs, search by ticket number (the oldest pair)", f"/activity?q={oldest['ticketNumber']}"
    yield "pairs, search with no match", "/activity?q=no+such+ticket"
    yield "pairs, search by ticket id", f"/activity?q={7_000_000 + pairs // 2}"
    yield "a pair's history", f"/activity/{connector}/Ticket/{7_000_000 + pairs - 1}"
    yield "events", "/activity/events"
    yield "events, last 24 h, failed", f"/activity/events?connector={connector}&since=24h&state=dead"
    yield "an event", f"/activity/events/{newest_event}"
    yield "dead letters", "/dead-letters"
    yield "dead letters, a later page", f"/dead-letters?before={letters[len(letters) // 2]}"
    yield "mappings", f"/mappings/{connector}"
    yield "check (before running it)", f"/check?connector={connector}"


async def _median_ms(client: httpx.AsyncClient, path: str, requests: int) -> float:
    (await client.get(path)).raise_for_status()  # warm: templates compiled, the pages in the database's cache
    costs = []
    for _ in range(requests):
        started = time.perf_counter()
        answer = await client.get(path)
        costs.append(time.perf_counter() - started)
        answer.raise_for_status()
    return statistics.median(costs) * 1000


async def _measure(app: FastAPI, cookie: str, pages: list[tuple[str, str]], requests: int) -> list[float]:
    """Each page's median time, asked of the app in this process, its lifespan run as `serve` runs it."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app), base_url="http://console", cookies={SESSION_COOKIE: cookie}
        ) as client,
    ):
        return [await _median_ms(client, path, requests) for _, path in pages]


def run() -> list[dict[str, Any]]:
    pairs = int(size("console_pairs", 10_000, 2_000))
    events = int(size("console_events", 100_000, 10_000))
    requests = int(size("console_requests", 9, 3))
    found = []
    with tempfile.TemporaryDirectory(prefix="fieldbridge-bench-console-") as directory:
        deployment = Deployment(Path(directory))
        deployment.add_connector()
        settings = deployment.product_settings()
        db = open_database(settings)
        try:
            now = datetime.now(UTC)
            with db.transaction() as session:
                connector = session.scalars(select(Connector)).one()
                name, connector_id = connector.name, connector.id
                admin = admins.create_user(session, "bench-admin", "bench-password-2026", now)
                cookie = admins.start_session(session, admin, now, timedelta(hours=1))
            seeding = time.perf_counter()
            link_ids = _seed(db, connector_id, pairs, events, now)
            seeded_s = time.perf_counter() - seeding
            pages = list(_pages(db, name, link_ids, pairs, now - SPAN))
            timed = asyncio.run(_measure(create_app(settings, consume=False), cookie, pages, requests))
            for (what, path), ms in zip(pages, timed, strict=True):
                found.append(
                    figure(
                        ROW,
                        what,
                        ms,
                        "ms",
                        f"< {GOAL_MS:g}",
                        ms < GOAL_MS,
                        path=path,
                        pairs=pairs,
                        events=events,
                        requests=requests,
                        seeded_s=round(seeded_s, 1),
                    )
                )
        finally:
            db.dispose()
    return found
