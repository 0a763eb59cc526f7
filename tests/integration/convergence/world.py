"""Where the stories run: both emulators (in this process), and a broker of real processes on a PostgreSQL
schema and a Redis queue of its own: `fieldbridge serve` (receives) and a `fieldbridge worker` (processes).
Both are started once and shared by the runs; each run resets the emulators and sets the demo's connector
up afresh through the admin API, as a person would.

People act through the emulators' `/_sim/` doors, which injected faults never reach; the broker's own calls
go through the APIs, which they do. The worker can be SIGKILLed and replaced at any moment.
"""

from __future__ import annotations

import contextlib
import secrets
import socket
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import redis
from cryptography.fernet import Fernet
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import create_engine, text

from fieldbridge.autotask import AutotaskError
from fieldbridge.demo import setup
from fieldbridge.demo.scene import CONNECTOR, DISPATCHER, Scene
from fieldbridge.demo.stack import Stack
from fieldbridge.demo.steps import Run
from fieldbridge.jobs import intake
from fieldbridge.jobs.consumer import Parts, open_parts
from fieldbridge.sandbox.autotask.app import create_app as autotask_app
from fieldbridge.sandbox.fieldnation.app import create_app as fieldnation_app
from fieldbridge.sandbox.server import running
from fieldbridge.settings import Settings, SyncSettings
from fieldbridge.store import admins, connectors
from fieldbridge.store.inbox import Hint
from fieldbridge.sync.reconcile import reconcile
from tests.integration.broker.processes import Fleet, fleet_env
from tests.integration.convergence.schedule import CLIENT_TIMEOUT_SECONDS, CREATE_SETTLE_SECONDS, Injection

WEBHOOK_SPEED = 200.0
"""Emulated webhook retry waits run this many times faster: Autotask's 30 s between attempts is 0.15 s."""
BROKER = {
    # Short enough that a killed worker's event, a lost queue message and a retry come back within seconds;
    # each is a documented setting (docs/broker.md), scaled down.
    "worker_threads": "4",
    "lease_seconds": "2",
    "sweep_interval_seconds": "0.5",
    "enqueue_grace_seconds": "0.5",
    "requeue_after_seconds": "3",
    "retry__base_delay_seconds": "0.2",
    "retry__max_delay_seconds": "1",
    "handler_modules": "fieldbridge.sync.handlers",
    # The clients give up for real (a `timeout` or long `latency` fault is a read timeout), and a create of
    # unknown outcome may be sent again seconds after it was: every seed settles within seconds.
    "sync__client_timeout_seconds": str(CLIENT_TIMEOUT_SECONDS),
    "sync__create_settle_seconds": str(CREATE_SETTLE_SECONDS),
}
UNFINISHED = ("received", "queued", "processing", "retrying")
RECONCILE_WHILE_WAITING_SECONDS = 4.0
"""A person waiting on the broker's work gets a reconciler pass this often, as the broker's periodic
reconciler would give one (scaled down): a change whose webhook deliveries were all dropped reaches the
broker no other way."""


@dataclass
class Emulators:
    autotask: FastAPI
    autotask_url: str
    fieldnation: FastAPI
    fieldnation_url: str


@contextlib.contextmanager
def emulators() -> Iterator[Emulators]:
    at, fn = autotask_app(WEBHOOK_SPEED), fieldnation_app(webhook_speed=WEBHOOK_SPEED)
    with running(at) as at_server, running(fn) as fn_server:
        at.state.emulator.set_base_url(at_server.url)
        fn.state.emulator.set_base_url(fn_server.url)
        yield Emulators(at, at_server.url, fn, fn_server.url)


@dataclass(frozen=True)
class Services:
    postgres_url: str
    redis_url: str


@dataclass
class Broker:
    fleet: Fleet
    worker: subprocess.Popen[bytes]
    settings: Settings
    admin: httpx.Client
    """Signed in to the admin API."""
    admin_password: str
    parts: Parts
    """The broker's parts in this process, for reconciler passes."""


@dataclass
class World:
    emulators: Emulators
    broker: Broker
    stack: Stack
    scene: Scene
    started: datetime = field(default_factory=lambda: datetime.now(UTC))
    kills: int = 0
    fired: Counter[str] = field(default_factory=Counter)
    _labels: dict[tuple[str, int], str] = field(default_factory=dict)

    # -- people ------------------------------------------------------------------------------------
    def dispatcher(self) -> int:
        return int(self.stack.records("Resources", firstName=DISPATCHER)[0]["id"])

    def create_ticket(self, fields: dict[str, Any]) -> int:
        """A dispatcher makes a ticket in the Autotask UI; its id."""
        made = self.stack.autotask_sim.post(
            "/_sim/ui/Tickets", json={"as_resource": self.dispatcher(), "fields": fields}
        )
        made.raise_for_status()
        return int(made.json()["id"])

    def edit_ticket(self, ticket_id: int, fields: dict[str, Any]) -> None:
        self.stack.autotask_sim.patch(
            f"/_sim/ui/Tickets/{ticket_id}", json={"as_resource": self.dispatcher(), "fields": fields}
        ).raise_for_status()

    def create_work_order(self, body: dict[str, Any]) -> int:
        """A buyer makes a work order in the Field Nation app; its id."""
        made = self.stack.fieldnation_sim.post("/_sim/workorders", json=body)
        made.raise_for_status()
        return int(made.json()["workorder"]["id"])

    def act(self, work_order_id: int, action: str, **body: Any) -> None:
        """Act in the Field Nation app (technician or buyer)."""
        answer = self.stack.fieldnation_sim.post(f"/_sim/workorders/{work_order_id}/{action}", json=body)
        if answer.is_error:
            raise AssertionError(f"the Field Nation app refused {action!r}: {answer.text}")

    def work_order_of(self, ticket_id: int, deadline: float = 30.0) -> int:
        """The (first) work order the broker made for a ticket, once there is one."""

        def made() -> int | None:
            state = self.emulators.fieldnation.state.emulator.state
            ids = [wo.id for wo in state.work_orders.values() if wo.correlation_id == str(ticket_id)]
            return min(ids) if ids else None

        return self._wait(made, deadline, f"a work order for ticket {ticket_id}")

    def ticket_reaches(self, work_order_id: int, status: int, deadline: float = 30.0) -> None:
        """Wait until the work order's ticket is in `status`: the ticket it was made from (its correlation
        id) or the one Outbound Create made from it (its `externalID`)."""
        correlation = self.emulators.fieldnation.state.emulator.state.work_order(work_order_id).correlation_id

        def reached() -> bool | None:
            tickets = [
                t
                for t in self.stack.records("Tickets")
                if str(t["id"]) == correlation or t.get("externalID") == f"FN-{work_order_id}"
            ]
            return True if [t["status"] for t in tickets] == [status] else None

        self._wait(reached, deadline, f"the ticket of work order {work_order_id} to reach status {status}")

    def _wait(self, probe: Any, seconds: float, what: str) -> Any:
        """`poll`, with a reconciler pass every `RECONCILE_WHILE_WAITING_SECONDS` (one that fails, say on
        an injected fault, is tried again at the next interval, as the broker's own would be)."""
        began, passes = time.monotonic(), 0

        def found_or_reconciled() -> Any:
            nonlocal passes
            answer = probe()
            if answer is None and time.monotonic() - began > (passes + 1) * RECONCILE_WHILE_WAITING_SECONDS:
                passes += 1
                with contextlib.suppress(AutotaskError):
                    self.reconcile()
            return answer

        return poll(found_or_reconciled, seconds, what)

    # -- the network and the processes ---------------------------------------------------------------
    def inject(self, injection: Injection) -> None:
        sim = self._sim(injection.target)
        answer = sim.post("/_sim/faults", json=injection.spec)
        if answer.status_code != 201:
            raise AssertionError(f"fault {injection.spec} refused: {answer.text}")
        self._labels[(injection.target, answer.json()["id"])] = injection.label

    def stop_faults(self) -> None:
        """Remove every fault, counting how often each fired, by the schedule's labels."""
        for target in ("autotask", "fieldnation"):
            sim = self._sim(target)
            for fault in sim.get("/_sim/faults").raise_for_status().json():
                self.fired[self._labels[(target, fault["id"])]] += fault["fired"]
            sim.delete("/_sim/faults").raise_for_status()

    def _sim(self, target: str) -> httpx.Client:
        return self.stack.autotask_sim if target == "autotask" else self.stack.fieldnation_sim

    def kill_worker(self) -> None:
        """SIGKILL the worker, while it processes an event if one shows up soon, and start another."""
        with contextlib.suppress(TimeoutError):
            poll(lambda: self._events("processing", 1) or None, 2.0, "an event being processed")
        fleet = self.broker.fleet
        fleet.kill(self.broker.worker)
        self.kills += 1
        self.broker.worker = fleet.worker(threads=int(BROKER["worker_threads"]))

    def reconcile(self) -> None:
        """One reconciler pass, as `fieldbridge reconcile --connector NAME` runs it (here, in this process,
        to spare a process start): its hints go to the inbox and the queue, and the worker does the rest."""
        parts = self.broker.parts
        with parts.db.transaction() as session:
            row = connectors.get(session, CONNECTOR)
            assert row is not None
            config = connectors.config(row, parts.box, parts.settings.default_integration_code)
        now = datetime.now(UTC)

        def submit(hint: Hint) -> None:
            intake.submit(parts.db, parts.queue, config.id, hint, now)

        reconcile(parts.db, config, parts.settings.sync, submit, now)

    # -- settling ------------------------------------------------------------------------------------
    def settle(self, deadline: float) -> list[str]:
        """Wait until nothing is in flight anywhere (webhook deliveries, late applies, unfinished events);
        what was still in flight at the deadline, else nothing."""
        quiet_twice = [False]

        def quiet() -> bool | None:
            now_quiet = not self.in_flight()
            settled = now_quiet and quiet_twice[0]
            quiet_twice[0] = now_quiet
            return True if settled else None

        try:
            poll(quiet, deadline, "the system to settle")
        except TimeoutError:
            return self.in_flight()
        return []

    def in_flight(self) -> list[str]:
        busy = []
        for name, sim in (
            ("Autotask", self.stack.autotask_sim),
            ("Field Nation", self.stack.fieldnation_sim),
        ):
            if pending := sim.get("/_sim/webhooks/deliveries").raise_for_status().json()["pending"]:
                busy.append(f"{name}: {pending} webhook deliveries pending")
            if late := sim.get("/_sim/faults/late-applies").raise_for_status().json()["pending"]:
                busy.append(f"{name}: {late} late applies pending")
        for status in UNFINISHED:
            busy += [
                f"event {e['id']} ({e['system']} {e['entity']} {e['record_id']}) {status}: {e['last_error']}"
                for e in self._events(status, 20)
            ]
        if (worker := self.broker.worker).poll() is not None:
            busy.append(f"the worker exited with {worker.returncode}")
        return busy

    def events(self) -> list[dict[str, Any]]:
        """Every event of the connector, newest first."""
        found: list[dict[str, Any]] = []
        while True:
            params: dict[str, Any] = {"connector": CONNECTOR, "limit": 500}
            if found:
                params["before_id"] = found[-1]["id"]
            page = self.stack.admin.get("/v1/admin/events", params=params).raise_for_status().json()
            found += page
            if len(page) < 500:
                return found

    def _events(self, status: str, limit: int) -> list[dict[str, Any]]:
        params = {"connector": CONNECTOR, "status": status, "limit": limit}
        return list(self.stack.admin.get("/v1/admin/events", params=params).raise_for_status().json())


def poll(probe: Any, seconds: float, what: str) -> Any:
    """`probe()` until it answers something other than None; TimeoutError naming `what` after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        if answer is not None:
            return answer
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {seconds:.0f} s")
        time.sleep(0.05)


def _free_port() -> int:
    # serve needs its port before it starts: the trigger URL and the Field Nation webhook are built from it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _schema(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL schema of the run's own, named in the URL so the broker's processes land in it."""
    name = f"conv_{uuid.uuid4().hex[:12]}"
    engine = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f"CREATE SCHEMA {name}"))
    separator = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{separator}options={quote(f'-csearch_path={name}')}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f"DROP SCHEMA {name} CASCADE"))
        engine.dispose()


@contextlib.contextmanager
def _queue(redis_url: str) -> Iterator[str]:
    name = f"conv-{uuid.uuid4().hex[:12]}"
    try:
        yield name
    finally:
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(f"*{name}*"))
        if keys:
            client.delete(*keys)
        client.close()


@contextlib.contextmanager
def broker(services: Services, directory: Path) -> Iterator[Broker]:
    """`fieldbridge serve` and one worker on a schema and queue of their own, and an admin signed in."""
    with contextlib.ExitStack() as exits:
        database_url = exits.enter_context(_schema(services.postgres_url))
        queue_name = exits.enter_context(_queue(services.redis_url))
        port, master_key = _free_port(), Fernet.generate_key().decode()
        env = fleet_env(
            directory,
            data_dir=str(directory),
            database_url=database_url,
            queue_url=services.redis_url,
            queue_name=queue_name,
            master_key=master_key,
            public_base_url=f"http://127.0.0.1:{port}",
            **BROKER,
        )
        fleet = Fleet(directory, env)
        exits.callback(fleet.stop_all)
        # The worker once `serve` has made the database: a worker never makes one.
        launched = fleet.launch(port=port)
        worker = fleet.worker(threads=int(BROKER["worker_threads"]))
        settings = Settings(
            data_dir=directory,
            database_url=database_url,
            queue_url=services.redis_url,
            queue_name=queue_name,
            master_key=SecretStr(master_key),
            handler_modules=[BROKER["handler_modules"]],
            sync=SyncSettings(
                client_timeout_seconds=CLIENT_TIMEOUT_SECONDS, create_settle_seconds=CREATE_SETTLE_SECONDS
            ),
        )
        parts = open_parts(settings)
        exits.callback(parts.db.dispose)
        password = secrets.token_urlsafe(18)
        with parts.db.transaction() as session:
            admins.create_user(session, "admin", password, datetime.now(UTC))
        admin = exits.enter_context(httpx.Client(base_url=launched.url, timeout=30))
        admin.post("/v1/admin/session", json={"username": "admin", "password": password}).raise_for_status()
        yield Broker(fleet, worker, settings, admin, password, parts)


@contextlib.contextmanager
def world(emus: Emulators, the_broker: Broker) -> Iterator[World]:
    """Reset emulators and the demo's connector set up afresh (the previous run's removed, with everything
    the broker kept for it)."""
    with contextlib.ExitStack() as exits:
        autotask_sim, fieldnation_sim = (
            exits.enter_context(httpx.Client(base_url=url, timeout=30))
            for url in (emus.autotask_url, emus.fieldnation_url)
        )
        for sim in (autotask_sim, fieldnation_sim):
            sim.post("/_sim/reset").raise_for_status()
            sim.put("/_sim/clock", json={"speed": WEBHOOK_SPEED}).raise_for_status()
        gone = the_broker.admin.delete(f"/v1/admin/connectors/{CONNECTOR}")
        if gone.status_code != 404:
            gone.raise_for_status()
        stack = Stack(
            broker_url=str(the_broker.admin.base_url),
            autotask_url=emus.autotask_url,
            fieldnation_url=emus.fieldnation_url,
            autotask_credentials=emus.autotask.state.emulator.announce(emus.autotask_url),
            fieldnation_credentials=emus.fieldnation.state.emulator.announce(emus.fieldnation_url),
            admin_password=the_broker.admin_password,
            settings=the_broker.settings,
            admin=the_broker.admin,
            autotask_sim=autotask_sim,
            fieldnation_sim=fieldnation_sim,
        )
        scene = Scene(stack, Run(stack, CONNECTOR))
        for step in (setup.save_credentials, setup.refresh_fields, setup.mappings, setup.trigger_url):
            step(scene)
        setup.webhooks(scene)
        yield World(emus, the_broker, stack, scene)
