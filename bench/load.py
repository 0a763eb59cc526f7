"""The load generator, run as its own process: `python -m bench.load '<spec as JSON>'` prints a JSON report.

HTTP/1.1 POSTs over keep-alive loopback connections from one asyncio loop (uvloop when installed), read with
the few lines of parsing a 202 needs, so one process offers well over a thousand requests a second. Two modes:

- `closed`: `connections` clients each send their next request as soon as the last is answered, for
  `seconds`: the most the server takes (requests per second).
- `open`: requests become due at `rate` per second for `seconds`, whatever the server does, and each one's
  latency counts from when it was due (a server that falls behind cannot hide its queue in ours). A request
  not answered within `timeout` seconds of being due counts as timed out, as Autotask gives up after 10 s.

Bodies (`bodies`): `{"kind": "bare", "start": N}` posts `{"id": N}`, `{"id": N+1}`, ... (a new record each);
`{"kind": "webhook", "ids": [...], "secret": S, "start": N}` posts Autotask ticket webhooks for the ids in
turn with sequence numbers from N, signed with S when given (each a new delivery).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import socket
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    timeouts: int = 0


class Bodies:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.kind = spec.get("kind", "bare")
        self.start = int(spec.get("start", 1))
        self.ids = [int(i) for i in spec.get("ids", [])]
        self.secret = spec.get("secret")
        self.guid = spec.get("guid", "bench")

    def __call__(self, n: int) -> tuple[bytes, str]:
        """The body of request `n` and any extra header lines."""
        if self.kind == "bare":
            return b'{"id": %d}' % (self.start + n), ""
        payload = {
            "Action": "Update",
            "Guid": self.guid,
            "EntityType": "Ticket",
            "Id": self.ids[n % len(self.ids)],
            "SequenceNumber": self.start + n,
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        if not self.secret:
            return body, ""
        digest = hmac.new(self.secret.encode(), body, hashlib.sha1).digest()
        return body, f"X-Hook-Signature: sha1={base64.b64encode(digest).decode()}\r\n"


class Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def exchange(self, request: bytes) -> int:
        """Send one request, read its answer; the status. A connection the server closed while idle is
        opened again and the request sent once more (nothing was read from it)."""
        for attempt in (1, 2):
            if self.writer is None:
                await self.open()
            assert self.reader is not None
            assert self.writer is not None
            self.writer.write(request)
            try:
                head = await self.reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, ConnectionError) as error:
                self.close()
                partial = getattr(error, "partial", b"")
                if attempt == 1 and not partial:
                    continue
                raise
            lower = head.lower()
            at = lower.find(b"content-length:")
            if at < 0:
                self.close()
                raise ValueError("an answer without Content-Length")
            await self.reader.readexactly(int(lower[at + 15 : lower.find(b"\r\n", at)]))
            if b"connection: close" in lower:
                self.close()
            return int(head[9:12])
        raise AssertionError("unreachable")


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    url = urlsplit(spec["url"])
    host, port = url.hostname or "127.0.0.1", url.port or 80
    target = url.path + (f"?{url.query}" if url.query else "")
    bodies = Bodies(spec.get("bodies", {}))
    seconds, timeout = float(spec.get("seconds", 5)), float(spec.get("timeout", 10))
    limit = int(spec.get("limit", 1_000_000))
    head = f"POST {target} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"

    def request(n: int) -> bytes:
        body, extra = bodies(n)
        return f"{head}Content-Length: {len(body)}\r\n{extra}\r\n".encode() + body

    tally = Tally()
    pool = [Connection(host, port) for _ in range(int(spec.get("connections", 64)))]
    for batch in range(0, len(pool), 32):  # opened before the clock starts, a few at a time (listen backlog)
        await asyncio.gather(*(c.open() for c in pool[batch : batch + 32]))
    started = time.perf_counter()
    if spec.get("mode", "closed") == "closed":
        sent = await _closed(pool, request, tally, started + seconds, limit, timeout)
    else:
        sent = await _open(pool, request, tally, started, float(spec["rate"]), seconds, limit, timeout)
    elapsed = time.perf_counter() - started
    for connection in pool:
        connection.close()
    return _report(tally, sent, elapsed, timeout)


async def _closed(
    pool: list[Connection], request: Any, tally: Tally, deadline: float, limit: int, timeout: float
) -> int:
    counter = iter(range(limit))

    async def client(connection: Connection) -> None:
        for n in counter:
            if time.perf_counter() >= deadline:
                return
            began = time.perf_counter()
            await _one(connection, request(n), tally, began, timeout)

    await asyncio.gather(*(client(c) for c in pool))
    return sum(tally.statuses.values()) + sum(tally.errors.values()) + tally.timeouts


async def _open(
    pool: list[Connection],
    request: Any,
    tally: Tally,
    started: float,
    rate: float,
    seconds: float,
    limit: int,
    timeout: float,
) -> int:
    total = min(limit, int(rate * seconds))
    due: asyncio.Queue[tuple[int, float]] = asyncio.Queue()

    async def schedule() -> None:
        for n in range(total):
            when = started + n / rate
            if (wait := when - time.perf_counter()) > 0:
                await asyncio.sleep(wait)
            due.put_nowait((n, when))

    async def client(connection: Connection) -> None:
        while True:
            n, when = await due.get()
            try:
                if time.perf_counter() - when >= timeout:
                    tally.timeouts += 1  # waited for a free connection longer than the sender would
                else:
                    await _one(connection, request(n), tally, when, timeout)
            finally:
                due.task_done()

    clients = [asyncio.create_task(client(c)) for c in pool]
    await schedule()
    await due.join()
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    return total


async def _one(connection: Connection, request: bytes, tally: Tally, since: float, timeout: float) -> None:
    left = timeout - (time.perf_counter() - since)
    try:
        status = await asyncio.wait_for(connection.exchange(request), left)
    except TimeoutError:
        connection.close()
        tally.timeouts += 1
        return
    except (OSError, ValueError, asyncio.IncompleteReadError) as error:
        connection.close()
        tally.errors[type(error).__name__] += 1
        return
    tally.statuses[status] += 1
    tally.latencies.append(time.perf_counter() - since)


def _report(tally: Tally, sent: int, elapsed: float, timeout: float) -> dict[str, Any]:
    # A timed-out request counts at the timeout: percentiles then say "at least this slow".
    latencies = sorted(tally.latencies + [timeout] * tally.timeouts)

    def percentile(p: float) -> float | None:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)
            if latencies
            else None
        )

    accepted = sum(n for status, n in tally.statuses.items() if 200 <= status < 300)
    return {
        "sent": sent,
        "generator_cpu_seconds": round(time.process_time(), 3),
        "seconds": round(elapsed, 3),
        "accepted": accepted,
        "accepted_per_second": round(accepted / elapsed, 1) if elapsed else 0.0,
        "statuses": {str(status): n for status, n in sorted(tally.statuses.items())},
        "errors": dict(tally.errors),
        "timeouts": tally.timeouts,
        "latency_ms": {name: percentile(p) for name, p in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99))}
        | {"max": percentile(1.0)},
    }


def main() -> None:
    spec = json.loads(sys.argv[1])
    runner: Any = asyncio.run
    with contextlib.suppress(ImportError):
        import uvloop

        runner = uvloop.run
    print(json.dumps(runner(run(spec))))


if __name__ == "__main__":
    main()
