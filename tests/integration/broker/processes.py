"""Real `fieldbridge serve` and `fieldbridge worker` processes for the crash and concurrency tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx
import pytest
import redis
from cryptography.fernet import Fernet
from sqlalchemy import select

from fieldbridge.settings import Settings
from fieldbridge.store import client_tokens, connectors
from fieldbridge.store.database import create_database_engine, open_database
from fieldbridge.store.secrets import SecretBox, load_master_key
from fieldbridge.store.tables import InboxEvent
from tests.support.waiting import wait_until

REPO = Path(__file__).resolve().parents[3]
HANDLERS = "tests.integration.broker.recording_handlers"
QUICK_RECOVERY = {"lease_seconds": "1", "sweep_interval_seconds": "0.2", "enqueue_grace_seconds": "0.5"}
"""Settings under which a message a dead process held is taken up again within a few seconds."""


@dataclass
class Launched:
    serve: subprocess.Popen[bytes]
    url: str
    workers: list[subprocess.Popen[bytes]]


@dataclass
class Fleet:
    """The processes one test started; `stop_all` ends them (by pid) whatever happened."""

    directory: Path
    env: dict[str, str]
    umask: int = -1
    """The processes' umask; -1 keeps this process's."""
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def add_connector(self, **fields: object) -> str:
        """Create connector "acme" in the fleet's database (in this process: quicker than the CLI);
        returns its client token."""
        settings = Settings(
            data_dir=Path(self.env["FIELDBRIDGE_DATA_DIR"]),
            database_url=self.env.get("FIELDBRIDGE_DATABASE_URL", ""),
            master_key=self.env["FIELDBRIDGE_MASTER_KEY"],
        )
        db = open_database(settings)
        new = connectors.NewConnector.model_validate(
            {"name": "acme", "autotask_username": "svc@acme.example", **fields}
        )
        try:
            with db.transaction() as session:
                connector = connectors.create(
                    session, SecretBox(load_master_key(settings)), new, datetime.now(UTC)
                )
                return client_tokens.rotate(session, connector, datetime.now(UTC))
        finally:
            db.dispose()

    def launch(self, workers: int = 0, threads: int = 1, port: int = 0) -> Launched:
        """Start `fieldbridge serve --port PORT` (0: a free one) and `workers` workers side by side; return
        once the server has announced its URL and every worker consumes."""
        serve = self._start("serve", "--port", str(port))
        started = [self._start("worker", "--threads", str(threads)) for _ in range(workers)]
        line = wait_until(
            partial(self._first_line, *serve), timeout=30, what="fieldbridge serve to announce its URL"
        )
        for process, out in started:
            err = out.with_name(out.name.replace(".out.", ".err."))
            wait_until(partial(self._consuming, process, err), timeout=30, what="a worker to start consuming")
        return Launched(serve[0], str(json.loads(line)["url"]), [process for process, _ in started])

    def worker(self, threads: int = 1) -> subprocess.Popen[bytes]:
        """One more worker, say in place of a killed one; not waited for (the queue keeps its messages)."""
        return self._start("worker", "--threads", str(threads))[0]

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)

    def logs(self) -> str:
        return "".join(path.read_text(errors="replace") for path in sorted(self.directory.glob("*.log")))

    def _first_line(self, process: subprocess.Popen[bytes], out: Path) -> str | None:
        self._alive(process)
        text = out.read_text()
        return text.partition("\n")[0] if "\n" in text else None

    def _consuming(self, process: subprocess.Popen[bytes], err: Path) -> bool:
        self._alive(process)
        return "Huey consumer started" in err.read_text()

    def _alive(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is not None:
            pytest.fail(
                f"{' '.join(map(str, process.args))} exited with {process.returncode}:\n{self.logs()}"
            )

    def _start(self, *args: str) -> tuple[subprocess.Popen[bytes], Path]:
        number = len(self.processes)
        stdout = self.directory / f"{number}-{args[0]}.out.log"
        stderr = self.directory / f"{number}-{args[0]}.err.log"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-m", "fieldbridge.cli", *args],
                env=self.env,
                cwd=REPO,
                stdout=out,
                stderr=err,
                umask=self.umask,
            )
        self.processes.append(process)
        return process, stdout


def fleet_env(directory: Path, **settings: str) -> dict[str, str]:
    """The environment of every process of one test: `settings` become FIELDBRIDGE_<NAME> variables."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FIELDBRIDGE_")}
    env["PYTHONPATH"] = str(REPO)
    env["FIELDBRIDGE_TEST_HANDLER_DIR"] = str(directory)
    env["FIELDBRIDGE_HANDLER_MODULES"] = HANDLERS
    env.update({f"FIELDBRIDGE_{name.upper()}": value for name, value in settings.items()})
    return env


@contextmanager
def fleet_in(directory: Path, **settings: str) -> Iterator[Fleet]:
    """A fleet whose data directory is `directory/data`, with a new master key, and `settings` (as for
    `fleet_env`); every process it started is stopped on leaving."""
    env = fleet_env(
        directory, data_dir=str(directory / "data"), master_key=Fernet.generate_key().decode(), **settings
    )
    fleet = Fleet(directory, env)
    try:
        yield fleet
    finally:
        fleet.stop_all()


@contextmanager
def redis_fleet_in(directory: Path, database_url: str, redis_url: str, **settings: str) -> Iterator[Fleet]:
    """As `fleet_in`, on PostgreSQL and a Redis queue of a name of its own, whose keys are deleted after."""
    queue_name = f"fieldbridge_test_{uuid.uuid4().hex[:8]}"  # as huey spells it in its keys
    with fleet_in(
        directory, database_url=database_url, queue_url=redis_url, queue_name=queue_name, **settings
    ) as fleet:
        yield fleet
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"*{queue_name}*"):
        client.delete(key)
    client.close()


def status(database_url: str, event_id: int) -> str | None:
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            return connection.execute(select(InboxEvent.status).where(InboxEvent.id == event_id)).scalar()
    finally:
        engine.dispose()


def post_ticket(url: str, token: str, ticket: int) -> int:
    answer = httpx.post(
        f"{url}/v1/broker/inbound", params={"client_token": token}, content=str(ticket).encode()
    )
    assert answer.status_code == 202
    return int(answer.json()["event_id"])


def parent_of(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as stat:
        return int(stat.read().rpartition(")")[2].split()[1])
