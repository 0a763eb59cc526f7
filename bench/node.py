"""A FieldBridge deployment for a benchmark, every part its own process: both emulators (`fieldbridge sim`),
`fieldbridge serve` and, with a shared queue, `fieldbridge worker`s. The connector is set up as a person
would, through the admin API (the demo's setup steps: credentials, Refresh Fields, mappings, trigger URL,
both webhooks), so every event runs the real sync flows against the emulators."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import Engine, create_engine, text

from bench.procs import COUNTING, Processes, Started, clean_env, free_port, wait_for
from fieldbridge.demo import setup
from fieldbridge.demo.scene import CONNECTOR, Scene
from fieldbridge.demo.stack import Stack
from fieldbridge.demo.steps import Run
from fieldbridge.settings import Settings
from fieldbridge.store import admins, client_tokens, connectors
from fieldbridge.store.database import open_database
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.sync.options import SyncOptions

UNFINISHED = ("received", "queued", "processing", "retrying")
FAILED = ("retrying", "dead")
TIMEOUT = 30.0
BATCH = "SELECT count(*), min(received_at), max(finished_at) FROM inbox_events WHERE id > :a"


@dataclass
class Deployment:
    """Where one deployment keeps its data and the environment all its processes share."""

    directory: Path
    database_url: str = ""
    queue_url: str = ""
    counting: bool = False
    """Every process counts its SQL transactions and statements (bench/counting) into `counts`."""
    settings: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.data = self.directory / "data"
        self.counts = self.directory / "counts"
        self.key = Fernet.generate_key().decode()
        self.database_url = self.database_url or f"sqlite:///{self.data / 'fieldbridge.db'}"
        self.queue_url = self.queue_url or f"sqlite:///{self.data / 'queue.db'}"

    def env(self) -> dict[str, str]:
        env = clean_env(
            data_dir=str(self.data),
            database_url=self.database_url,
            queue_url=self.queue_url,
            master_key=self.key,
            **self.settings,
        )
        if self.counting:
            self.counts.mkdir(exist_ok=True)
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(COUNTING), env.get("PYTHONPATH")]))
            env["FIELDBRIDGE_BENCH_COUNTS"] = str(self.counts)
        return env

    def product_settings(self) -> Settings:
        return Settings(
            data_dir=self.data,
            database_url=self.database_url,
            queue_url=self.queue_url,
            master_key=SecretStr(self.key),
        )

    def add_connector(self, **fields: Any) -> str:
        """A connector named "bench" in the store (no connection test); its client token."""
        settings = self.product_settings()
        db = open_database(settings)
        new = connectors.NewConnector.model_validate(
            {"name": "bench", "autotask_username": "svc@acme.example", **fields}
        )
        try:
            with db.transaction() as session:
                connector = connectors.create(session, SecretBox(load_master_key(settings)), new, _now())
                return client_tokens.rotate(session, connector, _now())
        finally:
            db.dispose()

    def admin_token(self) -> str:
        """An API token of a new admin of this deployment."""
        db = open_database(self.product_settings())
        try:
            with db.transaction() as session:
                user = admins.create_user(session, f"bench-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex, _now())
                return admins.issue_api_token(session, user, "bench", _now())[1]
        finally:
            db.dispose()

    def sql_counts(self) -> dict[str, int]:
        """SQL counted so far by every process of the deployment ("processing.transactions", ...), once
        each process has written what it counted up to now."""
        time.sleep(0.6)
        total: dict[str, int] = {}
        for path in self.counts.glob("*.json"):
            for key, n in json.loads(path.read_text())["counts"].items():
                total[key] = total.get(key, 0) + int(n)
        return total

    def engine(self) -> Engine:
        """A plain engine on the deployment's database, for the benchmark's own reads."""
        return create_engine(self.database_url)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Emulators:
    autotask: Started
    fieldnation: Started
    autotask_sim: httpx.Client
    fieldnation_sim: httpx.Client

    def calls(self) -> dict[str, dict[str, int]]:
        """Calls each emulator answered so far, by route ("GET /V1.0/Tickets/{id}"); `/_sim/` not counted."""
        found: dict[str, dict[str, int]] = {}
        for name, sim in (("autotask", self.autotask_sim), ("fieldnation", self.fieldnation_sim)):
            routes: dict[str, int] = {}
            for item in sim.get("/_sim/calls").raise_for_status().json()["items"]:
                route = str(item["route"])
                route = route if route.startswith(item["method"]) else f"{item['method']} {route}"
                routes[route] = routes.get(route, 0) + int(item["count"])
            found[name] = routes
        return found

    def delivered(self) -> bool:
        """No webhook delivery waits in either emulator."""
        return not any(
            sim.get("/_sim/webhooks/deliveries").raise_for_status().json()["pending"]
            for sim in (self.autotask_sim, self.fieldnation_sim)
        )

    def records(self, entity: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        url: str | None = f"/_sim/records/{entity}"
        while url:
            page = self.autotask_sim.get(url).raise_for_status().json()
            items += page["items"]
            url = page["next"]
        return items


def calls_between(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> dict[str, Any]:
    """Calls per emulator made between two `Emulators.calls()`: the total and the routes that changed."""
    delta: dict[str, Any] = {}
    for name, routes in after.items():
        changed = {r: n - before[name].get(r, 0) for r, n in routes.items() if n != before[name].get(r, 0)}
        delta[name] = {"total": sum(changed.values()), "routes": changed}
    return delta


@contextmanager
def emulators(procs: Processes, tickets: int = 0, work_orders: int = 0) -> Iterator[Emulators]:
    """Both emulators as processes: a tenant of `tickets` tickets (0: the default seed), a company of
    `work_orders` work orders; webhook retries a hundred times faster than real time. Autotask's hourly
    threshold is raised so the tenant's budget does not set the pace (its 3 requests per endpoint stay)."""
    env = clean_env()
    at_args = ["sim", "autotask", "--webhook-speed", "100"]
    at_args += ["--seed-tickets", str(tickets)] if tickets else []
    fn_args = ["sim", "fieldnation", "--webhook-speed", "100"]
    fn_args += ["--seed-workorders", str(work_orders)] if work_orders else []
    autotask = procs.fieldbridge("autotask-sim", at_args, env)
    fieldnation = procs.fieldbridge("fieldnation-sim", fn_args, env)
    with (
        httpx.Client(base_url=autotask.url, timeout=TIMEOUT) as at_sim,
        httpx.Client(base_url=fieldnation.url, timeout=TIMEOUT) as fn_sim,
    ):
        at_sim.put("/_sim/limits", json={"request_threshold": 10_000_000}).raise_for_status()
        yield Emulators(autotask, fieldnation, at_sim, fn_sim)


@dataclass
class Broker:
    """A running deployment: `serve`, its admin API, and the connector set up against the emulators."""

    deployment: Deployment
    serve: Started
    admin: httpx.Client
    sims: Emulators
    scene: Scene
    webhook_secret: str = ""
    connector: str = CONNECTOR

    def connector_path(self, path: str = "") -> str:
        return f"/v1/admin/connectors/{self.connector}{path}"

    def linked_tickets(self) -> list[int]:
        """The Autotask ids of the linked pairs."""
        engine = self.deployment.engine()
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT autotask_id FROM links WHERE parent_id IS NULL ORDER BY autotask_id")
                ).all()
        finally:
            engine.dispose()
        return [int(row[0]) for row in rows]

    def batch(self, after_id: int, source: str | None = None) -> tuple[int, float]:
        """How many events after `after_id` (from `source`, if given) there are, and the seconds from the
        first one received to the last one finished."""
        engine = self.deployment.engine()
        try:
            with engine.connect() as connection:
                query = BATCH if source is None else BATCH + " AND source = :s"
                n, first, last = connection.execute(text(query), {"a": after_id, "s": source}).one()
        finally:
            engine.dispose()
        return int(n), (_moment(last) - _moment(first)).total_seconds() if n else 0.0

    def inbox(self, after_id: int = 0) -> dict[str, int]:
        """Events after `after_id` by status, and `max_id`: read from the database, as an operator would."""
        engine = self.deployment.engine()
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT status, count(*) FROM inbox_events WHERE id > :a GROUP BY status"),
                    {"a": after_id},
                ).all()
                top = connection.execute(text("SELECT coalesce(max(id), 0) FROM inbox_events")).scalar()
        finally:
            engine.dispose()
        return {str(status): int(n) for status, n in rows} | {"max_id": int(top or 0)}

    def settle(self, after_id: int, timeout: float = 300) -> dict[str, int]:
        """Wait until both emulators delivered every webhook and every event after `after_id` is finished,
        twice in a row (an event's write fires a webhook after the event finished); the events by status."""

        def quiet() -> dict[str, int] | None:
            if not self.sims.delivered():
                return None
            first = self.inbox(after_id)
            if any(first.get(status) for status in UNFINISHED) or not self.sims.delivered():
                return None
            time.sleep(0.2)
            again = self.inbox(after_id)
            return again if again == first else None

        return wait_for(quiet, timeout, "every webhook delivered and every event finished", 0.3)

    def failures(self, after_id: int) -> str:
        """The first failed event's error after `after_id`, or ""."""
        engine = self.deployment.engine()
        try:
            with engine.connect() as connection:
                row = connection.execute(
                    text(
                        "SELECT count(*), min(last_error) FROM inbox_events "
                        "WHERE id > :a AND status IN ('retrying', 'dead')"
                    ),
                    {"a": after_id},
                ).one()
        finally:
            engine.dispose()
        return f"{row[0]} failed, e.g. {row[1]}" if row[0] else ""


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def start_serve(procs: Processes, deployment: Deployment) -> Started:
    """`serve` on a port chosen first, since the trigger URLs and webhook addresses it hands out are built
    from its public base URL."""
    port = free_port()
    deployment.settings["public_base_url"] = f"http://127.0.0.1:{port}"
    return procs.fieldbridge("serve", ["serve", "--port", str(port)], deployment.env())


def start_worker(procs: Processes, deployment: Deployment, threads: int | None = None) -> Started:
    """A worker, returned once it consumes (its log says so), or after 20 s whatever its log says."""
    args = ["worker"] + (["--threads", str(threads)] if threads else [])
    worker = procs.fieldbridge("worker", args, deployment.env(), announces=False)
    with suppress(TimeoutError):
        wait_for(lambda: "consumer started" in worker.stderr(), 20, "a worker to start consuming", 0.1)
    return worker


def set_up(procs: Processes, deployment: Deployment, sims: Emulators, serve: Started) -> Broker:
    """The connector as the demo sets it up, through `serve`'s admin API, then with no periodic reconciler
    (a benchmark runs its passes itself) and the Autotask webhook secret known, to sign deliveries."""
    admin = httpx.Client(
        base_url=serve.url, timeout=TIMEOUT, headers={"Authorization": f"Bearer {deployment.admin_token()}"}
    )
    at_creds, fn_creds = sims.autotask.first, sims.fieldnation.first
    stack = Stack(
        broker_url=serve.url,
        autotask_url=sims.autotask.url,
        fieldnation_url=sims.fieldnation.url,
        autotask_credentials=at_creds,
        fieldnation_credentials=fn_creds,
        admin_password="",
        settings=deployment.product_settings(),
        admin=admin,
        autotask_sim=sims.autotask_sim,
        fieldnation_sim=sims.fieldnation_sim,
    )
    scene = Scene(stack, Run(stack, CONNECTOR))
    for step in (
        setup.save_credentials,
        setup.refresh_fields,
        setup.mappings,
        setup.trigger_url,
        setup.webhooks,
    ):
        step(scene)
    broker = Broker(deployment, serve, admin, sims, scene)
    chosen = SyncOptions.model_validate(scene.admin("GET", "/sync-options"))
    scene.admin(
        "PUT",
        "/sync-options",
        json=chosen.model_copy(update={"reconcile_minutes": 0}).model_dump(mode="json"),
    )
    hooks = [h for h in sims.records("TicketWebhooks") if h.get("webhookUrl") == scene.trigger_url]
    broker.webhook_secret = str(hooks[0].get("secretKey") or "") if hooks else ""
    return broker
