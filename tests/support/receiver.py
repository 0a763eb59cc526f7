"""A webhook receiver on loopback that records exact bytes and headers and can fail on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request, Response

from fieldbridge.sandbox.server import running


@dataclass
class Received:
    path: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer next, then 200 forever
    always: int | None = None  # answer this status to everything
    attempts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def hook(path: str, request: Request) -> Response:
            body = await request.body()
            with self._lock:
                self.attempts += 1
                status = self.always or (self.answers.pop(0) if self.answers else 200)
                if status < 300:
                    self.received.append(Received("/" + path, body, dict(request.headers)))
            return Response(status_code=status)

        return app


@contextmanager
def receiver() -> Iterator[Receiver]:
    rec = Receiver()
    with running(rec.app()) as server:
        rec.url = server.url
        yield rec


def received_events(r: Receiver) -> list[str]:
    """Event names of the Field Nation deliveries the receiver accepted, in arrival order."""
    return [json.loads(d.body)["event"]["name"] for d in r.received]
