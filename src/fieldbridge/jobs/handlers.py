"""What the worker runs for an event: a handler per (system, entity), registered by handler modules.

A handler module has `register(registry)`. The sync flows will be one; tests bring their own through the
`handler_modules` setting, which is how the inbox, queue, retry and dead-letter machinery is tested on its
own. A handler gets a `Job` and either returns its `Outcome` (None: nothing to tell) or raises: `JobFailed`
for a failure it understands, anything else for one it does not (both are retried). What it leaves undone
on the way it tells `Job.skip`; the worker writes those lines whatever the attempt's end.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from fieldbridge.jobs.outcome import Outcome, Skip
from fieldbridge.notify.alerts import Alerter, AlertKind
from fieldbridge.settings import SyncSettings
from fieldbridge.store.connectors import ConnectorConfig
from fieldbridge.store.database import Database
from fieldbridge.store.tables import InboxEvent

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from fieldbridge.jobs.consumer import Parts


class TakeLock(Protocol):
    def __call__(
        self, system: str, entity: str, record_id: int, then: Callable[[Session], None] | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Job:
    event_id: int
    attempt: int
    """1 for the first try."""
    source: str
    system: str
    entity: str
    record_id: int
    payload: dict[str, Any] | None
    connector: ConnectorConfig
    db: Database
    lock: TakeLock
    """Take the pair lock of another record (system, entity, id) for the rest of this job: a flow does so
    before it links that record to this one, and may write the link in the same transaction (`then`).
    Raises `JobFailed` (retried) when it stays held elsewhere."""
    hold: Callable[[Session], None]
    """Confirm in the caller's transaction that this job still holds its pair's locks, renewing them, or
    raise `JobFailed`: its worker stalled past the lease and another took the pair over. A flow calls it
    where it commits to a write that a second run must not repeat (a create's pending row), so two runs of
    one pair never both send it."""
    clock: Callable[[], datetime]
    """Now, as the worker sees it (flows take their time from it, so tests can move it)."""
    sync: SyncSettings
    """How the flows wait on the services: timeouts, the settling window of a create of unknown outcome."""
    alert: Alerter
    """Where a flow's alerts go (the worker's own, rate limited)."""
    stored: object = None
    """What the handler's `Registered.reads` read, in the transaction that claimed the event (None without
    one)."""
    skips: list[Skip] = field(default_factory=list)
    end_writes: list[Callable[[Session], object]] = field(default_factory=list)

    def skip(self, message: str, fix: str | None = None) -> None:
        """Something this attempt leaves undone, for the pair's history (written with the attempt's end)."""
        self.skips.append(Skip(message, fix))

    def write_at_end(self, write: Callable[[Session], object]) -> None:
        """Write in the transaction that records how this attempt ends, whatever the end, if the attempt
        still holds its event then: a flow's last write costs no transaction of its own (each is a turn at
        SQLite's one write lock), and an attempt that lost its pair to another worker writes nothing."""
        self.end_writes.append(write)


class JobFailed(Exception):
    """A failure the handler understands, with the likely cause and fix in the setup guide's words.

    `retry=False` sends the event to dead letters at once (e.g. Outbound Create without a required field:
    trying again cannot help). `alert` asks for an email now, besides the one every dead letter gets.
    """

    def __init__(
        self,
        cause: str,
        fix: str | None = None,
        *,
        retry: bool = True,
        alert: AlertKind | None = None,
        retry_in: float | None = None,
    ):
        super().__init__(cause)
        self.cause = cause
        self.fix = fix
        self.retry = retry
        self.alert = alert
        self.retry_in = retry_in
        """Seconds after which a retry can succeed, when the handler knows (instead of the backoff)."""


Handler = Callable[[Job], Outcome | None]
Reads = Callable[["Session", InboxEvent], object]


@dataclass(frozen=True)
class Registered:
    handle: Handler
    reads: Reads | None = None
    """What the handler reads of the store before it starts, read by the worker in the transaction that
    claims the event (under the pair's locks, as the handler would read it) and handed over as
    `Job.stored`: an event whose handler then writes nothing costs no transaction of the handler's own."""


@dataclass(frozen=True)
class Periodic:
    """Work a handler module wants done every `interval_seconds` in each consuming process (the sync flows'
    reconciler); it must tolerate running in several processes at once."""

    name: str
    interval_seconds: float
    run: Callable[[Parts], None]


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Registered] = {}
        self.periodic: list[Periodic] = []

    def every(self, name: str, interval_seconds: float, run: Callable[[Parts], None]) -> None:
        self.periodic.append(Periodic(name, interval_seconds, run))

    def register(self, system: str, entity: str, handler: Handler, reads: Reads | None = None) -> None:
        if (system, entity) in self._handlers:
            raise ValueError(f"a handler for {system} {entity} is registered already")
        self._handlers[(system, entity)] = Registered(handler, reads)

    def find(self, system: str, entity: str) -> Registered | None:
        return self._handlers.get((system, entity))


def load(module_names: list[str]) -> HandlerRegistry:
    registry = HandlerRegistry()
    for name in module_names:
        importlib.import_module(name).register(registry)
    return registry
