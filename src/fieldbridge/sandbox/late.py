"""Late applies: a request the client was already answered for (with an injected error) is applied by the
emulated service some seconds later, by running the buffered request through the app again.

The replay carries a marker in its ASGI scope so that the fault middleware neither injects a fault into it
nor counts it as a call: the client made one call, counted when it was answered.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Scope

_MARKER = "fieldbridge.sandbox.late_apply"
# What a replay keeps of the original request; the rest (routing results, state) the app sets anew.
_REQUEST_KEYS = (
    "type", "asgi", "http_version", "method", "scheme", "server", "client",
    "root_path", "path", "raw_path", "query_string", "headers",
)  # fmt: skip


def is_late_apply(scope: Scope) -> bool:
    return bool(scope.get(_MARKER))


@dataclass(frozen=True)
class Applied:
    method: str
    route: str
    status: int
    """What the service answered; nobody heard it."""


class LateApplies:
    """Requests waiting to be applied, and those applied since the last reset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: dict[asyncio.Task[None], asyncio.AbstractEventLoop] = {}
        self._applied: list[Applied] = []

    def schedule(self, app: ASGIApp, scope: Scope, body: bytes, seconds: float, route: str) -> None:
        """Apply the request `seconds` from now; `route` names it in the log unless its handler names it.
        Call from the app's event loop."""
        replay = {key: scope[key] for key in _REQUEST_KEYS if key in scope} | {_MARKER: True, "state": {}}
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._apply(app, replay, body, seconds, route))
        with self._lock:
            self._waiting[task] = loop  # the loop keeps only a weak reference to the task
        task.add_done_callback(self._forget)

    def pending(self) -> int:
        with self._lock:
            return len(self._waiting)

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"pending": len(self._waiting), "applied": [vars(a) for a in self._applied]}

    def reset(self) -> None:
        """Cancel what has not been applied yet (thread-safe: `/_sim/reset` runs off the loop)."""
        with self._lock:
            waiting = list(self._waiting.items())
            self._applied.clear()
        for task, loop in waiting:
            loop.call_soon_threadsafe(task.cancel)

    def _forget(self, task: asyncio.Task[None]) -> None:
        with self._lock:
            self._waiting.pop(task, None)

    async def _apply(self, app: ASGIApp, scope: Scope, body: bytes, seconds: float, route: str) -> None:
        await asyncio.sleep(seconds)
        answered = asyncio.Event()
        status, body_sent = 0, False

        async def receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()  # like a client that stays until the answer is complete
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                answered.set()

        await app(scope, receive, send)
        route = scope["state"].get("sim_route") or route
        with self._lock:
            self._applied.append(Applied(scope["method"], route, status))
