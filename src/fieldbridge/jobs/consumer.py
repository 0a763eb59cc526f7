"""Consuming the queue: huey worker threads that hand event ids to the processor, plus the sweeper.

Embedded (inside `fieldbridge serve`, SQLite queue): started in the background; the web server keeps its
signal handlers and stops the consumer on shutdown. Standalone (`fieldbridge worker`, any queue): runs in
the foreground and huey handles the signals: SIGTERM finishes the events in hand (up to one lease), then
exits; SIGINT exits at once (an event cut short is rerun once its lease runs out).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from huey.consumer import Consumer

from fieldbridge.jobs.handlers import HandlerRegistry, Periodic, load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.sweeper import Sweeper
from fieldbridge.jobs.worker import EventProcessor
from fieldbridge.notify.alerts import Alerter
from fieldbridge.notify.email import EmailNotifier
from fieldbridge.settings import Settings
from fieldbridge.store.database import Database, open_store
from fieldbridge.store.secrets import SecretBox

log = logging.getLogger(__name__)


class _EmbeddedConsumer(Consumer):  # type: ignore[misc]
    def _set_signal_handlers(self) -> None:
        """Leave SIGINT/SIGTERM to the web server, which stops this consumer from its shutdown hook."""


class _HueysPeriodicLine(logging.Filter):
    """huey's consumer says "Periodic tasks are disabled." since its own scheduler runs none, which reads as
    if the reconciler did not run: FieldBridge's periodic tasks run on their own threads, and
    `_start_sweeping` says which."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.msg != "Periodic tasks are %s."


def _consumer(cls: type[Consumer], queue: EventQueue, settings: Settings) -> Consumer:
    huey_log = logging.getLogger("huey.consumer")
    if not any(isinstance(f, _HueysPeriodicLine) for f in huey_log.filters):
        huey_log.addFilter(_HueysPeriodicLine())
    # A SQLite queue is polled: keep the idle poll short (huey's default grows to 10 s) so an event waits
    # at most half a second. Redis blocks on the queue instead and does not poll.
    return cls(
        queue.huey,
        workers=settings.worker_threads,
        periodic=False,
        initial_delay=0.05,
        max_delay=0.5,
        worker_type="thread",
        shutdown_timeout=settings.lease_seconds,
        # SIGTERM (what systemd and container runtimes send) finishes the events in hand; SIGINT stops now.
        graceful_signal="TERM",
    )


@dataclass(frozen=True)
class Parts:
    """What a consuming process is made of (built once by `fieldbridge serve` or `fieldbridge worker`)."""

    settings: Settings
    db: Database
    box: SecretBox
    queue: EventQueue
    registry: HandlerRegistry
    alert: Alerter

    def processor(self) -> EventProcessor:
        """Runs events with these parts (a consumer's messages, or the events `backfill` makes itself)."""
        return EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=self.registry,
            queue=self.queue,
            alert=self.alert,
        )


def open_parts(settings: Settings, *, create: bool = True) -> Parts:
    """Open the database (migrating it), read the master key, connect the queue, load the handlers;
    `create=False`: a missing database is an error (`store.database.NoDatabase`), not made empty."""
    db, box = open_store(settings, create=create)
    return Parts(
        settings,
        db,
        box,
        EventQueue(settings),
        load(settings.handler_modules),
        EmailNotifier(settings, db),
    )


def _start_sweeping(parts: Parts) -> tuple[list[threading.Thread], threading.Event]:
    """Make this process a consumer (messages go to a processor) and start its threads: one renewing the
    leases of the queue messages it holds, the sweeper, and one for each periodic task the handler modules
    registered."""
    settings, db, queue = parts.settings, parts.db, parts.queue
    queue.consume_with(parts.processor().process)
    stop = threading.Event()
    threads = [
        threading.Thread(target=queue.keep_leases_until, args=(stop,), name="queue-leases", daemon=True),
        threading.Thread(
            target=Sweeper(db, queue, settings).run_until, args=(stop,), name="sweeper", daemon=True
        ),
    ]
    threads += [
        threading.Thread(target=_every, args=(task, parts, stop), name=task.name, daemon=True)
        for task in parts.registry.periodic
    ]
    for thread in threads:
        thread.start()
    every = [("sweeper", settings.sweep_interval_seconds)]
    every += [(task.name, task.interval_seconds) for task in parts.registry.periodic]
    log.info("periodic tasks: %s", ", ".join(f"{name} every {seconds:g} s" for name, seconds in every))
    return threads, stop


def _every(task: Periodic, parts: Parts, stop: threading.Event) -> None:
    while not stop.wait(task.interval_seconds):
        try:
            task.run(parts)
        except Exception as error:
            log.warning("%s failed (%s); trying again in %s s", task.name, error, task.interval_seconds)


@dataclass
class BackgroundConsumer:
    _consumer: Consumer
    _threads: list[threading.Thread]
    _stop: threading.Event

    def stop(self) -> None:
        """Finish the events in hand (up to one lease), then return."""
        self._consumer.stop(graceful=True)  # first: their queue messages' leases are renewed meanwhile
        self._stop.set()
        for thread in self._threads:
            thread.join()


def start_in_background(parts: Parts) -> BackgroundConsumer:
    threads, stop = _start_sweeping(parts)
    consumer = _consumer(_EmbeddedConsumer, parts.queue, parts.settings)
    consumer.start()
    return BackgroundConsumer(consumer, threads, stop)


def run_in_foreground(parts: Parts) -> None:
    """Consume until SIGTERM (graceful) or SIGINT."""
    threads, stop = _start_sweeping(parts)
    try:
        _consumer(Consumer, parts.queue, parts.settings).run()
    finally:
        stop.set()
        for thread in threads:
            thread.join()
