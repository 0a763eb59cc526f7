"""Consuming the queue: huey worker threads that hand event ids to the processor, plus the sweeper.

Standalone (`fieldbridge worker`, any queue): runs in the foreground and huey handles the signals: SIGTERM
finishes the events in hand (up to one lease), then exits; SIGINT exits at once (an event cut short is rerun
once its lease runs out). Embedded (`fieldbridge serve` with the SQLite queue): serve starts that same
command as a process of its own (`ConsumerProcess`), so processing never holds the receiver's interpreter,
and stops it on shutdown. In the background of another process (`start_in_background`: the demo, tests):
the host keeps its signal handlers and stops the consumer itself.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field

from huey.consumer import Consumer

from fieldbridge.jobs.handlers import HandlerRegistry, Periodic, load
from fieldbridge.jobs.queue import EventQueue
from fieldbridge.jobs.sweeper import Sweeper
from fieldbridge.jobs.worker import DRAIN_LIMIT, EventProcessor
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

    def processor(self, drain_limit: int = DRAIN_LIMIT) -> EventProcessor:
        """Runs events with these parts (a consumer's messages, or the events `backfill` makes itself)."""
        return EventProcessor(
            db=self.db,
            box=self.box,
            settings=self.settings,
            registry=self.registry,
            queue=self.queue,
            alert=self.alert,
            drain_limit=drain_limit,
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


@dataclass
class ConsumerProcess:
    """`fieldbridge worker` as a child of `fieldbridge serve`, with serve's environment (so its settings),
    started again if it stops unexpectedly. It runs in a session of its own, so a Ctrl-C meant for serve
    reaches it only as serve's graceful stop; and it is killed if serve dies without stopping it (SIGKILL,
    as when both were one process: its events are rerun once their leases run out)."""

    lease_seconds: float
    _process: subprocess.Popen[bytes] | None = None
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _watch: threading.Thread | None = None

    RESTART_AFTER_SECONDS = 1.0

    def start(self) -> ConsumerProcess:
        with self._lock:
            self._process = _start_worker()
        self._watch = threading.Thread(target=self._restart_when_gone, name="consumer-process", daemon=True)
        self._watch.start()
        return self

    def stop(self) -> None:
        """SIGTERM: the consumer finishes the events in hand (up to one lease), then exits."""
        self._stopping.set()
        if self._watch is not None:
            self._watch.join()
        with self._lock:
            process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=2 * self.lease_seconds + 10)
        except subprocess.TimeoutExpired:
            log.warning("the consumer process did not stop within its lease; killing it")
            process.kill()
            process.wait()

    def _restart_when_gone(self) -> None:
        while not self._stopping.wait(0.2):
            with self._lock:
                if self._process is None or self._process.poll() is None:
                    continue
                code = self._process.returncode
            log.warning(
                "the consumer process stopped (exit status %s); starting another in %g s",
                code,
                self.RESTART_AFTER_SECONDS,
            )
            if self._stopping.wait(self.RESTART_AFTER_SECONDS):
                return
            with self._lock:
                self._process = _start_worker()


def _start_worker() -> subprocess.Popen[bytes]:
    # stdout: serve's starts with its announcement line; the worker logs to stderr, which it shares.
    # preexec_fn with threads about: it makes one C call, bound before the fork, and imports nothing.
    return subprocess.Popen(
        [sys.executable, "-m", "fieldbridge.cli", "worker"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_die_with_parent,
    )


_PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """In the child between fork and exec: be killed when the thread that started it exits (serve's
    main thread, or the restarting thread, both there until serve ends)."""
    if _prctl is not None:
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
